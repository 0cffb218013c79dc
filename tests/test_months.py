"""Reading the month and year people type."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.months import parse_month

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(("text", "expected"), [
    ("Maret 2026", (2026, 3)), ("mar 2026", (2026, 3)), ("march 2026", (2026, 3)),
    ("03/2026", (2026, 3)), ("3-2026", (2026, 3)), ("2026-03", (2026, 3)), ("3 26", (2026, 3)),
    ("agustus", (2026, 8)), ("Desember", (2025, 12)), ("bulan lalu", (2026, 10)),
    ("bulan ini", (2026, 11)), ("Agt 2026", (2026, 8)), ("okt. 2025", (2025, 10)),
    ("bln juli thn 2026", (2026, 7)),
])
def test_understood(text: str, expected: tuple[int, int]) -> None:
    assert parse_month(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "kapan ya", "13/2026", "2026", "besok"])
def test_not_understood(text: str) -> None:
    assert parse_month(text, TODAY) is None
