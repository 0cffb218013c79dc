"""The real channel senders for broadcasts: issue 4's Telegram and WhatsApp senders, a Twilio
lookup for deliveries in doubt, and the shared limiters wrapped around interactive replies."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException

from bot.app import App
from core.messages import Channel
from core.sending import LookupUnavailable, Outbound, Sender, SendReceipt
from inspectorate.retention import run_daily_purge
from outreach.dispatcher import DispatchConfig
from outreach.limiter import LimitedSender, Priority, RateLimiter
from outreach.worker import OutreachWorker

logger = logging.getLogger(__name__)


class WhatsAppBroadcastSender:
    """Sends through the WhatsApp sender; looks a message up at Twilio when its fate is unknown.

    Twilio keeps no idempotency key for us, so a message counts as ours when it went to the
    same number from our number after the delivery was marked, with the same body (free text)
    or any body (a template: Twilio stores the rendered text, not the ContentSid).
    """

    channel = Channel.WHATSAPP

    def __init__(self, sender: Sender, client: Any, from_number: str) -> None:
        self._sender = sender
        self._client = client
        self._from = f"whatsapp:{from_number}"

    async def send(self, message: Outbound) -> SendReceipt:
        return await self._sender.send(message)

    async def find_sent(self, message: Outbound, since: datetime) -> SendReceipt | None:
        try:
            found = await self._client.messages.list_async(
                to=f"whatsapp:{message.address}", from_=self._from, limit=20)
        except (TwilioException, aiohttp.ClientError, TimeoutError) as exc:
            raise LookupUnavailable(str(exc)) from exc
        earliest = since.replace(microsecond=0) - timedelta(seconds=1)
        for sent in found:
            created = getattr(sent, "date_created", None)
            if created is None or created < earliest:
                continue
            if message.template_sid or (sent.body or "").strip() == message.text.strip():
                return SendReceipt(sent.sid, sent.status or "sent")
        return None


def build_worker(
    app: App, senders: Mapping[str, Sender],
    limiters: Mapping[str, RateLimiter | None] | None = None, *,
    config: DispatchConfig | None = None,
) -> OutreachWorker:
    """The broadcast worker with its explicit dependencies taken from the App."""
    deps = app.deps

    async def daily() -> None:
        await run_daily_purge(app.db, app.settings, deps.clock)
        # Unanswered FAQ questions are pruned on every write too; this covers quiet months.
        async with app.db.transaction() as conn:
            await deps.faq_stats.prune_unanswered(conn, deps.clock.now())

    return OutreachWorker(app.db, app.settings, deps.catalog, deps.clock, senders,
                          limiters=limiters, daily=daily, config=config)


@asynccontextmanager
async def twilio_client(app: App) -> AsyncIterator[Any]:
    """A Twilio client on its own HTTP session (closed on exit)."""
    from twilio.rest import Client  # noqa: PLC0415 - heavy, only where WhatsApp is used

    from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient  # noqa: PLC0415

    settings = app.settings
    if settings.twilio_account_sid is None or settings.twilio_auth_token is None:
        raise ValueError("Twilio is not configured")
    http = RebasedTwilioHttpClient(settings.twilio_api_base_url)
    try:
        yield Client(settings.twilio_account_sid,
                     settings.twilio_auth_token.get_secret_value(), http_client=http)
    finally:
        await http.close()


@asynccontextmanager
async def standalone_senders(app: App) -> AsyncIterator[dict[str, Sender]]:
    """Senders for `spi-bot broadcast worker`, from the same settings `spi-bot run` uses."""
    settings = app.settings
    senders: dict[str, Sender] = {}
    async with AsyncExitStack() as stack:
        if settings.telegram_bot_token is not None:
            from telegram import Bot  # noqa: PLC0415

            from bot.channels.telegram.sender import TelegramSender  # noqa: PLC0415

            bot = Bot(settings.telegram_bot_token.get_secret_value(),
                      base_url=settings.telegram_api_base_url)
            await bot.initialize()
            stack.push_async_callback(bot.shutdown)
            label = app.deps.catalog.text(settings.default_language, "channels.share_contact")
            senders["telegram"] = TelegramSender(bot, label)
        if settings.twilio_account_sid and settings.twilio_auth_token \
                and settings.twilio_whatsapp_number:
            from bot.channels.whatsapp.sender import WhatsAppSender  # noqa: PLC0415
            from bot.channels.whatsapp.webhook import STATUS_PATH  # noqa: PLC0415

            client = await stack.enter_async_context(twilio_client(app))
            callback = f"{settings.public_url}{STATUS_PATH}" if settings.public_url else None
            sender = WhatsAppSender(client, settings.twilio_whatsapp_number,
                                    status_callback_url=callback)
            senders["whatsapp"] = WhatsAppBroadcastSender(
                sender, client, settings.twilio_whatsapp_number)
        yield senders


def limit_replies(dispatcher: Any, limiter: RateLimiter) -> None:
    """Interactive replies wait in the channel's shared limiter, ahead of broadcasts."""
    if dispatcher is not None and not isinstance(dispatcher.sender, LimitedSender):
        dispatcher.sender = LimitedSender(dispatcher.sender, limiter, Priority.INTERACTIVE)


class ServerOutreach:
    """What `spi-bot run` adds for broadcasts: the shared limiters on interactive replies and
    the broadcast worker on the same channels. Another process holding the worker lock (for
    example `spi-bot broadcast worker`) leaves this one answering chats only."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._stack = AsyncExitStack()
        self.worker: Any = None
        self.state = "off"
        self._limiters: dict[str, RateLimiter] = {}

    async def start(self, telegram: Any, whatsapp: Any) -> None:
        from outreach.worker import WorkerBusy, build_limiters  # noqa: PLC0415

        app = self._app
        limiters = build_limiters(app.settings)
        self._limiters = limiters
        senders: dict[str, Sender] = {}
        if telegram is not None:
            limit_replies(telegram.dispatcher, limiters["telegram"])
            senders["telegram"] = telegram.sender
        if whatsapp is not None and whatsapp.dispatcher is not None:
            sender = whatsapp.dispatcher.sender
            inner = sender.inner if isinstance(sender, LimitedSender) else sender
            limit_replies(whatsapp.dispatcher, limiters["whatsapp"])
            client = await self._stack.enter_async_context(twilio_client(app))
            senders["whatsapp"] = WhatsAppBroadcastSender(
                inner, client, app.settings.twilio_whatsapp_number or "")
        worker = build_worker(app, senders, dict(limiters))
        try:
            await worker.start()
        except WorkerBusy as exc:
            logger.warning("%s", exc)
            self.state = "elsewhere"
            return
        self.worker = worker
        self.state = "on"

    def attach_telegram(self, telegram: Any) -> None:
        """Telegram connected after start-up (it was down): broadcasts and replies use it."""
        limiter = self._limiters.get("telegram")
        if limiter is None:
            return
        limit_replies(telegram.dispatcher, limiter)
        if self.worker is not None:
            self.worker.dispatcher.add_sender("telegram", telegram.sender)

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        await self._stack.aclose()
