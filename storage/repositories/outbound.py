"""Outbound messages and their delivery status, fed by send receipts and status callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from core.delivery_status import advances
from storage.connection import Connection, Row


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    provider_id: str
    channel: str
    status: str
    error_code: str | None
    created_at: datetime
    updated_at: datetime


def _from_row(row: Row) -> OutboundMessage:
    return OutboundMessage(row["provider_id"], row["channel"], row["status"], row["error_code"],
                           from_text(row["created_at"]), from_text(row["updated_at"]))


class OutboundMessageRepository:
    async def get(self, conn: Connection, provider_id: str) -> OutboundMessage | None:
        async with conn.execute(
            "SELECT * FROM outbound_messages WHERE provider_id = ?", (provider_id,)
        ) as cur:
            row = await cur.fetchone()
        return _from_row(row) if row else None

    async def record_status(
        self, conn: Connection, provider_id: str, status: str, *, channel: str,
        now: datetime, error_code: str | None = None,
    ) -> bool:
        """Store a status if it moves the message forward; False when it was stale or unknown.

        Call inside a write transaction: the read and the write must see the same row.
        """
        status = status.strip().lower()
        existing = await self.get(conn, provider_id)
        if not advances(existing.status if existing else None, status):
            return False
        await conn.execute(
            """INSERT INTO outbound_messages (provider_id, channel, status, error_code,
                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (provider_id) DO UPDATE SET status = excluded.status,
                   error_code = excluded.error_code, updated_at = excluded.updated_at""",
            (provider_id, channel, status, error_code or None, to_text(now), to_text(now)),
        )
        return True
