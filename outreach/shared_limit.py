"""One provider sender's limits counted in Redis, across every process that sends for it.

Built on the `limits` package's moving window: a list of send times per key in Redis, newest
first, trimmed to the limit; a send is counted only if the limit-th newest entry is a window
old. One exception: the entry is added by `ACQUIRE` below, the library's own
`acquire_moving_window.lua` with the send time read from the Redis server (`TIME`) instead of
passed in by the client. `limits` (5.8) stamps the entry with the client's `time.time()` taken
before the request waits for the event loop and the network; an entry stamped late-but-old
(tens of ms under load, measured) ages out of the window that much early, so two processes
together got 11 sends through in 0.996 s of Redis time where the window allows 9 a second.
`limits` offers no option for a server-side time; reading the window (`get_moving_window`, to
know how long to wait) still goes through the library.
Per sender (a Telegram bot, a WhatsApp number) one key counts every send in the last second;
Telegram adds one key per chat (one message a second to the same chat).

Reply priority: the window's full size (the sender's rate) is open to interactive replies and
staff alerts, broadcasts may only fill it up to the rate minus a reserve (`reply_share` of it,
at least one message). Both count in the same window, so a broadcast also yields to replies
already sent this second: a reply never waits behind broadcasts of another process, and
broadcasts get all that replies leave but the reserve. (Letting broadcasts use "what replies
left" without a reserve would be first come, first served in each window; a queue shared
across processes would need our own Redis scripts.)

Inside one process the in-process RateLimiter still orders its waiters (replies first) and
spaces sends out; it asks this window before letting each send go.

When Redis does not answer, replies go out paced by their own process only (a 429 is handled
like any other), and broadcasts wait and ask again: a broadcast never goes faster than its
limit because Redis was down.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from typing import Any

logger = logging.getLogger(__name__)

# The shortest wait after a refusal: slots free by the millisecond, so asking sooner is waste.
MIN_WAIT = 0.002
HOLD_CHECK_SECONDS = 0.1  # how stale another process's "hold off" may be seen here
REDIS_DOWN_RETRY = 1.0
# After Redis failed to answer, it is not asked again for this long: a reply does not wait
# out a connection timeout on every send while Redis is away.
REDIS_DOWN_SECONDS = 5.0
INTERACTIVE_MAX = 1  # Priority values up to here (replies, alerts) may use the reserve


# `limits`' acquire_moving_window.lua (amount 1), stamped with the server's clock: entries are
# in the order Redis ran them, so the limit-th newest is the one a window must have passed.
ACQUIRE = """
local now = redis.call('TIME')
local stamp = tonumber(now[1]) + tonumber(now[2]) / 1000000
local limit = tonumber(ARGV[1])
local expiry = tonumber(ARGV[2])
local entry = redis.call('lindex', KEYS[1], limit - 1)
if entry and tonumber(entry) >= stamp - expiry then
    return 0
end
redis.call('lpush', KEYS[1], string.format('%.6f', stamp))
redis.call('ltrim', KEYS[1], 0, limit - 1)
redis.call('expire', KEYS[1], expiry)
return 1
"""


def digest(text: str) -> str:
    """Keys name senders and chats by a hash: no token or number is written to Redis."""
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def window_of(rate: float) -> tuple[int, int]:
    """(sends, seconds) of the moving window for a rate: whole seconds (Redis expiry), never
    more in any one second than the rate allows."""
    if rate >= 1:
        return math.floor(rate), 1
    return 1, math.ceil(1 / rate)


class SharedStore:
    """The Redis connection pool and the `limits` storage for every sender of one process."""

    def __init__(self, url: str, prefix: str) -> None:
        from limits.aio.storage import RedisStorage  # noqa: PLC0415 - only with Redis
        from redis.asyncio import ConnectionPool, Redis  # noqa: PLC0415

        self.prefix = prefix
        self._pool = ConnectionPool.from_url(url, socket_timeout=2.0,
                                             socket_connect_timeout=2.0)
        self.redis: Any = Redis(connection_pool=self._pool)
        options: dict[str, Any] = {"connection_pool": self._pool}  # one pool for both
        self.storage: Any = RedisStorage(f"async+{url}", implementation="redispy",
                                         key_prefix=prefix, wrap_exceptions=True, **options)
        self.errors: tuple[type[BaseException], ...] = _errors()
        self._acquire: Any = self.redis.register_script(ACQUIRE)
        self.down_until = float("-inf")  # time.monotonic() until which Redis is not asked

    async def acquire_entry(self, key: str, limit: int, expiry: int) -> bool:
        """Count one send in `key`'s moving window (as `limits`' acquire_entry, stamped by
        Redis); False when the window is full."""
        return bool(await self._acquire(keys=[f"{self.prefix}:{key}"], args=[limit, expiry]))

    async def aclose(self) -> None:
        await self._pool.aclose()


def _errors() -> tuple[type[BaseException], ...]:
    from limits.errors import StorageError  # noqa: PLC0415
    from redis.exceptions import RedisError  # noqa: PLC0415

    return (StorageError, RedisError, OSError, TimeoutError)


class SharedWindow:
    """One sender's shared limit: `try_acquire` counts a send or says how long to wait."""

    def __init__(self, store: SharedStore, sender: str, rate: float, *,
                 per_key_seconds: float = 0.0, reply_share: float = 0.1) -> None:
        self.store = store
        self.name = sender
        self.limit, self.expiry = window_of(rate)
        reserve = max(1, math.ceil(self.limit * reply_share)) if reply_share > 0 else 0
        self.bulk_limit = max(1, self.limit - reserve)
        self._per_key = math.ceil(per_key_seconds) if per_key_seconds > 0 else 0
        self._all = f"{sender}/all"
        self._hold_key = f"{store.prefix}:{sender}/hold"
        self._hold_until = 0.0
        self._hold_checked = float("-inf")
        self._warned = float("-inf")

    async def try_acquire(self, key: str | None, priority: int) -> tuple[float, bool]:
        """(0, _) when this send may go now (it is counted); else (seconds to wait, whether
        only this chat is busy)."""
        limit = self.limit if priority <= INTERACTIVE_MAX else self.bulk_limit
        if time.monotonic() < self.store.down_until:
            return (0.0 if priority <= INTERACTIVE_MAX else REDIS_DOWN_RETRY), False
        try:
            held = await self._held()
            if held > 0:
                return held, False
            if not await self.store.acquire_entry(self._all, limit, self.expiry):
                return await self._wait(self._all, limit, self.expiry), False
            if key is not None and self._per_key:
                chat = f"{self.name}/chat/{digest(key)}"
                # Refused here, the slot counted above goes unused: fewer sends, never more.
                if not await self.store.acquire_entry(chat, 1, self._per_key):
                    return await self._wait(chat, 1, self._per_key), True
        except self.store.errors as exc:
            return self._unavailable(exc, priority), False
        return 0.0, False

    async def _wait(self, key: str, limit: int, expiry: int) -> float:
        """Until the oldest send that keeps this window full is a window old."""
        oldest, count = await self.store.storage.get_moving_window(key, limit, expiry)
        if count < limit:
            return MIN_WAIT  # freed meanwhile: ask again at once
        return max(MIN_WAIT, float(oldest) + expiry - time.time())

    async def _held(self) -> float:
        """Seconds left of a "too many requests" hold set by any process."""
        now = time.time()
        if now - self._hold_checked >= HOLD_CHECK_SECONDS:
            value = await self.store.redis.get(self._hold_key)
            self._hold_until = float(value) if value else 0.0
            self._hold_checked = now
        return max(0.0, self._hold_until - now)

    async def hold_off(self, seconds: float) -> None:
        """The provider said "too many requests": every process waits `seconds`."""
        until = time.time() + seconds
        try:
            await self.store.redis.set(self._hold_key, repr(until),
                                        px=max(1, int(seconds * 1000)))
        except self.store.errors as exc:
            self._unavailable(exc, 0)
        self._hold_until = max(self._hold_until, until)

    def _unavailable(self, exc: BaseException, priority: int) -> float:
        now = time.monotonic()
        self.store.down_until = now + REDIS_DOWN_SECONDS
        if now - self._warned > 60:
            self._warned = now
            logger.warning("Redis tidak menjawab (%s): balasan dikirim dengan batas proses "
                           "ini saja, siaran menunggu", type(exc).__name__)
        return 0.0 if priority <= INTERACTIVE_MAX else REDIS_DOWN_RETRY


def shared_windows(store: SharedStore, settings: Any) -> dict[str, SharedWindow]:
    """The windows of this deployment's senders, named by channel and sender (hashed)."""
    token = settings.telegram_bot_token
    telegram = digest(token.get_secret_value()) if token is not None else "default"
    number = settings.twilio_whatsapp_number
    whatsapp = digest(number) if number else "default"
    share = settings.broadcast_reply_share
    return {
        "telegram": SharedWindow(store, f"telegram/{telegram}", settings.broadcast_telegram_rate,
                                 per_key_seconds=settings.broadcast_telegram_per_chat_seconds,
                                 reply_share=share),
        "whatsapp": SharedWindow(store, f"whatsapp/{whatsapp}", settings.broadcast_whatsapp_rate,
                                 reply_share=share),
    }


async def ping(store: SharedStore) -> bool:
    try:
        async with asyncio.timeout(3):
            return bool(await store.redis.ping())
    except store.errors:
        return False
