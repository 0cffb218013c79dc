"""The conversation engine: one inbound message in, replies out, for every channel.

Guarantees: a provider message id is processed once; messages from one sender are handled one
at a time and in order (different senders concurrently); a turn's effects, its idempotency
key, the new session state and (for channels that send later) its replies are committed
together or not at all. The mechanisms that make it fast are mapped in bot/engine/__init__.py.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import uuid4

from bot.engine.recent_ids import RecentIds
from bot.engine.sender_locks import SenderLocks
from bot.engine.session_cache import CachedConversation, SessionCache
from core.masking import mask_text
from core.messages import Choice, Inbound, Reply
from handlers.router import Router
from handlers.turn import Deps, Prepared, Turn, Unprepared
from handlers.words import normalize
from storage.connection import Connection
from storage.database import Database, GroupAborted
from storage.repositories import InboundRepository, SessionRepository
from storage.repositories.conversations import Snapshot, claim_and_snapshot, snapshot
from storage.repositories.reply_outbox import QueuedReply, ReplyOutboxRepository
from storage.repositories.sessions import IDLE, Session, encode_data

logger = logging.getLogger(__name__)

CHOICES_KEY = "_choices"
# How often a respondent's last inbound time is written (the WhatsApp 24-hour window needs
# minutes, not milliseconds; each write is a database round trip).
TOUCH_EVERY = timedelta(minutes=1)


def _as_is(replies: Sequence[Reply]) -> Sequence[Reply]:
    return replies


@dataclass(frozen=True, slots=True)
class ReplyRoute:
    """Where a turn's replies go when they must survive a crash: stored in the reply outbox in
    the turn's own commit, then handed to `send` (called in the sender's order, after the
    commit) which starts sending them. `shape` is the channel's rendering of a turn's replies
    (WhatsApp merges them into as few messages as fit), applied before they are stored."""

    address: str
    send: Callable[[list[QueuedReply]], None]
    shape: Callable[[Sequence[Reply]], Sequence[Reply]] = _as_is


def well_formed(msg: Inbound) -> Inbound:
    """The message with lone surrogates (a JSON body may carry "\\ud800") replaced by U+FFFD:
    such text can be neither stored nor sent."""
    fields = (msg.sender, msg.text, msg.display_name or "", msg.start_payload or "")
    try:
        for value in fields:
            value.encode("utf-8")
    except UnicodeEncodeError:
        def fix(value: str) -> str:
            return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

        return replace(msg, sender=fix(msg.sender), text=fix(msg.text),
                       display_name=fix(msg.display_name) if msg.display_name else None,
                       start_payload=fix(msg.start_payload) if msg.start_payload else None)
    return msg


def resolve_choice(text: str, offered: list[list[str]]) -> str | None:
    """Map `2`, a label or a button's value to the value of an offered choice."""
    if not offered:
        return None
    stripped = text.strip().rstrip(".)")
    # isdecimal: what int() reads ("²" is a digit it refuses); short: a 5,000-digit "number"
    # would cost int() its limit, and no list is that long.
    if stripped.isdecimal() and len(stripped) <= 3 and 1 <= int(stripped) <= len(offered):
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
        self._outbox = ReplyOutboxRepository()
        self._locks = SenderLocks()
        self._cache = SessionCache()
        self._recent_ids = RecentIds()
        # SQLite: one process owns the file, so what this process committed is the truth and
        # the cache and the shared commit are safe. PostgreSQL: other processes write the same
        # rows, so each turn reads them in its own transaction under the sender's lock.
        self._shared = not db.groups
        self._erasures = 0  # bumped when a turn erasing conversations starts and ends
        self._erasing = 0  # such turns not committed (or rolled back) yet
        self._idle = timedelta(minutes=deps.settings.session_idle_minutes)

    @property
    def deps(self) -> Deps:
        return self._deps

    def own_replies(self, owner: int | None) -> None:
        """Stamp the replies this engine stores with the process that sends them (several
        web processes on PostgreSQL: bot/server/liveness.py); None: no owner (SQLite)."""
        self._outbox.owner = owner

    async def handle(
        self, msg: Inbound, *, route: ReplyRoute | None = None,
        settled: Callable[[], None] | None = None,
        prepare: Callable[[Inbound], Awaitable[Inbound]] | None = None,
    ) -> list[Reply]:
        """Process one message and return its replies; with a `route`, the replies are also
        stored with the turn and handed to `route.send` before the sender's next message is
        processed, so they keep their order.

        `settled` is called as soon as the turn is committed (or known to be a redelivery, or
        rolled back with an apology to send), before sending: a webhook can then acknowledge
        the provider without risking the message or its answer.

        `prepare` (a picture's OCR) runs under the sender's lock, so the message keeps its
        place in that person's order, but before the turn's transaction, which it never holds.
        """
        msg = well_formed(msg)
        async with self._locks.hold((msg.channel, msg.sender)):
            try:
                if prepare is not None and not (
                        msg.provider_id and (msg.channel, msg.provider_id) in self._recent_ids):
                    msg = well_formed(await prepare(msg))
                try:
                    replies, queued = await self._process(msg, route, group=not self._shared)
                except GroupAborted:  # another turn of the shared commit failed, not this one
                    replies, queued = await self._process(msg, route, group=False)
            except Exception:
                self._cache.discard((msg.channel, msg.sender))
                logger.exception("Pesan dari %s:%s gagal diproses", msg.channel,
                                 mask_text(msg.sender))
                replies = [Reply(self._deps.catalog.text(
                    self._deps.settings.default_language, "common.error"))]
                queued = await self._store_apology(msg, route, replies)
            if settled is not None:
                settled()
            if route is not None and queued:
                route.send(queued)
            return replies

    async def _store_apology(self, msg: Inbound, route: ReplyRoute | None,
                             replies: list[Reply]) -> list[QueuedReply]:
        """The apology for a failed turn, stored on its own (the turn was rolled back); if
        even that fails, it is sent from memory."""
        if route is None:
            return []
        queued, writes = self._outbox.stage(msg.channel, route.address, uuid4().hex,
                                            route.shape(replies), self._deps.clock.now())
        try:
            async with self._db.transaction():
                for write in writes:
                    self._db.later(write)
        except Exception:
            logger.exception("Permintaan maaf untuk %s:%s tidak tersimpan", msg.channel,
                             mask_text(msg.sender))
            return [replace(q, stored=False) for q in queued]
        return queued

    async def _process(self, msg: Inbound, route: ReplyRoute | None, *, group: bool,
                       prepared: Prepared | None = None,
                       ) -> tuple[list[Reply], list[QueuedReply]]:
        """One turn in a write transaction. Its bookkeeping writes wait for the commit.

        In a shared commit (`group`) a conversation missing from the cache is read before the
        write lock, from committed data: this sender's earlier turns are committed (the sender
        lock is held until then), and nobody else writes its rows except an erasure, which
        `_erasures` tracks. A redelivery is spotted by the ids this process committed or by that
        read, and the id is inserted with the commit; should it be there after all, the insert
        fails, the group runs again alone, and alone the id is claimed first, as the only
        source of truth.

        In a shared commit a handler about to await slow work that needs no database (the
        FAQ's model call) raises Unprepared instead, before it changed anything: the turn's
        own bookkeeping is queued only after dispatch, so the transaction is left with nothing
        of this turn in it, and other chats' turns take the single writer while the work runs
        (under this sender's lock: order kept); then the turn runs again, once, with the
        result (`prepared`). On PostgreSQL the turn awaits it in its own transaction, which
        holds nobody else up.
        """
        deps = self._deps
        key = (msg.channel, msg.sender)
        now = msg.received_at or deps.clock.now()
        default_language = deps.settings.default_language
        erasures = self._erasures
        early: Snapshot | None = None
        if msg.provider_id and (msg.channel, msg.provider_id) in self._recent_ids:
            self._log_redelivery(msg)
            return [], []
        if group and self._cache.get(key) is None:
            async with self._db.reading() as reader:
                early = await snapshot(reader, *key, default_language, msg.provider_id)
            if early.seen:
                self._log_redelivery(msg)
                return [], []
        erasing = False
        queued: list[QueuedReply] = []
        unprepared: Unprepared | None = None
        try:
            async with self._db.transaction(group=group) as conn:
                if self._shared:  # PostgreSQL: lock, claim and read in one statement
                    opening = await claim_and_snapshot(
                        conn, *key, default_language, provider_id=msg.provider_id, now=now,
                        lock=f"{msg.channel}:{msg.sender}")
                    if opening is None:
                        self._log_redelivery(msg)
                        return [], []
                    session, stored, has_identity = (opening.session, opening.stored,
                                                     opening.has_identity)
                    touched_at = None
                else:
                    if msg.provider_id and not group and not await self._inbound.mark_processed(
                            conn, msg.channel, msg.provider_id, now):
                        self._log_redelivery(msg)
                        return [], []
                    session, stored, has_identity, touched_at = await self._conversation(
                        conn, key, early if erasures == self._erasures else None)
                touch = has_identity and (touched_at is None or now - touched_at >= TOUCH_EVERY)
                if touch:
                    touched_at = now
                turn = Turn(msg=msg, session=session, conn=conn, deps=deps, now=now,
                            batch=self._db.batch, prepared=prepared or Prepared(),
                            defer_slow_work=group and prepared is None)
                self._expire_if_idle(turn, session)
                turn.choice = resolve_choice(msg.text, session.data.pop(CHOICES_KEY, []))
                try:
                    await self._router.dispatch(turn)
                except Unprepared as raised:
                    unprepared = raised  # the work runs once the transaction is left
                else:
                    # The turn's bookkeeping, queued only now (see above): nothing reads it
                    # before the commit (an erasure in the turn deletes what the touch updates).
                    if msg.provider_id and group:
                        self._db.later(self._inbound.record(msg.channel, msg.provider_id, now))
                    if touch:
                        self._db.later(deps.identities.touch_inbound(*key, now))
                    if turn.forgotten:
                        self._erasure_moves(turn.forgotten, starting=True)
                        erasing = True
                    self._remember_choices(session, turn.replies)
                    if turn.identity_linked is not None:
                        has_identity = turn.identity_linked
                        touched_at = now if has_identity else None
                    data_json = encode_data(session.data)
                    if stored or not session.is_empty(default_language):
                        self._db.later(self._sessions.save(session, now, default_language,
                                                           data_json, stored=stored))
                        stored = not session.is_empty(default_language)
                        session.updated_at = now if stored else session.updated_at
                    if route is not None and turn.replies:
                        queued, writes = self._outbox.stage(
                            msg.channel, route.address, uuid4().hex, route.shape(turn.replies),
                            now)
                        for write in writes:
                            self._db.later(write)
        finally:
            if erasing:
                self._erasure_moves(turn.forgotten, starting=False)
        if unprepared is not None:
            ready = Prepared()
            await unprepared.work(ready)
            return await self._process(msg, route, group=group, prepared=ready)
        if msg.provider_id:
            self._recent_ids.add(msg.channel, msg.provider_id)
        if erasures == self._erasures and not self._erasing and not self._shared:
            self._cache.put(key, CachedConversation.of(
                session, stored=stored, has_identity=has_identity, touched_at=touched_at,
                data_json=data_json))
        else:  # someone was erased meanwhile, perhaps this sender: read it afresh next time
            self._cache.discard(key)
        return turn.replies, queued

    async def _conversation(
        self, conn: Connection, key: tuple[str, str], early: Snapshot | None
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
