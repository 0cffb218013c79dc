"""Reading "Maret 2026", "3/2026", "2026-03" or "bulan lalu" as a (year, month)."""

from __future__ import annotations

import re
from datetime import date

_MONTH_PREFIXES = {
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6, "jul": 7,
    "agu": 8, "agt": 8, "ags": 8, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11,
    "nop": 11, "des": 12, "dec": 12,
}
_NUMERIC = (
    re.compile(r"^(?P<m>\d{1,2})\s*[/.\-\s]\s*(?P<y>\d{4}|\d{2})$"),
    re.compile(r"^(?P<y>\d{4})\s*[/.\-\s]\s*(?P<m>\d{1,2})$"),
)
_NAMED = re.compile(r"^(?:bulan\s+|bln\s+)?(?P<name>[a-z]+)\.?\s*[,/\-]?\s*(?:tahun\s+|thn\s+)?"
                    r"(?P<y>\d{4}|\d{2})?$")
_THIS_MONTH = frozenset({"bulan ini", "bln ini", "this month", "sekarang", "baru saja", "hari ini",
                         "minggu ini", "kemarin", "barusan"})
_LAST_MONTH = frozenset({"bulan lalu", "bulan kemarin", "bln lalu", "bln kemarin", "last month"})


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def parse_month(text: str, today: date) -> tuple[int, int] | None:
    """The (year, month) the text names, or None. A month without a year means the latest one."""
    cleaned = " ".join(text.casefold().replace(",", " ").split())
    if cleaned in _THIS_MONTH:
        return today.year, today.month
    if cleaned in _LAST_MONTH:
        return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    for pattern in _NUMERIC:
        match = pattern.match(cleaned)
        if match:
            month, year = int(match["m"]), _year(match["y"])
            return (year, month) if 1 <= month <= 12 else None
    match = _NAMED.match(cleaned)
    if not match:
        return None
    month_no = _MONTH_PREFIXES.get(match["name"][:3])
    if month_no is None:
        return None
    if match["y"]:
        return _year(match["y"]), month_no
    year = today.year if month_no <= today.month else today.year - 1
    return year, month_no


def months_between(earlier: tuple[int, int], later: tuple[int, int]) -> int:
    return (later[0] - earlier[0]) * 12 + (later[1] - earlier[1])
