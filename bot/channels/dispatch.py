"""Sending the replies stored in the reply outbox: in order per chat, exactly once where the
provider can be asked, bounded retries, unreachable marking, no crash.

A reply's row is marked just before the provider is called (after the rate limiter let it
through, so a paced backlog is never in doubt) and removed once the provider accepted it or
refused it for good. A row still marked after a crash or a lost answer is in doubt: a channel
with a `ReplyLookup` (Twilio) asks the provider and sends only what never arrived; without one
(Telegram) the reply is reported in the log and never sent twice.

Several web processes (PostgreSQL): each stored reply has an owner, the process whose turn
stored it, and only that process marks, sends or removes it (storage/repositories/
reply_outbox.py). `unsent` takes over the replies of dead processes only (at start-up and
then periodically, bot/server/runtime.py), keeping the rule above for those in doubt: one its
dead owner marked less than `takeover_grace` ago is looked up only after that (the call may
still be on its way). A reply waits (at most `order_wait`) while an earlier reply to the same
chat is still in the outbox, whichever process holds it, so one person's replies leave in the
order of their turns and a later identical reply is never mistaken for one in doubt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from core.clock import Clock
from core.masking import mask_text
from core.messages import Channel
from core.sending import LookupUnavailable, Outbound, Sender, SendError, SendErrorKind
from outreach.limiter import LimitedSender
from storage.connection import Connection, write_soon
from storage.database import Database, GroupAborted
from storage.repositories import IdentityRepository
from storage.repositories.reply_outbox import MarkRefused, QueuedReply, ReplyOutboxRepository
from storage.write_batch import Statement

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
WrapSender = Callable[[Sender], Sender]
T = TypeVar("T")

# A reply its dead owner marked less than this long ago may still be on its way to the
# provider (the owner may only have lost its database connection, and Twilio's client gives
# up after 15 s): it is looked up only after this, so the lookup cannot miss it.
TAKEOVER_GRACE = 30.0
# How long a reply waits for an earlier one to the same chat still in the outbox (longer
# than a taken-over reply in doubt waits before its lookup, plus a look for orphans).
ORDER_WAIT = 45.0


def unwrapped(sender: Sender) -> Sender:
    """The default WrapSender: the channel's sender as it is."""
    return sender


class ReplyLookup(Protocol):
    """A channel that can tell whether a reply in doubt reached the provider."""

    async def find_reply(self, message: Outbound, since: datetime, after_sid: str | None,
                         claimed: set[str]) -> str | None:
        """The provider id of `message` sent to its address at or after `since` (and after
        the message `after_sid`, when the provider still lists it), not one of `claimed`;
        None when the provider certainly has no such message. Raises LookupUnavailable."""
        ...


_Mark = tuple[QueuedReply, datetime, str | None, bool]  # reply, now, after_sid, in_order


class SharedWrites:
    """The outbox writes that arrive while one runs share the next transaction (PostgreSQL,
    where each transaction costs a pooled connection, round trips and a durable commit:
    marking and removing a reply were two of them, 3-4 ms of CPU per reply on the 2-core VM).
    In it, the removals and releases go out in front of the marks, and the marks are one
    statement (`ReplyOutboxRepository.mark_many`): a batch costs two round trips (one with
    only removals), however many replies it holds, where each mark was one more. Each caller
    gets its own result once the transaction holding its write committed; if the shared one
    fails, each write runs again alone, so a failure is its own."""

    def __init__(self, db: Database, outbox: ReplyOutboxRepository, most: int = 200) -> None:
        self._db = db
        self._outbox = outbox
        self._most = most
        self._queue: list[tuple[_Mark | Statement, asyncio.Future[Any]]] = []
        self._running: asyncio.Task[None] | None = None

    async def mark(self, reply: QueuedReply, now: datetime, after_sid: str | None,
                   in_order: bool) -> str | None:
        """`mark_sending` in a shared transaction: None once marked, else `refusal`'s why."""
        result: str | None = await self._run((reply, now, after_sid, in_order))
        return result

    async def write(self, statement: Statement) -> None:
        """A write nobody reads back (a removal, a release), in a shared transaction."""
        await self._run(statement)

    async def _run(self, item: _Mark | Statement) -> Any:
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._running is None:
            self._running = asyncio.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:self._most], self._queue[self._most:]
                try:
                    async with self._db.transaction() as conn:
                        results = await self._apply(conn, [item for item, _ in batch])
                except Exception:
                    for item, done in batch:
                        await self._alone(item, done)
                    continue
                for (_, done), result in zip(batch, results, strict=True):
                    if not done.done():
                        done.set_result(result)
        finally:
            self._running = None

    async def _apply(self, conn: Connection, items: list[_Mark | Statement]) -> list[Any]:
        marks = [item for item in items if isinstance(item[0], QueuedReply)]
        for item in items:
            if isinstance(item[0], str):  # sent in front of the marks, in their round trip
                await write_soon(conn, *item)
        marked = (await self._outbox.mark_many(conn, marks)
                  if marks else set())
        results: list[Any] = []
        for item in items:
            reply = item[0]
            if not isinstance(reply, QueuedReply) or reply.key in marked:
                results.append(None)
            else:  # rare: erased, taken over, or an earlier reply still waits
                results.append(await self._outbox.refusal(conn, reply))
        return results

    async def _alone(self, item: _Mark | Statement, done: asyncio.Future[Any]) -> None:
        try:
            async with self._db.transaction() as conn:
                result = (await self._apply(conn, [item]))[0]
        except Exception as exc:
            if not done.done():
                done.set_exception(exc)
            return
        if not done.done():
            done.set_result(result)


class ReplyDispatcher:
    """Sends stored replies through any Sender (a rate limiter may wrap it: `sender`).

    RETRY waits (the provider's retry_after, else exponential backoff, capped) and tries again
    a bounded number of times; UNREACHABLE marks the identity; a lost answer is looked up.
    """

    def __init__(
        self, sender: Sender, db: Database, clock: Clock, *,
        identities: IdentityRepository | None = None, lookup: ReplyLookup | None = None,
        attempts: int = 4, base_delay: float = 1.0, max_delay: float = 30.0,
        sleep: Sleep = asyncio.sleep, takeover_grace: float = TAKEOVER_GRACE,
        order_wait: float = ORDER_WAIT,
    ) -> None:
        self.sender = sender
        self._db = db
        self._clock = clock
        self._identities = identities or IdentityRepository()
        self._lookup = lookup
        self._outbox = ReplyOutboxRepository()
        self._shared = SharedWrites(db, self._outbox)
        self._attempts = attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._takeover_grace = takeover_grace
        self._order_wait = order_wait
        # This process's id among several web processes (PostgreSQL), set by the server;
        # None: the only process, which resumes every stored reply.
        self.owner: int | None = None
        # The provider id of the last reply accepted per address: a lookup after a crash
        # skips it and everything older (providers list times to the second only).
        self._last_sid: OrderedDict[str, str] = OrderedDict()

    async def send_queued(self, queued: Sequence[QueuedReply]) -> bool:
        """Send one chat's stored replies in order; False when one of them did not go out
        (the rest of that turn is dropped with it: it would make no sense alone)."""
        for index, reply in enumerate(queued):
            if not await self._send(reply):
                for rest in queued[index + 1:]:
                    await self._remove(rest)
                return False
        return True

    async def unsent(self) -> list[list[QueuedReply]]:
        """This channel's replies left by an earlier run, one list per chat, in send order.
        With an `owner`: only those of dead processes (or of none), which become this
        process's own."""
        owner = self.owner
        if owner is None:
            async with self._db.reading() as conn:
                rows = await self._outbox.open_rows(conn, self.sender.channel)
        else:
            async with self._db.transaction() as conn:
                rows = await self._outbox.claim_orphans(conn, self.sender.channel, owner)
            if rows:
                logger.info("%d balasan %s dari proses yang mati diambil alih", len(rows),
                            self.sender.channel)
        chats: dict[str, list[QueuedReply]] = {}
        for row in rows:
            chats.setdefault(row.address, []).append(row)
        return list(chats.values())

    async def resume(self, queued: Sequence[QueuedReply]) -> bool:
        """Send what an earlier run left for one chat: replies in doubt are looked up first
        (or reported, when the provider cannot be asked), the others are sent in order.
        Taken over from a dead process, a reply it marked moments ago is looked up only
        `takeover_grace` after it was marked."""
        marked = [r.sending_at for r in queued if r.sending_at is not None]
        if self.owner is not None and marked and self._lookup is not None:
            wait = (max(marked) + timedelta(seconds=self._takeover_grace)
                    - self._clock.now()).total_seconds()
            if wait > 0:
                await self._sleep(wait)
        claimed: set[str] = set()
        unsent = []
        for reply in queued:
            if reply.sending_at is None or await self._never_arrived(reply, reply.sending_at,
                                                                     claimed):
                unsent.append(reply)
        return await self.send_queued(unsent)

    async def _send(self, reply: QueuedReply) -> bool:
        message = Outbound.from_reply(Channel(reply.channel), reply.address, reply.reply)
        marked_at: datetime | None = None
        for attempt in range(1, self._attempts + 1):
            sender = self.sender
            limited = sender if isinstance(sender, LimitedSender) else None
            if limited is not None:
                await limited.limiter.acquire(message.address, limited.priority)
                sender = limited.inner
            if marked_at is None and reply.stored:
                marked_at = self._clock.now()
                if not await self._mark(reply, marked_at):
                    return False
            try:
                receipt = await sender.send(message)
            except SendError as exc:
                if limited is not None and exc.kind is SendErrorKind.RETRY and exc.retry_after:
                    limited.limiter.hold_off(exc.retry_after)
                if exc.kind is SendErrorKind.RETRY and attempt < self._attempts:
                    delay = self._delay(attempt, exc.retry_after)
                    logger.warning("Kirim ke %s:%s gagal (%s); coba lagi dalam %.1f dtk",
                                   message.channel, mask_text(message.address), exc.reason,
                                   delay)
                    await self._sleep(delay)
                    continue
                if exc.kind is SendErrorKind.UNKNOWN and marked_at is not None:
                    if await self._never_arrived(reply, marked_at, set()):
                        continue  # the provider has nothing: this attempt did not count
                    return False
                await self._give_up(message, exc)
                await self._remove(reply)
                return False
            except Exception:
                logger.exception("Kirim ke %s:%s gagal tak terduga", message.channel,
                                 mask_text(message.address))
                if marked_at is not None and await self._never_arrived(reply, marked_at, set()):
                    continue
                return False
            if receipt.provider_id:
                self._remember(message.address, receipt.provider_id)
            if reply.stored:
                await self._remove(reply)
            return True
        return False

    async def _never_arrived(self, reply: QueuedReply, since: datetime,
                             claimed: set[str]) -> bool:
        """Settle a reply in doubt: True when the provider certainly has not got it (send it),
        False when it did (the row is removed) or cannot say (the row stays for the next
        start, or is reported and removed when the provider can never be asked)."""
        where = f"{reply.channel}:{mask_text(reply.address)}"
        if self._lookup is None:
            logger.warning("Balasan ke %s mungkin sudah terkirim sebelum gangguan; tidak "
                           "dikirim ulang", where)
            await self._remove(reply)
            return False
        message = Outbound.from_reply(Channel(reply.channel), reply.address, reply.reply)
        for attempt in range(1, self._attempts + 1):
            try:
                sid = await self._lookup.find_reply(message, since, reply.after_sid, claimed)
            except LookupUnavailable as exc:
                if attempt == self._attempts:
                    logger.warning("Balasan ke %s belum bisa dipastikan (%s); dicek lagi "
                                   "nanti", where, exc)
                    await self._release(reply)
                    return False
                await self._sleep(self._delay(attempt, None))
                continue
            if sid is None:
                return True
            claimed.add(sid)
            self._remember(reply.address, sid)
            await self._remove(reply)
            return False
        return False

    def _remember(self, address: str, sid: str) -> None:
        self._last_sid[address] = sid
        self._last_sid.move_to_end(address)
        if len(self._last_sid) > 10_000:
            self._last_sid.popitem(last=False)

    async def _mark(self, reply: QueuedReply, now: datetime) -> bool:
        after = self._last_sid.get(reply.address)
        waited, delay = 0.0, 0.02
        while True:
            in_order = waited < self._order_wait
            try:
                refused = await self._mark_once(reply, now, after, in_order)
            except Exception:
                logger.exception("Balasan ke %s:%s tidak bisa ditandai; dikirim saat mulai "
                                 "berikutnya", reply.channel, mask_text(reply.address))
                return False
            if refused != MarkRefused.WAIT:
                break
            await self._sleep(delay)  # an earlier reply to this chat is in another process
            waited += delay
            delay = min(delay * 2, 0.5)
        if refused == MarkRefused.GONE:
            logger.info("Balasan ke %s:%s sudah dihapus (data dihapus); tidak dikirim",
                        reply.channel, mask_text(reply.address))
        elif refused == MarkRefused.TAKEN:
            logger.warning("Balasan ke %s:%s sudah diambil alih proses lain; tidak dikirim "
                           "dari sini", reply.channel, mask_text(reply.address))
        return refused is None

    async def _remove(self, reply: QueuedReply) -> None:
        """The reply left the outbox (sent, or given up); on a database error it stays marked
        and is looked up (or reported) at the next start."""
        if not reply.stored:
            return
        try:
            await self._write_statement(self._outbox.remove(reply))
        except Exception:
            logger.exception("Balasan terkirim ke %s:%s tidak bisa dicatat", reply.channel,
                             mask_text(reply.address))

    async def _release(self, reply: QueuedReply) -> None:
        """Several processes: a reply that cannot be settled now loses its owner, so the next
        look for orphans (every few seconds, any process) tries again; the only process
        (owner None) keeps it for its next start, as before."""
        if reply.owner is None or not reply.stored:
            return
        try:
            await self._write_statement(self._outbox.release(reply))
        except Exception:
            logger.exception("Balasan ke %s:%s tidak bisa dilepas", reply.channel,
                             mask_text(reply.address))

    async def _mark_once(self, reply: QueuedReply, now: datetime, after: str | None,
                         in_order: bool) -> str | None:
        """Mark the reply (None) or say why not (`MarkRefused`), in a write transaction that
        may share its commit: with turns (SQLite's shared commit), or with the other marks
        and removals queued meanwhile (PostgreSQL, `SharedWrites`)."""
        if not self._db.groups:
            return await self._shared.mark(reply, now, after, in_order)

        async def mark(conn: Connection) -> str | None:
            if await self._outbox.mark_sending(conn, reply, now, after, in_order=in_order):
                return None
            return await self._outbox.refusal(conn, reply)

        return await self._in_group(mark)

    async def _write_statement(self, statement: Statement) -> None:
        if not self._db.groups:
            await self._shared.write(statement)
            return

        async def queue(_: Connection) -> None:
            self._db.later(statement)

        await self._in_group(queue)

    async def _in_group(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        try:
            async with self._db.transaction(group=True) as conn:
                return await work(conn)
        except GroupAborted:
            async with self._db.transaction() as conn:
                return await work(conn)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self._max_delay)
        return min(self._base_delay * float(2 ** (attempt - 1)), self._max_delay)

    async def _give_up(self, message: Outbound, exc: SendError) -> None:
        logger.warning("Pesan ke %s:%s tidak terkirim: %s", message.channel,
                       mask_text(message.address), exc)
        if exc.kind != SendErrorKind.UNREACHABLE:
            return
        try:
            async with self._db.transaction() as conn:
                await self._identities.mark_unreachable(
                    conn, message.channel, message.address, exc.reason[:200], self._clock.now())
        except Exception:
            logger.exception("Gagal menandai %s:%s tidak terjangkau", message.channel,
                             mask_text(message.address))
