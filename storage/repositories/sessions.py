"""Conversation sessions: where each (channel, sender) is in a dialog, kept across restarts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.clock import to_text
from storage.write_batch import Statement

IDLE = "idle"
_DELETE = "DELETE FROM sessions WHERE channel = ? AND address = ?"


def encode_data(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


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
    def save(
        self, session: Session, now: datetime, default_language: str, data_json: str | None = None,
        *, stored: bool = False,
    ) -> Statement:
        """The write storing the session as of `now`; an idle one with nothing to remember
        leaves no row. The session itself is left as it is (the caller owns it).

        `stored`: the turn read an existing row. Then the write only updates that row: if it
        is gone by the time the write runs, an erasure (or the idle purge) deleted the
        conversation meanwhile, and what the turn typed into it must not bring it back.
        `data_json` is `session.data` already encoded, when the caller has it.
        """
        if session.is_empty(default_language):
            return (_DELETE, (session.channel, session.address))
        data = data_json if data_json is not None else encode_data(session.data)
        if stored:
            return ("""UPDATE sessions SET state = ?, data = ?, language = ?, updated_at = ?
                       WHERE channel = ? AND address = ?""",
                    (session.state, data, session.language, to_text(now),
                     session.channel, session.address))
        return ("""INSERT INTO sessions (channel, address, state, data, language, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (channel, address) DO UPDATE SET state = excluded.state,
                   data = excluded.data, language = excluded.language,
                   updated_at = excluded.updated_at""",
                (session.channel, session.address, session.state, data,
                 session.language, to_text(now)))

    def notice_statement(
        self, channel: str, address: str, notice: str, now: datetime, default_language: str
    ) -> Statement:
        """The write leaving `notice` for a conversation's next turn, keeping its dialog."""
        return ("""INSERT INTO sessions (channel, address, state, data, language, updated_at)
               VALUES (?1, ?2, ?3, json_object('notice', ?4), ?5, ?6)
               ON CONFLICT (channel, address) DO UPDATE
               SET data = json_set(sessions.data, '$.notice', ?4), updated_at = ?6""",
                (channel, address, IDLE, notice, default_language, to_text(now)))
