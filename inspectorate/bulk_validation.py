"""Phone and e-mail checks for lists of 100,000 rows: the same answers as `core.phones` and
`core.emails`, without paying the libraries' full parsing cost on every plain row."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType

from core.emails import normalize_email
from core.phones import is_mobile, to_e164

_SEPARATORS = str.maketrans("", "", " -.()\u00a0\t")
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_INDONESIA = 62


def _plain_national(text: str) -> str | None:
    """The national number of `0812…`, `62812…`, `+62812…` or `812…`, else None."""
    compact = text.translate(_SEPARATORS)
    if compact.startswith("+62"):
        national = compact[3:]
    elif compact.startswith("62") and len(compact) >= 10:
        national = compact[2:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        national = compact
    if national.startswith("8") and national.isascii() and national.isdigit():
        return national
    return None


# Every Indonesian number pattern in libphonenumber's metadata for numbers starting with 8
# (mobile 8[1-35-9]…, toll-free 800…, shared cost 804…, UAN 8071…, premium 809…) is fixed
# by the first four digits and the length, so the type is asked once per (prefix, length).
# tests/test_bulk_validation.py compares the answers with `core.phones` over that space.
_KINDS: dict[tuple[str, int], int] = {}


def classify_phone(text: str) -> tuple[str | None, str | None]:
    """(E.164 mobile number, None) or (None, "phone_invalid" | "phone_not_mobile").

    Plain Indonesian mobile numbers skip `phonenumbers.parse` (the costly step) and go straight
    to libphonenumber's own number-type check; anything else takes the full path.
    """
    national = _plain_national(text)
    if national is not None and len(national) <= 17:
        key = (national[:4], len(national))
        kind = _KINDS.get(key)
        if kind is None:
            number = PhoneNumber(country_code=_INDONESIA, national_number=int(national))
            kind = _KINDS[key] = phonenumbers.number_type(number)
        if kind in _MOBILE_TYPES:
            return f"+62{national}", None
        if kind == PhoneNumberType.UNKNOWN:
            return None, "phone_invalid"
        return None, "phone_not_mobile"
    e164 = to_e164(text)
    if e164 is None:
        return None, "phone_invalid"
    return (e164, None) if is_mobile(e164) else (None, "phone_not_mobile")


# The dot-atom form of RFC 5322 in plain ASCII: what nearly every address in a list looks like.
_PLAIN_EMAIL = re.compile(
    r"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$"
)
_MAX_ADDRESS = 254


@lru_cache(maxsize=65536)
def _normalized_domain(domain: str) -> str | None:
    """email-validator's verdict on a domain, asked once per distinct domain."""
    checked = normalize_email(f"a@{domain}")
    return checked.partition("@")[2] if checked else None


def normalize_email_fast(text: str) -> str | None:
    """Same result as `core.emails.normalize_email`."""
    address = text.strip()
    match = _PLAIN_EMAIL.match(address)
    if match is None:
        return normalize_email(address)
    local, domain = match.groups()
    normalized = _normalized_domain(domain)
    if normalized is None:
        return None
    result = f"{local}@{normalized}"
    return result if len(result) <= _MAX_ADDRESS else None
