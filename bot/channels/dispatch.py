"""Delivering the engine's replies to one chat: bounded retries, unreachable marking, no crash."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from core.clock import Clock
from core.masking import mask_text
from core.messages import Reply
from core.sending import Outbound, Sender, SendError, SendErrorKind
from storage.database import Database
from storage.repositories import IdentityRepository

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
WrapSender = Callable[[Sender], Sender]


def unwrapped(sender: Sender) -> Sender:
    """The default WrapSender: the channel's sender as it is."""
    return sender


class ReplyDispatcher:
    """Sends replies in order through any Sender (a rate limiter may wrap it).

    RETRY waits (the provider's retry_after, else exponential backoff, capped) and tries again
    a bounded number of times; UNREACHABLE marks the identity; everything else is logged.
    """

    def __init__(
        self, sender: Sender, db: Database, clock: Clock, *, identities: IdentityRepository | None
        = None, attempts: int = 4, base_delay: float = 1.0, max_delay: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.sender = sender
        self._db = db
        self._clock = clock
        self._identities = identities or IdentityRepository()
        self._attempts = attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep

    async def deliver(self, address: str, replies: Sequence[Reply]) -> bool:
        """Send every reply to `address`; False when one could not be delivered."""
        for reply in replies:
            outbound = Outbound.from_reply(self.sender.channel, address, reply)
            if not await self.send(outbound):
                return False
        return True

    async def send(self, message: Outbound) -> bool:
        for attempt in range(1, self._attempts + 1):
            try:
                await self.sender.send(message)
                return True
            except SendError as exc:
                if exc.kind == SendErrorKind.RETRY and attempt < self._attempts:
                    delay = self._delay(attempt, exc.retry_after)
                    logger.warning("Kirim ke %s:%s gagal (%s); coba lagi dalam %.1f dtk",
                                   message.channel, mask_text(message.address), exc.reason,
                                   delay)
                    await self._sleep(delay)
                    continue
                await self._give_up(message, exc)
                return False
            except Exception:
                logger.exception("Kirim ke %s:%s gagal tak terduga", message.channel,
                                 mask_text(message.address))
                return False
        return False

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
