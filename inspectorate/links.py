"""Links the QR codes carry: wa.me with `DAFTAR <UNIT>` prefilled and t.me deep links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from core.settings import Settings

# Telegram deep-link payloads: at most 64 of A-Z a-z 0-9 _ - (Bot API "deep linking").
_START_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
REGISTER_WORD = "DAFTAR"


def whatsapp_link(number: str, text: str) -> str:
    """https://wa.me/<digits>?text=... for a number in any format with a country code."""
    digits = re.sub(r"\D", "", number)
    if not digits:
        raise ValueError(f"'{number}' bukan nomor WhatsApp")
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def whatsapp_register_link(number: str, unit_code: str) -> str:
    return whatsapp_link(number, f"{REGISTER_WORD} {unit_code}")


def telegram_start_link(bot_username: str, payload: str) -> str:
    """https://t.me/<bot>?start=<payload>; the payload is what `/start` hands the bot."""
    username = bot_username.removeprefix("@")
    if not _USERNAME.match(username):
        raise ValueError(f"'{bot_username}' bukan nama pengguna bot Telegram")
    if not _START_PAYLOAD.match(payload):
        raise ValueError(f"'{payload}' tidak bisa dipakai di tautan Telegram (A-Z, 0-9, _ dan -)")
    return f"https://t.me/{username}?start={payload}"


@dataclass(frozen=True, slots=True)
class UnitLinks:
    """The chat links for one unit's QR poster; None where that channel is not configured."""

    whatsapp: str | None
    telegram: str | None


def unit_links(settings: Settings, unit_code: str) -> UnitLinks:
    number = settings.twilio_whatsapp_number
    username = settings.telegram_bot_username
    return UnitLinks(
        whatsapp=whatsapp_register_link(number, unit_code) if number else None,
        telegram=telegram_start_link(username, unit_code) if username else None,
    )
