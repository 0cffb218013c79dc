"""WhatsApp's 24-hour customer-service window: free text only a day after their last message."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from core.messages import Channel
from storage.repositories import IdentityRepository

WINDOW = timedelta(hours=24)


def inside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True when free-form text may still be sent; outside it only approved templates may."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


async def whatsapp_window_open(
    conn: aiosqlite.Connection, address: str, now: datetime,
    identities: IdentityRepository | None = None,
) -> bool:
    """Whether the WhatsApp identity `address` (E.164) wrote to us within the last 24 hours."""
    identity = await (identities or IdentityRepository()).get(conn, Channel.WHATSAPP, address)
    return identity is not None and inside_window(identity.last_inbound_at, now)
