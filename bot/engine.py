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
from datetime import timedelta

from bot.masking import mask_text
from bot.messages import Choice, Inbound, Reply
from handlers.router import Router
from handlers.turn import Deps, Turn
from handlers.words import normalize
from storage.database import Database
from storage.repositories import InboundRepository, SessionRepository
from storage.repositories.sessions import IDLE, Session

logger = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Reply]], Awaitable[None]]
CHOICES_KEY = "_choices"


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
        self._idle = timedelta(minutes=deps.settings.session_idle_minutes)

    @property
    def deps(self) -> Deps:
        return self._deps

    async def handle(self, msg: Inbound, deliver: Deliver | None = None) -> list[Reply]:
        """Process one message; `deliver` (if given) sends the replies before the sender's next
        message is processed, so replies keep their order too."""
        async with self._locks.hold((msg.channel, msg.sender)):
            try:
                replies = await self._process(msg)
            except Exception:
                logger.exception("Pesan dari %s:%s gagal diproses", msg.channel,
                                 mask_text(msg.sender))
                replies = [Reply(self._deps.catalog.text(
                    self._deps.settings.default_language, "common.error"))]
            if deliver is not None and replies:
                await deliver(replies)
            return replies

    async def _process(self, msg: Inbound) -> list[Reply]:
        deps = self._deps
        now = msg.received_at or deps.clock.now()
        async with self._db.transaction() as conn:
            if msg.provider_id and not await self._inbound.mark_processed(
                conn, msg.channel, msg.provider_id, now
            ):
                logger.info("Pesan %s:%s sudah diproses sebelumnya; dilewati", msg.channel,
                            msg.provider_id)
                return []
            session = await self._sessions.load(conn, msg.channel, msg.sender,
                                                deps.settings.default_language)
            turn = Turn(msg=msg, session=session, conn=conn, deps=deps, now=now)
            self._expire_if_idle(turn, session)
            turn.choice = resolve_choice(msg.text, session.data.pop(CHOICES_KEY, []))
            await deps.identities.touch_inbound(conn, msg.channel, msg.sender, now)
            await self._router.dispatch(turn)
            self._remember_choices(session, turn.replies)
            await self._sessions.save(conn, session, now, deps.settings.default_language)
            return turn.replies

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
