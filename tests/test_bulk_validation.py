"""The fast phone and e-mail checks used for imports give the same answers as the slow ones."""

from __future__ import annotations

import random

import pytest

from core.emails import normalize_email
from core.phones import to_mobile_e164
from inspectorate.bulk_validation import classify_phone, normalize_email_fast


def test_phone_answers_match_phonenumbers_over_every_prefix_and_length() -> None:
    rng = random.Random(6)
    cases = [f"0{prefix}{rng.randrange(10 ** 12):012d}"[:length + 1]
             for prefix in range(8000, 9000) for length in range(6, 15)]
    cases += ["+62 812-3456-7890", "62812345678901", "6281", "812 3456 789", "(0411) 555-0198",
              "+6281234567890", "0812.3456.7890", "+1 415 555 0100", "08x2", "", "+62 0812 3456"]
    for text in cases:
        assert classify_phone(text)[0] == to_mobile_e164(text), text


@pytest.mark.parametrize("address", [
    "a@b.co", "Budi.S@Gmail.COM", "x..y@a.com", ".x@a.com", "x@-a.com", "x@a", "x@a.c",
    "x@123.com", "x@a..com", "é@a.com", "a" * 65 + "@a.com", "a@" + "b" * 64 + ".com",
    "a" * 200 + "@" + "b" * 50 + ".com", "user+tag@sub.example.id", "a@localhost",
    "x@a_b.com", "a@xn--bcher-kva.ch", " spasi@contoh.id ", "two@@contoh.id",
])
def test_email_answers_match_email_validator(address: str) -> None:
    assert normalize_email_fast(address) == normalize_email(address)
