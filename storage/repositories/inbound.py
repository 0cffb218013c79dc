"""Processed inbound message ids: providers deliver at least once, we process exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.clock import to_text
from storage.connection import Connection
from storage.write_batch import Statement


class InboundRepository:
    def record(self, channel: str, provider_id: str, now: datetime) -> Statement:
        """The write that marks the id processed; fails on an id already there."""
        return ("INSERT INTO processed_inbound (channel, provider_id, processed_at) "
                "VALUES (?, ?, ?)", (channel, provider_id, to_text(now)))

    def claim(self, channel: str, provider_id: str, now: datetime) -> Statement:
        """The write that marks the id processed, returning one row if it was not yet (none
        for a redelivery)."""
        return ("INSERT INTO processed_inbound (channel, provider_id, processed_at) "
                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                (channel, provider_id, to_text(now)))

    async def mark_processed(
        self, conn: Connection, channel: str, provider_id: str, now: datetime
    ) -> bool:
        """Record the id; False when it was already there (a redelivery)."""
        rows = await conn.execute_fetchall(*self.claim(channel, provider_id, now))
        return len(rows) == 1

    async def prune(self, conn: Connection, older_than: datetime) -> int:
        """Forget ids older than any provider's redelivery horizon."""
        cur = await conn.execute(
            "DELETE FROM processed_inbound WHERE processed_at < ?", (to_text(older_than),)
        )
        return cur.rowcount


REDELIVERY_HORIZON = timedelta(days=7)
