"""Masking of phone numbers and e-mail addresses so personal data never reaches a log."""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Runs of digits, optionally with +, spaces, dots or dashes between them; masked when they
# hold 9 or more digits (the shortest Indonesian mobile number has 10) and are not an IPv4
# address, which operators need to read.
_PHONE = re.compile(r"(?<![\w])(\+?\d[\d\s.-]{6,}\d)(?![\w])")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_PHONE_DIGITS = 9


def mask_phone(phone: str) -> str:
    """`+6281234567890` -> `+62812****7890`: enough to tell numbers apart, not to call them."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 8:
        return "*" * len(digits)
    prefix = "+" if phone.strip().startswith("+") else ""
    return f"{prefix}{digits[:5]}{'*' * (len(digits) - 9)}{digits[-4:]}"


def mask_email(email: str) -> str:
    """`budi.santoso@mail.com` -> `b***@mail.com`."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", email)


def mask_text(text: str) -> str:
    """Mask every e-mail address and phone-like digit run inside free text."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(_mask_phone_match, text)


def _mask_phone_match(match: re.Match[str]) -> str:
    run = match.group(1)
    if _IPV4.fullmatch(run) or sum(ch.isdigit() for ch in run) < _PHONE_DIGITS:
        return run
    return mask_phone(run)


class MaskingFilter(logging.Filter):
    """Rewrites every log record so that phone numbers and e-mails are masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        # A traceback quotes the values in the failing line and the exception's message;
        # format it here (the Formatter reuses exc_text) so it is masked like the message.
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


_FORMATTER = logging.Formatter()


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr in one plain format, masking personal data in every record."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiosqlite", "apscheduler.executors.default",
                  # python-telegram-bot logs whole updates (names included) at DEBUG
                  "telegram", "hpack", "multipart"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
