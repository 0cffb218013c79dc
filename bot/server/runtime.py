"""What `spi-bot run` starts and stops: the channels, background replies and media links."""

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
from bot.channels.telegram.webhook import TelegramChannel
from bot.channels.whatsapp.webhook import WhatsAppChannel
from bot.server.media import MediaStore
from bot.server.outreach import ServerOutreach
from bot.server.tasks import BackgroundTasks
from core.messages import Channel
from core.sending import Sender

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

    def __init__(self, app: App, *, host: str, port: int, drain_seconds: float = 30.0,
                 wrap_sender: WrapSender = unwrapped, telegram_retry_seconds: float = 30.0,
                 ) -> None:
        """`wrap_sender` puts something (e.g. a shared rate limiter) in front of each channel's
        sender; replies and `senders` (outreach) then go through the same wrapped sender."""
        self.app = app
        settings = app.settings
        self.tasks = BackgroundTasks()
        self.web_chat = settings.web_chat if settings.web_chat is not None else is_loopback(host)
        base = settings.public_url or f"http://{host}:{port}"
        self.media = MediaStore(app.deps.clock, base,
                                timedelta(minutes=settings.media_link_minutes))
        self.telegram: TelegramChannel | None = None
        self.whatsapp: WhatsAppChannel | None = None
        self.outreach = ServerOutreach(app)  # broadcasts (issue 5)
        self.state: dict[str, str] = {}
        # The started channels' senders, for in-process outreach (broadcasts).
        self.senders: dict[Channel, Sender] = {}
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

    async def start(self) -> None:
        notes = [await self._start_telegram(), await self._start_whatsapp()]
        await self.outreach.start(self.telegram, self.whatsapp)
        # After the limiters are in place, before the first webhook: left-over replies first.
        for channel in (self.telegram, self.whatsapp):
            if channel is not None:
                await channel.resume_replies()
        self.state["broadcasts"] = self.outreach.state
        self.state["web"] = self.chat_url if self.web_chat else "off"
        why = "; ".join(note for note in notes if note)
        logger.info("Kanal aktif — telegram: %s, whatsapp: %s, obrolan web: %s%s",
                    self.state["telegram"], self.state["whatsapp"], self.state["web"],
                    f" ({why})" if why else "")

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
        label = self.app.deps.catalog.text(settings.default_language, "channels.share_contact")
        channel = TelegramChannel(self.app, self.tasks, label, self._wrap_sender)
        try:
            await channel.start()
        except Exception as exc:
            await channel.stop_receiving()
            await channel.close()
            # PTB puts the token into some messages (InvalidToken); never log it.
            detail = str(exc).replace(token.get_secret_value(), "***")
            return exc, f"{type(exc).__name__}: {detail}"
        self.telegram = channel
        self.senders[Channel.TELEGRAM] = channel.sender
        self.state["telegram"] = channel.mode
        return None

    async def _retry_telegram(self) -> None:
        delay = self._telegram_retry_seconds
        while True:
            await asyncio.sleep(delay)
            if await self._try_telegram() is None:
                logger.info("Telegram tersambung (%s)", self.state["telegram"])
                if self.telegram is not None:
                    self.outreach.attach_telegram(self.telegram)
                    await self.telegram.resume_replies()
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
                                  wrap_sender=self._wrap_sender)
        await channel.start()
        self.whatsapp = channel
        if channel.sender is not None:
            self.senders[Channel.WHATSAPP] = channel.sender
        self.state["whatsapp"] = "webhook"
        return ""

    async def stop(self) -> None:
        """No new updates, finish messages in progress (replies included), close clients."""
        await self.outreach.stop()
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
        logger.info("Kanal ditutup")
