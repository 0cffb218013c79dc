"""The links on a unit's poster: WhatsApp with `DAFTAR <UNIT>` typed in, Telegram deep link."""

from __future__ import annotations

from urllib.parse import quote


def whatsapp_register_link(number_e164: str, unit_code: str) -> str:
    """`https://wa.me/6281…?text=DAFTAR%20DISDUKCAPIL`: opens a chat with the text ready."""
    digits = "".join(ch for ch in number_e164 if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(f'DAFTAR {unit_code}', safe='')}"


def telegram_start_link(bot_username: str, unit_code: str) -> str:
    """`https://t.me/<bot>?start=DISDUKCAPIL`: Telegram sends `/start DISDUKCAPIL`."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={quote(unit_code, safe='')}"
