"""Phone numbers: one person, one E.164 number, whatever way they typed it."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

DEFAULT_REGION = "ID"


def to_e164(text: str, region: str = DEFAULT_REGION) -> str | None:
    """`0812-3456-7890`, `+62 812 3456 7890` and `6281234567890` -> `+6281234567890`.

    Returns None when the text is not a valid number.
    """
    raw = text.strip()
    if raw.startswith("whatsapp:"):
        raw = raw.removeprefix("whatsapp:")
    digits = "".join(ch for ch in raw if ch.isdigit())
    # `62812…` without a plus is an international number written the way WhatsApp shows it.
    if not raw.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """True for numbers that can be mobile (WhatsApp needs one)."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE
    )


def to_mobile_e164(text: str, region: str = DEFAULT_REGION) -> str | None:
    """A valid mobile number in E.164, or None."""
    e164 = to_e164(text, region)
    return e164 if e164 and is_mobile(e164) else None
