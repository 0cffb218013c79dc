"""Splitting long texts into parts a channel accepts, at paragraph, line or word boundaries."""

from __future__ import annotations

TELEGRAM_LIMIT = 4096  # characters of one Telegram message
WHATSAPP_LIMIT = 1600  # characters of one Twilio WhatsApp body


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, preferring to break between paragraphs or lines."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator, 0, limit + 1)
            if cut > limit // 2:
                break
        if cut <= 0:
            cut = limit
        head = rest[:cut].rstrip()
        if head:
            parts.append(head)
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return parts
