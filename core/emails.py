"""E-mail syntax checks (no DNS look-ups: the bot must answer instantly and offline)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def normalize_email(text: str) -> str | None:
    """The normalised address, or None when it is not a valid e-mail address."""
    try:
        result = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized
