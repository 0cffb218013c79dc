"""The reply outbox: a turn's replies, stored with the turn and removed once sent.

A row is pending until `mark_sending` sets `sending_at` just before the provider is called;
from then until `remove`, a crash leaves it in doubt, to be looked up at the provider (or
reported when the provider cannot be asked), never blindly sent again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from core.messages import Choice, Image, Reply
from storage.connection import Connection, Row
from storage.write_batch import Statement

_KEY = "channel = ? AND turn = ? AND position = ?"


@dataclass(frozen=True, slots=True)
class QueuedReply:
    """One stored reply; `stored` is False for a reply that could not be stored (sent as is)."""

    channel: str
    address: str
    turn: str
    position: int
    reply: Reply
    sending_at: datetime | None = None
    after_sid: str | None = None
    stored: bool = True

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.channel, self.turn, self.position)


def _encode(reply: Reply) -> str:
    return json.dumps({"text": reply.text, "choices": [[c.label, c.value] for c in reply.choices],
                       "contact": reply.request_contact,
                       "image": reply.image.filename if reply.image else None},
                      ensure_ascii=False)


def _from_row(row: Row) -> QueuedReply:
    fields = json.loads(row["reply"])
    image = Image(bytes(row["image"]), fields["image"]) if row["image"] is not None else None
    choices = tuple(Choice(label, value) for label, value in fields["choices"])
    reply = Reply(fields["text"], choices, bool(fields["contact"]), image)
    sending_at = from_text(row["sending_at"]) if row["sending_at"] else None
    return QueuedReply(row["channel"], row["address"], row["turn"], row["position"], reply,
                       sending_at, row["after_sid"])


class ReplyOutboxRepository:
    def stage(self, channel: str, address: str, turn: str, replies: Sequence[Reply],
              now: datetime) -> tuple[list[QueuedReply], list[Statement]]:
        """The rows of one turn's replies and the writes storing them (for its commit)."""
        queued = [QueuedReply(channel, address, turn, position, reply)
                  for position, reply in enumerate(replies)]
        sql = ("INSERT INTO reply_outbox (channel, address, turn, position, reply, image, "
               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        return queued, [(sql, (channel, address, turn, q.position, _encode(q.reply),
                               q.reply.image.png if q.reply.image else None, to_text(now)))
                        for q in queued]

    async def mark_sending(self, conn: Connection, queued: QueuedReply,
                           now: datetime, after_sid: str | None) -> bool:
        """Record that the provider is about to be called; False when the row is gone
        (the person's data was erased meanwhile): then nothing may be sent."""
        cur = await conn.execute(
            f"UPDATE reply_outbox SET sending_at = ?, after_sid = ? WHERE {_KEY}",  # noqa: S608
            (to_text(now), after_sid, *queued.key))
        return cur.rowcount == 1

    def remove(self, queued: QueuedReply) -> Statement:
        """Sent, or given up for good: the row leaves the outbox."""
        return (f"DELETE FROM reply_outbox WHERE {_KEY}", queued.key)  # noqa: S608

    async def open_rows(self, conn: Connection, channel: str) -> list[QueuedReply]:
        """Every reply of `channel` not sent yet, in send order."""
        rows = await conn.execute_fetchall(
            "SELECT * FROM reply_outbox WHERE channel = ? ORDER BY id", (channel,))
        return [_from_row(row) for row in rows]

    async def forget(self, conn: Connection,
                     conversations: Sequence[tuple[str, str]]) -> None:
        """Drop the unsent replies to these (channel, address) conversations (erasure)."""
        await conn.executemany("DELETE FROM reply_outbox WHERE channel = ? AND address = ?",
                               conversations)
