"""What the engine must know about a (channel, sender) before a turn, in a single read.

Each aiosqlite call is a round trip to a thread (~0.2 ms here), so the session, whether the
sender is a respondent's channel identity, and whether this provider message id was already
processed come back together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text
from storage.connection import Connection, Row, fetch_together
from storage.repositories.inbound import InboundRepository
from storage.repositories.sessions import Session
from storage.write_batch import Statement


@dataclass(frozen=True, slots=True)
class Snapshot:
    session: Session
    stored: bool  # whether a sessions row exists
    has_identity: bool
    seen: bool  # the provider message id was processed already


_SNAPSHOT = """SELECT EXISTS (SELECT 1 FROM processed_inbound
                              WHERE channel = ?1 AND provider_id = ?3) AS seen,
                      EXISTS (SELECT 1 FROM channel_identities
                              WHERE channel = ?1 AND address = ?2) AS has_identity,
                      s.state, s.data, s.language, s.updated_at
               FROM (SELECT 1) AS one
               LEFT JOIN sessions s ON s.channel = ?1 AND s.address = ?2"""
_INBOUND = InboundRepository()


async def snapshot(
    conn: Connection, channel: str, address: str, default_language: str,
    provider_id: str | None = None,
) -> Snapshot:
    rows = await conn.execute_fetchall(_SNAPSHOT, (channel, address, provider_id))
    return _read(next(iter(rows)), channel, address, default_language)


async def claim_and_snapshot(
    conn: Connection, channel: str, address: str, default_language: str, *,
    provider_id: str | None, now: datetime,
) -> Snapshot | None:
    """A turn's opening inside its transaction (PostgreSQL, after the sender's lock): claim
    the provider id, then read the conversation, in one round trip with the lock and the
    BEGIN. None when the id was processed already (a redelivery). The read is a statement of
    its own, after the lock's: a statement reads the data committed when it starts, so one
    statement taking the lock and reading would miss the sender's previous turn committed
    while it waited."""
    statements: list[Statement] = [(_SNAPSHOT, (channel, address, None))]
    if provider_id:
        statements.insert(0, _INBOUND.claim(channel, provider_id, now))
    results = await fetch_together(conn, statements)
    if provider_id and not results[0]:
        return None
    return _read(results[-1][0], channel, address, default_language)


def _read(row: Row, channel: str, address: str, default_language: str) -> Snapshot:
    """The outer SELECT always yields exactly one row."""
    if row["state"] is None:
        session = Session(channel, address, default_language)
    else:
        session = Session(channel, address, row["language"], row["state"],
                          json.loads(row["data"]), from_text(row["updated_at"]))
    return Snapshot(session, row["state"] is not None, bool(row["has_identity"]),
                    bool(row["seen"]))
