"""What the engine must know about a (channel, sender) before a turn, in a single read.

Each aiosqlite call is a round trip to a thread (~0.2 ms here), so the session, whether the
sender is a respondent's channel identity, and whether this provider message id was already
processed come back together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.clock import from_text
from storage.connection import Connection
from storage.repositories.sessions import Session


@dataclass(frozen=True, slots=True)
class Snapshot:
    session: Session
    stored: bool  # whether a sessions row exists
    has_identity: bool
    seen: bool  # the provider message id was processed already


async def snapshot(
    conn: Connection, channel: str, address: str, default_language: str,
    provider_id: str | None = None,
) -> Snapshot:
    rows = await conn.execute_fetchall(
        """SELECT EXISTS (SELECT 1 FROM processed_inbound
                          WHERE channel = ?1 AND provider_id = ?3) AS seen,
                  EXISTS (SELECT 1 FROM channel_identities
                          WHERE channel = ?1 AND address = ?2) AS has_identity,
                  s.state, s.data, s.language, s.updated_at
           FROM (SELECT 1) AS one LEFT JOIN sessions s ON s.channel = ?1 AND s.address = ?2""",
        (channel, address, provider_id))
    row = next(iter(rows))  # the outer SELECT always yields exactly one row
    if row["state"] is None:
        session = Session(channel, address, default_language)
    else:
        session = Session(channel, address, row["language"], row["state"],
                          json.loads(row["data"]), from_text(row["updated_at"]))
    return Snapshot(session, row["state"] is not None, bool(row["has_identity"]),
                    bool(row["seen"]))
