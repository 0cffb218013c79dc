"""The conversation engine: one inbound message in, replies out, for every channel.

Guarantees: a provider message id is processed once; messages from one sender are handled one
at a time and in order (different senders concurrently); a turn's effects, its idempotency
key and the new session state are committed together or not at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import aiosqlite

from bot.engine.recent_ids import RecentIds
from bot.engine.session_cache import CachedConversation, SessionCache
from core.masking import mask_text
from core.messages import Choice, Inbound, Reply
from handlers.router import Router
from handlers.turn import Deps, Turn
from handlers.words import normalize
from storage.database import Database, GroupAborted
from storage.repositories import InboundRepository, SessionRepository
from storage.repositories.conversations import Snapshot, snapshot
from storage.repositories.sessions import IDLE, Session, encode_data

logger = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Reply]], Awaitable[None]]
CHOICES_KEY = "_choices"
# How often a respondent's last inbound time is written (the WhatsApp 24-hour window needs
# minutes, not milliseconds; each write is a database round trip).
TOUCH_EVERY = timedelta(minutes=1)


class _SenderLocks:
    """One FIFO lock per (channel, sender), dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: tuple[str, str]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


def resolve_choice(text: str, offered: list[list[str]]) -> str | None:
    """Map `2`, a label or a button's value to the value of an offered choice."""
    if not offered:
        return None
    stripped = text.strip().rstrip(".)")
    if stripped.isdigit() and 1 <= int(stripped) <= len(offered):
        return offered[int(stripped) - 1][1]
    wanted = normalize(text)
    for label, value in offered:
        if text.strip() == value or wanted in (normalize(label), normalize(value)):
            return value
    return None


class Engine:
    def __init__(self, db: Database, deps: Deps, router: Router) -> None:
        self._db = db
        self._deps = deps
        self._router = router
        self._sessions = SessionRepository()
        self._inbound = InboundRepository()
        self._locks = _SenderLocks()
        self._cache = SessionCache()
        self._recent_ids = RecentIds()
        self._erasures = 0  # bumped when a turn erasing conversations starts and ends
        self._erasing = 0  # such turns not committed (or rolled back) yet
        self._idle = timedelta(minutes=deps.settings.session_idle_minutes)

    @property
    def deps(self) -> Deps:
        return self._deps

    async def handle(
        self, msg: Inbound, deliver: Deliver | None = None,
        settled: Callable[[], None] | None = None,
    ) -> list[Reply]:
        """Process one message; `deliver` (if given) sends the replies before the sender's next
        message is processed, so replies keep their order too.

        `settled` is called as soon as the turn is committed (or known to be a redelivery, or
        rolled back with an apology to send), before delivery: a webhook can then acknowledge
        the provider without risking the message while the replies go out.
        """
        async with self._locks.hold((msg.channel, msg.sender)):
            try:
                try:
                    replies = await self._process(msg, group=True)
                except GroupAborted:  # another turn of the shared commit failed, not this one
                    replies = await self._process(msg, group=False)
            except Exception:
                self._cache.discard((msg.channel, msg.sender))
                logger.exception("Pesan dari %s:%s gagal diproses", msg.channel,
                                 mask_text(msg.sender))
                replies = [Reply(self._deps.catalog.text(
                    self._deps.settings.default_language, "common.error"))]
            if settled is not None:
                settled()
            if deliver is not None and replies:
                await deliver(replies)
            return replies

    async def _process(self, msg: Inbound, *, group: bool) -> list[Reply]:
        """One turn in a write transaction. Its bookkeeping writes wait for the commit.

        In a shared commit (`group`) a conversation missing from the cache is read before the
        write lock, from committed data: this sender's earlier turns are committed (the sender
        lock is held until then), and nobody else writes its rows except an erasure, which
        `_erasures` tracks. A redelivery is spotted by the ids this process committed or by that
        read, and the id is inserted with the commit; should it be there after all, the insert
        fails, the group runs again alone, and alone the id is claimed first, as the only
        source of truth.
        """
        deps = self._deps
        key = (msg.channel, msg.sender)
        now = msg.received_at or deps.clock.now()
        default_language = deps.settings.default_language
        erasures = self._erasures
        early: Snapshot | None = None
        if msg.provider_id and (msg.channel, msg.provider_id) in self._recent_ids:
            self._log_redelivery(msg)
            return []
        if group and self._cache.get(key) is None:
            async with self._db.reading() as reader:
                early = await snapshot(reader, *key, default_language, msg.provider_id)
            if early.seen:
                self._log_redelivery(msg)
                return []
        erasing = False
        try:
            async with self._db.transaction(group=group) as conn:
                if msg.provider_id:
                    if group:
                        self._db.later(self._inbound.record(msg.channel, msg.provider_id, now))
                    elif not await self._inbound.mark_processed(
                            conn, msg.channel, msg.provider_id, now):
                        self._log_redelivery(msg)
                        return []
                session, stored, has_identity, touched_at = await self._conversation(
                    conn, key, early if erasures == self._erasures else None)
                if has_identity and (touched_at is None or now - touched_at >= TOUCH_EVERY):
                    self._db.later(deps.identities.touch_inbound(*key, now))
                    touched_at = now
                turn = Turn(msg=msg, session=session, conn=conn, deps=deps, now=now,
                            later=self._db.later)
                self._expire_if_idle(turn, session)
                turn.choice = resolve_choice(msg.text, session.data.pop(CHOICES_KEY, []))
                await self._router.dispatch(turn)
                if turn.forgotten:
                    self._erasure_moves(turn.forgotten, starting=True)
                    erasing = True
                self._remember_choices(session, turn.replies)
                if turn.identity_linked is not None:
                    has_identity = turn.identity_linked
                    touched_at = now if has_identity else None
                data_json = encode_data(session.data)
                if stored or not session.is_empty(default_language):
                    self._db.later(self._sessions.save(session, now, default_language, data_json))
                    stored = not session.is_empty(default_language)
        finally:
            if erasing:
                self._erasure_moves(turn.forgotten, starting=False)
        if msg.provider_id:
            self._recent_ids.add(msg.channel, msg.provider_id)
        if erasures == self._erasures and not self._erasing:
            self._cache.put(key, CachedConversation.of(
                session, stored=stored, has_identity=has_identity, touched_at=touched_at,
                data_json=data_json))
        else:  # someone was erased meanwhile, perhaps this sender: read it afresh next time
            self._cache.discard(key)
        return turn.replies

    async def _conversation(
        self, conn: aiosqlite.Connection, key: tuple[str, str], early: Snapshot | None
    ) -> tuple[Session, bool, bool, datetime | None]:
        """(session, whether its row exists, whether the sender is a respondent's identity,
        when that identity's last inbound was recorded) from the cache, from the read made
        before the lock (`early`, if no erasure began since), or read now."""
        cached = self._cache.get(key)
        if cached is not None:
            return (cached.session(key), cached.stored, cached.has_identity,
                    cached.touched_at)
        if early is None or self._erasing:
            early = await snapshot(conn, *key, self._deps.settings.default_language)
        return early.session, early.stored, early.has_identity, None

    def _erasure_moves(self, forgotten: list[tuple[str, str]], *, starting: bool) -> None:
        """A turn that deleted these conversations starts or ends (committed or not): while it
        runs, and for reads made before it ended, no earlier read of them may be trusted,
        from the cache or the reader."""
        self._erasing += 1 if starting else -1
        self._erasures += 1
        for other in forgotten:
            self._cache.discard(other)

    @staticmethod
    def _log_redelivery(msg: Inbound) -> None:
        logger.info("Pesan %s:%s sudah diproses sebelumnya; dilewati", msg.channel,
                    msg.provider_id)

    def _expire_if_idle(self, turn: Turn, session: Session) -> None:
        if session.updated_at is None or turn.now - session.updated_at < self._idle:
            return
        if session.state != IDLE:
            turn.say("common.expired", minutes=self._deps.settings.session_idle_minutes)
        session.reset()

    @staticmethod
    def _remember_choices(session: Session, replies: list[Reply]) -> None:
        offered: tuple[Choice, ...] = ()
        for reply in replies:
            if reply.choices:
                offered = reply.choices
        if offered:
            session.data[CHOICES_KEY] = [[c.label, c.value] for c in offered]
