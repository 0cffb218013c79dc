"""A bounded, write-through memory of recent conversations, so a turn need not read its session.

The engine is the only writer of sessions in the bot process and entries are updated only
after their turn committed. Staff commands in other processes (erasure, purge) can remove
rows behind its back, so an entry is trusted for `max_age` seconds and then read again.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from storage.repositories.sessions import Session, encode_data

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class CachedConversation:
    state: str
    data_json: str
    language: str
    updated_at: datetime | None
    stored: bool  # whether a sessions row exists
    has_identity: bool  # whether (channel, sender) is a respondent's channel identity
    touched_at: datetime | None  # last time we recorded an inbound for that identity
    cached_at: float = 0.0  # time.monotonic() when the entry was stored

    def session(self, key: Key) -> Session:
        return Session(key[0], key[1], self.language, self.state, json.loads(self.data_json),
                       self.updated_at)

    @classmethod
    def of(cls, session: Session, *, stored: bool, has_identity: bool,
           touched_at: datetime | None, data_json: str | None = None) -> CachedConversation:
        """`data_json`: `session.data` already encoded, when the caller has it."""
        encoded = data_json if data_json is not None else encode_data(session.data)
        return cls(session.state, encoded,
                   session.language, session.updated_at, stored, has_identity, touched_at,
                   time.monotonic())


class SessionCache:
    def __init__(self, capacity: int = 50_000, max_age: float = 60.0) -> None:
        self._entries: OrderedDict[Key, CachedConversation] = OrderedDict()
        self._capacity = capacity
        self._max_age = max_age

    def get(self, key: Key) -> CachedConversation | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.cached_at > self._max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Key, entry: CachedConversation) -> None:
        """Store an entry made just now (its `cached_at` starts its `max_age`)."""
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def discard(self, key: Key) -> None:
        self._entries.pop(key, None)
