"""What `spi-bot run` (and `spi-bot web`) starts and stops: the channels, background replies,
media links and, on PostgreSQL, this process's identity among several web processes with the
periodic takeover of replies left by dead ones (bot/server/liveness.py)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram.error import InvalidToken

from bot.app import App
from bot.channels.dispatch import WrapSender, unwrapped
from bot.channels.senders import contact_label
from bot.channels.telegram.webhook import TelegramChannel
from bot.channels.whatsapp.webhook import WhatsAppChannel
from bot.server.housekeeping import Housekeeping
from bot.server.liveness import ProcessLiveness
from bot.server.media import MediaStore
from bot.server.outreach import ServerOutreach
from bot.server.tasks import BackgroundTasks
from core.messages import Channel
from core.sending import Sender
from outreach.limiter import LimitedSender, Priority
from outreach.worker import build_limiters

logger = logging.getLogger(__name__)

_WHATSAPP_SETTINGS = {
    "SPI_TWILIO_ACCOUNT_SID": "twilio_account_sid",
    "SPI_TWILIO_AUTH_TOKEN": "twilio_auth_token",
    "SPI_TWILIO_WHATSAPP_NUMBER": "twilio_whatsapp_number",
    "SPI_PUBLIC_URL": "public_url",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServerRuntime:
    """Channel lifecycle around the web app; `state` feeds /healthz and the start-up line."""

    RECOVER_EVERY = 5.0  # seconds between looks for replies left by dead processes

    def __init__(self, app: App, *, host: str, port: int, drain_seconds: float = 30.0,
                 wrap_sender: WrapSender = unwrapped, telegram_retry_seconds: float = 30.0,
                 broadcasts: bool = True, recover_every: float = RECOVER_EVERY,
                 ) -> None:
        """`wrap_sender` puts something in front of each channel's sender (tests count sends
        with it); replies and broadcasts then go through the same wrapped sender.
        `broadcasts=False` (`spi-bot web`) leaves the broadcast worker to other processes."""
        self.app = app
        settings = app.settings
        self.tasks = BackgroundTasks()
        self.web_chat = bool(settings.web_chat)  # a try-out: off unless SPI_WEB_CHAT=true
        base = settings.public_url or f"http://{host}:{port}"
        self.media = MediaStore(app.deps.clock, base,
                                timedelta(minutes=settings.media_link_minutes), app.db)
        self.telegram: TelegramChannel | None = None
        self.whatsapp: WhatsAppChannel | None = None
        self.outreach = ServerOutreach(app)
        self._broadcasts = broadcasts
        self.housekeeping = Housekeeping(app)
        self.liveness = ProcessLiveness(app.db, app.deps.clock)
        self._recover_every = recover_every
        self._recovery: asyncio.Task[None] | None = None
        self.recovery_passes = 0
        self.state: dict[str, str] = {}
        # One limiter per channel, shared by replies (interactive) and broadcasts (bulk).
        self.limiters = build_limiters(settings)
        # The started channels' senders, built once by the channels through `_seam`; the
        # broadcasts send through them (the dispatcher waits in `limiters` itself).
        self.senders: dict[Channel, Sender] = {}
        self._built: dict[Channel, Sender] = {}
        self._drain_seconds = drain_seconds
        self._wrap_sender = wrap_sender
        self._telegram_retry_seconds = telegram_retry_seconds
        self._telegram_retry: asyncio.Task[None] | None = None
        shown_host = "localhost" if is_loopback(host) else host
        self.chat_url = f"http://{shown_host}:{port}/chat"

    @asynccontextmanager
    async def lifespan(self, _: Any) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    def _seam(self, sender: Sender) -> Sender:
        """THE place a channel's sender is wrapped: the caller's wrap, then the channel's
        shared limiter at interactive priority (a citizen is waiting for a reply)."""
        wrapped = self._wrap_sender(sender)
        self._built[wrapped.channel] = wrapped
        limiter = self.limiters.get(str(wrapped.channel))
        if limiter is None:
            return wrapped
        return LimitedSender(wrapped, limiter, Priority.INTERACTIVE)

    async def start(self) -> None:
        # The identity first: every reply a turn stores from now on names this process.
        self.app.engine.own_replies(await self.liveness.start())
        await self.housekeeping.start()
        notes = [await self._start_telegram(), await self._start_whatsapp()]
        if self._broadcasts:
            await self.outreach.start({str(c): s for c, s in self.senders.items()},
                                      self.limiters)
        else:
            self.outreach.state = "off (spi-bot web)"
        # After the limiters are in place, before the first webhook: left-over replies first
        # (with several processes: those of dead processes only).
        await self._resume_replies()
        if self.liveness.id is not None:
            self._recovery = asyncio.create_task(self._recover_forever())
            if self.telegram is not None and self.telegram.mode == "polling":
                logger.warning("Telegram memakai polling: jalankan hanya satu proses web, "
                               "atau isi SPI_PUBLIC_URL (webhook) untuk beberapa proses")
        self.state["broadcasts"] = self.outreach.state
        self.state["web"] = self.chat_url if self.web_chat else "off"
        why = "; ".join(note for note in notes if note)
        logger.info("Kanal aktif — telegram: %s, whatsapp: %s, obrolan web: %s%s",
                    self.state["telegram"], self.state["whatsapp"], self.state["web"],
                    f" ({why})" if why else "")

    def _channels(self) -> list[TelegramChannel | WhatsAppChannel]:
        return [channel for channel in (self.telegram, self.whatsapp) if channel is not None]

    async def _resume_replies(
        self, channels: list[TelegramChannel | WhatsAppChannel] | None = None
    ) -> None:
        """The only process (SQLite): every reply left by an earlier run, chained before the
        chat's new replies. Several processes (PostgreSQL): the replies of dead processes,
        each chat in a task of its own, so that they leave before the chat's newer replies,
        which wait for them (bot/channels/dispatch.py)."""
        for channel in self._channels() if channels is None else channels:
            dispatcher = channel.dispatcher
            if dispatcher is None:
                continue
            dispatcher.owner = self.liveness.id
            if dispatcher.owner is None:
                await channel.resume_replies()
                continue
            for chat in await dispatcher.unsent():
                self.tasks.spawn(dispatcher.resume(chat), bounded=False)

    async def _recover_forever(self) -> None:
        """PostgreSQL: keep this process's liveness lock and take over, every few seconds,
        the replies of processes that died (their lock is free)."""
        while True:
            await asyncio.sleep(self._recover_every)
            try:
                await self.liveness.check()
                await self._resume_replies()
                self.recovery_passes += 1
                if self.recovery_passes % 120 == 1:
                    await self.liveness.forget_dead()
            except Exception:
                logger.exception("Pemeriksaan balasan proses lain gagal; dicoba lagi nanti")

    async def _start_telegram(self) -> str:
        settings = self.app.settings
        if settings.telegram_bot_token is None:
            self.state["telegram"] = "off"
            return "SPI_TELEGRAM_BOT_TOKEN kosong"
        problem = await self._try_telegram()
        if problem is None:
            return ""
        exc, detail = problem
        self.state["telegram"] = "error"
        if not isinstance(exc, InvalidToken):
            # Telegram (or the network) may be down at start: keep trying in the background.
            self._telegram_retry = asyncio.create_task(self._retry_telegram())
        return f"Telegram gagal dihubungi: {detail}"

    async def _try_telegram(self) -> tuple[Exception, str] | None:
        settings = self.app.settings
        token = settings.telegram_bot_token
        if token is None:
            return None
        label = contact_label(settings, self.app.deps.catalog)
        channel = TelegramChannel(self.app, self.tasks, label, self._seam)
        try:
            await channel.start()
        except Exception as exc:
            await channel.stop_receiving()
            await channel.close()
            # PTB puts the token into some messages (InvalidToken); never log it.
            detail = str(exc).replace(token.get_secret_value(), "***")
            return exc, f"{type(exc).__name__}: {detail}"
        self.telegram = channel
        self.senders[Channel.TELEGRAM] = self._built[Channel.TELEGRAM]
        self.state["telegram"] = channel.mode
        return None

    async def _retry_telegram(self) -> None:
        delay = self._telegram_retry_seconds
        while True:
            await asyncio.sleep(delay)
            if await self._try_telegram() is None:
                logger.info("Telegram tersambung (%s)", self.state["telegram"])
                self.outreach.add_sender(Channel.TELEGRAM, self.senders[Channel.TELEGRAM])
                if self.telegram is not None:  # (SQLite: WhatsApp's rows are in flight)
                    await self._resume_replies([self.telegram])
                return
            delay = min(delay * 2, 300.0)

    async def _start_whatsapp(self) -> str:
        settings = self.app.settings
        missing = [env for env, field in _WHATSAPP_SETTINGS.items()
                   if getattr(settings, field) is None]
        if missing:
            self.state["whatsapp"] = "off"
            return f"WhatsApp butuh {', '.join(missing)}"
        channel = WhatsAppChannel(self.app, self.tasks, publish_image=self.media.publish,
                                  wrap_sender=self._seam)
        await channel.start()
        self.whatsapp = channel
        self.senders[Channel.WHATSAPP] = self._built[Channel.WHATSAPP]
        self.state["whatsapp"] = "webhook"
        return ""

    async def stop(self) -> None:
        """No new updates, finish messages in progress (replies included), close clients;
        then give up this process's identity (what it could not send is taken over)."""
        if self._recovery is not None:
            self._recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._recovery
            self._recovery = None
        await self.outreach.stop()
        await self.housekeeping.stop()
        if self._telegram_retry is not None:
            self._telegram_retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._telegram_retry
        if self.telegram is not None:
            await self.telegram.stop_receiving()
        await self.tasks.drain(self._drain_seconds)
        if self.telegram is not None:
            await self.telegram.close()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        await self.liveness.stop()
        self.app.engine.own_replies(None)
        logger.info("Kanal ditutup")
