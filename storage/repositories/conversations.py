"""What the engine must know about a (channel, sender) before a turn, in a single read.

Each aiosqlite call is a round trip to a thread (~0.2 ms here), so the session, whether the
sender is a respondent's channel identity, and whether this provider message id was already
processed come back together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from storage.connection import Connection, Row
from storage.repositories.sessions import Session


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
_OPEN_TURN = "SELECT * FROM spi_turn_open(?, ?, ?, ?, ?)"


async def snapshot(
    conn: Connection, channel: str, address: str, default_language: str,
    provider_id: str | None = None,
) -> Snapshot:
    rows = await conn.execute_fetchall(_SNAPSHOT, (channel, address, provider_id))
    return _read(next(iter(rows)), channel, address, default_language)


async def claim_and_snapshot(
    conn: Connection, channel: str, address: str, default_language: str, *,
    provider_id: str | None, now: datetime, lock: str,
) -> Snapshot | None:
    """A turn's opening inside its transaction (PostgreSQL): wait for the sender's advisory
    lock `lock` (held until the commit), claim the provider id, then read the conversation,
    in one statement (migration 0024 `spi_turn_open`) sent with the BEGIN. None when the id
    was processed already (a redelivery)."""
    rows = await conn.execute_fetchall(_OPEN_TURN, (lock, channel, address, provider_id or None,
                                                    to_text(now)))
    row = next(iter(rows))
    if row["seen"]:
        return None
    return _read(row, channel, address, default_language)


def _read(row: Row, channel: str, address: str, default_language: str) -> Snapshot:
    """The outer SELECT always yields exactly one row."""
    if row["state"] is None:
        session = Session(channel, address, default_language)
    else:
        session = Session(channel, address, row["language"], row["state"],
                          json.loads(row["data"]), from_text(row["updated_at"]))
    return Snapshot(session, row["state"] is not None, bool(row["has_identity"]),
                    bool(row["seen"]))
