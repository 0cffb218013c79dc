"""Outbound messages and their delivery status, fed by send receipts and status callbacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from core.delivery_status import KNOWN, advances
from storage.connection import Connection, Row

# The rule of core.delivery_status.advances as SQL, so that the check and the write are one
# statement: concurrent callbacks for one message (several web processes) can then never move
# it backwards, and a callback costs one round trip. Each pair "stored>new" the rule allows is
# listed; a stored status the rule does not know gives way to any known one, as in `advances`.
_PAIRS = ", ".join(sorted(f"'{old}>{new}'" for old in KNOWN for new in KNOWN
                          if advances(old, new)))
_KNOWN = ", ".join(sorted(f"'{status}'" for status in KNOWN))
_UPSERT = f"""INSERT INTO outbound_messages (provider_id, channel, status, error_code,
                  created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
              ON CONFLICT (provider_id) DO UPDATE SET status = excluded.status,
                  error_code = excluded.error_code, updated_at = excluded.updated_at
              WHERE outbound_messages.status || '>' || excluded.status IN ({_PAIRS})
                 OR outbound_messages.status NOT IN ({_KNOWN})"""  # noqa: S608 - our constants


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One delivery status callback: the provider's message id, its new status, its error."""

    provider_id: str
    status: str
    error_code: str | None = None


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
        One statement: the rule is checked against the row as it is when written."""
        status = status.strip().lower()
        if status not in KNOWN:
            return False
        rows = await conn.execute_fetchall(
            f"{_UPSERT} RETURNING 1",
            (provider_id, channel, status, error_code or None, to_text(now), to_text(now)))
        return len(rows) == 1

    async def record_statuses(self, conn: Connection, updates: Sequence[StatusUpdate], *,
                              channel: str, now: datetime) -> None:
        """Many callbacks in one go (one `executemany`), in the order given; statuses nobody
        knows are left out, stale ones change nothing."""
        stamp = to_text(now)
        rows = [(u.provider_id, channel, status, u.error_code or None, stamp, stamp)
                for u in updates if (status := u.status.strip().lower()) in KNOWN]
        if rows:
            await conn.executemany(_UPSERT, rows)

    async def prune(self, conn: Connection, older_than: datetime) -> int:
        """Forget the statuses of messages last heard of before `older_than` that no broadcast
        delivery points to (replies): nothing reads them then, and one row per message sent
        would grow the table forever. A delivery's status stays with its broadcast."""
        cur = await conn.execute(
            "DELETE FROM outbound_messages WHERE updated_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM deliveries d WHERE d.provider_id = outbound_messages.provider_id)",
            (to_text(older_than),))
        return cur.rowcount
