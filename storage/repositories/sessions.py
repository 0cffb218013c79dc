"""Conversation sessions: where each (channel, sender) is in a dialog, kept across restarts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import from_text, to_text
from storage.queries import fetch_one

IDLE = "idle"


@dataclass(slots=True)
class Session:
    channel: str
    address: str
    language: str
    state: str = IDLE
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    def reset(self) -> None:
        self.state = IDLE
        self.data = {}

    def is_empty(self, default_language: str) -> bool:
        """Nothing worth a row: idle, no pending data, default language."""
        return self.state == IDLE and not self.data and self.language == default_language


class SessionRepository:
    async def load(
        self, conn: aiosqlite.Connection, channel: str, address: str, default_language: str
    ) -> Session:
        row = await fetch_one(
            conn, "SELECT state, data, language, updated_at FROM sessions "
            "WHERE channel = ? AND address = ?", (channel, address))
        if row is None:
            return Session(channel, address, default_language)
        return Session(channel, address, row["language"], row["state"], json.loads(row["data"]),
                       from_text(row["updated_at"]))

    async def save(
        self, conn: aiosqlite.Connection, session: Session, now: datetime, default_language: str
    ) -> None:
        """Store the session; an idle one with nothing to remember leaves no row behind."""
        if session.is_empty(default_language):
            await self.delete(conn, session.channel, session.address)
            return
        await conn.execute(
            """INSERT INTO sessions (channel, address, state, data, language, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (channel, address) DO UPDATE SET state = excluded.state,
                   data = excluded.data, language = excluded.language,
                   updated_at = excluded.updated_at""",
            (session.channel, session.address, session.state,
             json.dumps(session.data, ensure_ascii=False), session.language, to_text(now)),
        )
        session.updated_at = now

    async def delete(self, conn: aiosqlite.Connection, channel: str, address: str) -> None:
        await conn.execute(
            "DELETE FROM sessions WHERE channel = ? AND address = ?", (channel, address)
        )
