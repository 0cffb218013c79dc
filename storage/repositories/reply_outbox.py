"""The reply outbox: a turn's replies, stored with the turn and removed once sent.

A row is pending until `mark_sending` sets `sending_at` just before the provider is called;
from then until `remove`, a crash leaves it in doubt, to be looked up at the provider (or
reported when the provider cannot be asked), never blindly sent again.

Owners (several web processes on PostgreSQL): a row carries the id of the process that stored
it (`owner`, None on SQLite and for a repository without one), and only that process marks,
sends or removes it; every such write is fenced by the owner it expects. A row moves to
another process only once its owner is dead (`claim_orphans`): the owner's liveness lock
(bot/server/liveness.py) is free, which the claiming transaction proves by taking it itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from core.messages import Choice, Image, Reply
from storage.connection import Connection, Row
from storage.repositories.processes import liveness_key_sql
from storage.write_batch import Statement

_KEY = "channel = ? AND turn = ? AND position = ?"
_OWNED = f"{_KEY} AND owner IS NOT DISTINCT FROM ?"
# An earlier reply to the same chat still in the outbox (stored by another process, or taken
# over from a dead one and not settled yet): this one waits for it, so one person's replies
# leave in the order of their turns, and a reply in doubt is looked up before a later
# identical one could be mistaken for it.
_EARLIER = """EXISTS (SELECT 1 FROM reply_outbox e
    WHERE e.channel = reply_outbox.channel AND e.address = reply_outbox.address
      AND e.id < reply_outbox.id)"""


@dataclass(frozen=True, slots=True)
class QueuedReply:
    """One stored reply; `stored` is False for a reply that could not be stored (sent as is).
    `owner` is the process that may send it (None: no owners, one process per database)."""

    channel: str
    address: str
    turn: str
    position: int
    reply: Reply
    sending_at: datetime | None = None
    after_sid: str | None = None
    stored: bool = True
    owner: int | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.channel, self.turn, self.position)


class MarkRefused:
    """Why `mark_sending` did not mark a row."""

    GONE = "gone"  # erased meanwhile
    TAKEN = "taken"  # another process owns it now (this one was taken for dead)
    WAIT = "wait"  # an earlier reply to the chat, stored by another process, is not sent yet


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
                       sending_at, row["after_sid"], owner=row["owner"])


class ReplyOutboxRepository:
    def __init__(self, owner: int | None = None) -> None:
        # The process id stamped on the rows `stage` makes (set by the server at start-up).
        self.owner = owner

    def stage(self, channel: str, address: str, turn: str, replies: Sequence[Reply],
              now: datetime) -> tuple[list[QueuedReply], list[Statement]]:
        """The rows of one turn's replies and the writes storing them (for its commit)."""
        owner = self.owner
        queued = [QueuedReply(channel, address, turn, position, reply, owner=owner)
                  for position, reply in enumerate(replies)]
        sql = ("INSERT INTO reply_outbox (channel, address, turn, position, reply, image, "
               "created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        return queued, [(sql, (channel, address, turn, q.position, _encode(q.reply),
                               q.reply.image.png if q.reply.image else None, to_text(now),
                               owner))
                        for q in queued]

    async def mark_sending(self, conn: Connection, queued: QueuedReply,
                           now: datetime, after_sid: str | None, *,
                           in_order: bool = False) -> bool:
        """Record that the provider is about to be called; False when the row is not there
        for this owner (`refusal` says why): then nothing may be sent now. `in_order` (rows
        with an owner) also refuses while an earlier reply to the chat is in the outbox."""
        wait = f" AND NOT {_EARLIER}" if in_order and queued.owner is not None else ""
        cur = await conn.execute(
            f"UPDATE reply_outbox SET sending_at = ?, after_sid = ? WHERE {_OWNED}{wait}",  # noqa: S608
            (to_text(now), after_sid, *queued.key, queued.owner))
        return cur.rowcount == 1

    async def mark_many(self, conn: Connection,
                        marks: Sequence[tuple[QueuedReply, datetime, str | None, bool]]
                        ) -> set[tuple[str, str, int]]:
        """Several `mark_sending` (reply, now, after_sid, in_order) as one statement
        (PostgreSQL: the marks of several replies share one round trip); the keys marked.
        Each row is checked as `mark_sending` checks it: its owner, and with `in_order` no
        earlier reply to the chat in the outbox."""
        if conn.dialect != "postgresql":  # no UPDATE ... FROM (VALUES) AS v(...) there
            return {queued.key for queued, now, after_sid, in_order in marks
                    if await self.mark_sending(conn, queued, now, after_sid,
                                               in_order=in_order)}
        values = ", ".join(["(?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, "
                            "CAST(? AS INTEGER))"] * len(marks))
        params: list[object] = []
        for queued, now, after_sid, in_order in marks:
            params += [*queued.key, queued.owner, to_text(now), after_sid,
                       1 if in_order and queued.owner is not None else 0]
        rows = await conn.execute_fetchall(
            f"""UPDATE reply_outbox SET sending_at = v.sending_at, after_sid = v.after_sid
                FROM (VALUES {values})
                  AS v(channel, turn, position, owner, sending_at, after_sid, in_order)
                WHERE reply_outbox.channel = v.channel AND reply_outbox.turn = v.turn
                  AND reply_outbox.position = v.position
                  AND reply_outbox.owner IS NOT DISTINCT FROM v.owner
                  AND (v.in_order = 0 OR NOT {_EARLIER})
                RETURNING reply_outbox.channel, reply_outbox.turn,
                          reply_outbox.position""",  # noqa: S608 - placeholders only
            params)
        return {(row["channel"], row["turn"], int(row["position"])) for row in rows}

    async def refusal(self, conn: Connection, queued: QueuedReply) -> str:
        """Why `mark_sending` refused (`MarkRefused`)."""
        rows = await conn.execute_fetchall(
            f"SELECT owner FROM reply_outbox WHERE {_KEY}", queued.key)  # noqa: S608
        if not rows:
            return MarkRefused.GONE
        return MarkRefused.WAIT if rows[0]["owner"] == queued.owner else MarkRefused.TAKEN

    def remove(self, queued: QueuedReply) -> Statement:
        """Sent, or given up for good: the row leaves the outbox (if still this owner's)."""
        return (f"DELETE FROM reply_outbox WHERE {_OWNED}",  # noqa: S608
                (*queued.key, queued.owner))

    async def open_rows(self, conn: Connection, channel: str) -> list[QueuedReply]:
        """Every reply of `channel` not sent yet, in send order."""
        rows = await conn.execute_fetchall(
            "SELECT * FROM reply_outbox WHERE channel = ? ORDER BY id", (channel,))
        return [_from_row(row) for row in rows]

    async def claim_orphans(self, conn: Connection, channel: str,
                            owner: int) -> list[QueuedReply]:
        """PostgreSQL: take over the replies of `channel` whose owner is dead (or unset), in
        send order, and make `owner` theirs. Rows another transaction holds are skipped
        (`SKIP LOCKED`), so processes recovering at once never take the same row."""
        rows = await conn.execute_fetchall(
            f"""WITH dead AS (
                    SELECT o.owner FROM (SELECT DISTINCT owner FROM reply_outbox
                                         WHERE channel = ?1 AND owner <> ?2) AS o
                    WHERE pg_try_advisory_xact_lock({liveness_key_sql('o.owner')})),
                orphans AS (
                    SELECT r.id FROM reply_outbox r
                    WHERE r.channel = ?1
                      AND (r.owner IS NULL OR r.owner IN (SELECT owner FROM dead))
                    ORDER BY r.id FOR UPDATE OF r SKIP LOCKED)
               UPDATE reply_outbox SET owner = ?2 FROM orphans
               WHERE reply_outbox.id = orphans.id RETURNING reply_outbox.*""",  # noqa: S608
            (channel, owner))
        return [_from_row(row) for row in sorted(rows, key=lambda row: row["id"])]

    def release(self, queued: QueuedReply) -> Statement:
        """Let go of a reply in doubt that cannot be settled now (the provider cannot be
        asked): with no owner, the next look for orphans (any process's) tries again."""
        return (f"UPDATE reply_outbox SET owner = NULL WHERE {_OWNED}",  # noqa: S608
                (*queued.key, queued.owner))

    async def owners(self, conn: Connection, channel: str | None = None) -> dict[int | None, int]:
        """How many open rows each owner has (tests, health)."""
        where = "WHERE channel = ?" if channel else ""
        rows = await conn.execute_fetchall(
            f"SELECT owner, COUNT(*) AS n FROM reply_outbox {where} GROUP BY owner",  # noqa: S608
            (channel,) if channel else ())
        return {row["owner"]: int(row["n"]) for row in rows}

    async def forget(self, conn: Connection,
                     conversations: Sequence[tuple[str, str]]) -> None:
        """Drop the unsent replies to these (channel, address) conversations (erasure)."""
        await conn.executemany("DELETE FROM reply_outbox WHERE channel = ? AND address = ?",
                               conversations)
