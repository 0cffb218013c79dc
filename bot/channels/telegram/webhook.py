"""Telegram inbound: PTB Application (polling, or updates from our webhook route) → engine."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

import aiohttp
from telegram import Message, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.app import App
from bot.channels.dispatch import ReplyDispatcher, WrapSender, unwrapped
from bot.channels.images import fetch_limited, read_inbound_image
from bot.channels.senders import telegram_sender
from bot.engine.engine import ReplyRoute
from bot.server.tasks import SETTLE_WITHIN, BackgroundTasks, Settlement
from core.messages import Channel, Inbound, InboundImage, SharedContact
from handlers.ocr import FETCH_FAILED, MAX_BYTES, TOO_BIG, ImageRefused
from storage.repositories.reply_outbox import QueuedReply

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
ALLOWED_UPDATES = ("message", "callback_query")


def _start_payload(text: str) -> tuple[bool, str | None]:
    """(is a /start command, its payload): `/start X`, `/start@Bot X`, bare `/start`."""
    words = text.split(maxsplit=1)
    if not words or words[0].split("@", 1)[0].lower() != "/start":
        return False, None
    payload = words[1].strip() if len(words) > 1 else ""
    return True, payload or None


def _image_of(message: Message) -> InboundImage | None:
    """A photo (Telegram re-encodes those as JPEG, in several sizes: the largest under the cap
    is read) or a picture sent as a file; the caption stays the message's text."""
    if message.photo:
        fitting = [p for p in message.photo if (p.file_size or 0) <= MAX_BYTES]
        best = max(fitting or message.photo, key=lambda p: p.width * p.height)
        return InboundImage(ref=best.file_id, content_type="image/jpeg", size=best.file_size)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return InboundImage(ref=document.file_id, content_type=document.mime_type or "",
                            size=document.file_size)
    return None


def file_base_url(api_base_url: str) -> str:
    """Where the Bot API serves files: ".../bot" -> ".../file/bot" (the token follows)."""
    root = api_base_url.removesuffix("/bot")
    return f"{root}/file/bot"


def inbound_from_update(update: Update) -> tuple[Inbound, int] | None:
    """The engine's view of a private-chat update and the chat to answer; None to ignore it."""
    query = update.callback_query
    if query is not None:
        # Typed as always there, but a forged update (with the secret) may leave it out.
        user: User | None = query.from_user
        if user is None:
            return None
        chat_id = query.message.chat.id if query.message is not None else user.id
        return Inbound(channel=Channel.TELEGRAM, sender=str(user.id), text=query.data or "",
                       display_name=user.first_name, provider_id=str(update.update_id)), chat_id
    message = update.message
    if message is None or message.chat.type != "private" or message.from_user is None:
        return None
    user = message.from_user
    text = message.text or message.caption or ""
    contact = None
    if message.contact is not None:
        phone = message.contact.phone_number.strip()
        # Telegram sends the number without "+"; it always includes the country code.
        phone = phone if phone.startswith("+") else f"+{phone}"
        contact = SharedContact(phone=phone, is_own=message.contact.user_id == user.id)
    is_start, payload = _start_payload(text)
    return Inbound(channel=Channel.TELEGRAM, sender=str(user.id), text=text, contact=contact,
                   start_payload=payload if is_start else None, display_name=user.first_name,
                   provider_id=str(update.update_id), image=_image_of(message)), message.chat.id


def _unset_secret(app: App) -> str:
    """The webhook secret when none is configured: a new random one at every start, except on
    PostgreSQL, where several web processes each register the webhook and must all accept
    what Telegram sends: there every process derives the same one from the bot's token."""
    token = app.settings.telegram_bot_token
    if app.db.dialect != "postgresql" or token is None:
        return secrets.token_urlsafe(32)
    return hmac.new(token.get_secret_value().encode(), b"spi-telegram-webhook-secret",
                    hashlib.sha256).hexdigest()


class TelegramChannel:
    """Owns the PTB Application; `mode` is "polling" or "webhook" once started."""

    def __init__(self, app: App, tasks: BackgroundTasks, contact_label: str,
                 wrap_sender: WrapSender = unwrapped) -> None:
        settings = app.settings
        if settings.telegram_bot_token is None:
            raise ValueError("SPI_TELEGRAM_BOT_TOKEN is not set")
        self._settings = settings
        self._engine = app.engine
        self._tasks = tasks
        self._contact_label = contact_label
        self.mode = "webhook" if settings.public_url else "polling"
        self.secret = (settings.telegram_webhook_secret.get_secret_value()
                       if settings.telegram_webhook_secret else _unset_secret(app))
        # Own request objects so they can be closed even when initialize() fails half-way.
        self._requests = (HTTPXRequest(connection_pool_size=64),
                          HTTPXRequest())
        builder = (Application.builder()
                   .token(settings.telegram_bot_token.get_secret_value())
                   .base_url(settings.telegram_api_base_url)
                   .base_file_url(file_base_url(settings.telegram_api_base_url))
                   .request(self._requests[0])
                   .get_updates_request(self._requests[1]))
        if self.mode == "webhook":
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.sender = wrap_sender(telegram_sender(self.application.bot, contact_label))
        self.dispatcher = ReplyDispatcher(self.sender, app.db, app.deps.clock)
        self._http: aiohttp.ClientSession | None = None  # pictures' downloads, on first use

    async def start(self) -> None:
        app = self.application
        await app.initialize()  # getMe: a wrong token fails here
        await app.start()
        if self.mode == "webhook":
            await app.bot.set_webhook(url=f"{self._settings.public_url}{WEBHOOK_PATH}",
                                      secret_token=self.secret,
                                      allowed_updates=list(ALLOWED_UPDATES))
        elif app.updater is not None:
            await app.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES))

    async def stop_receiving(self) -> None:
        """No new updates; updates already fetched are still handed to the engine."""
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()

    async def close(self) -> None:
        try:
            await self.application.shutdown()
        finally:
            for request in self._requests:
                await request.shutdown()
            if self._http is not None:
                await self._http.close()

    def secret_matches(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), self.secret.encode())

    async def accept_webhook(self, payload: dict[str, Any]) -> bool:
        """Process a verified webhook update and return once it is stored (True), so that
        Telegram's retry covers a crash; False when it was not stored in time."""
        try:
            update = Update.de_json(payload, self.application.bot)
            parsed = inbound_from_update(update) if update is not None else None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # Only Telegram knows the secret, but a malformed update must not cost a 500 (and
            # Telegram's retries of it): it is acknowledged and dropped.
            logger.warning("Update Telegram tidak terbaca; diabaikan (%s)", type(exc).__name__)
            return True
        if parsed is None:
            return True  # nothing for the engine in this update
        settlement = Settlement()
        if not self._start_handling(update, settlement):
            return False  # shutting down
        if not await settlement.within():
            logger.warning("Update Telegram %s belum tersimpan setelah %.0f s",
                           update.update_id, SETTLE_WITHIN)
            return False
        return True

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        # Runs one update at a time; the engine call goes to its own task so slow sends do not
        # hold up other chats. Tasks start in arrival order and the engine's first step is the
        # sender's FIFO lock, so one person's messages keep their order.
        # Polling acknowledges updates by asking for the next ones, so a crash in between can
        # lose one; production deployments use the webhook, which waits for the commit.
        self._start_handling(update, None)

    def _start_handling(self, update: Update, settlement: Settlement | None) -> bool:
        parsed = inbound_from_update(update)
        if parsed is None:
            return False
        inbound, chat_id = parsed
        if not self._tasks.spawn(self._handle(inbound, chat_id, settlement)):
            return False
        if update.callback_query is not None:
            self._tasks.spawn(self._answer(update))
        return True

    async def resume_replies(self) -> None:
        """Send the replies an earlier run stored but did not finish, in order per chat,
        ahead of any new message's replies."""
        for chat in await self.dispatcher.unsent():
            self._tasks.after(chat[0].address, self.dispatcher.resume(chat))

    def _send_later(self, queued: list[QueuedReply]) -> None:
        # Paced by the shared rate limiter in its own task, in order per chat; once shutdown
        # has begun they stay in the outbox for the next start.
        self._tasks.after(queued[0].address, self.dispatcher.send_queued(queued))

    async def _handle(
        self, inbound: Inbound, chat_id: int, settlement: Settlement | None
    ) -> None:
        try:
            await self._engine.handle(
                inbound, route=ReplyRoute(str(chat_id), self._send_later),
                settled=settlement.mark if settlement else None,
                prepare=self._read_image if inbound.image is not None else None)
        finally:
            if settlement is not None:
                settlement.mark()

    async def _read_image(self, inbound: Inbound) -> Inbound:
        return await read_inbound_image(inbound, self._fetch_image)

    async def _fetch_image(self, image: InboundImage) -> bytes:
        """getFile, then the file itself, streamed within the cap (its URL holds the token:
        never logged)."""
        if self._http is None:
            self._http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        try:
            file = await self.application.bot.get_file(image.ref)
        except TelegramError as exc:
            logger.warning("getFile gagal: %s", type(exc).__name__)
            raise ImageRefused(FETCH_FAILED) from exc
        if (file.file_size or 0) > MAX_BYTES:
            raise ImageRefused(TOO_BIG)
        if not file.file_path:
            raise ImageRefused(FETCH_FAILED)
        return await fetch_limited(self._http, file.file_path)

    @staticmethod
    async def _answer(update: Update) -> None:
        if update.callback_query is None:
            return
        try:
            await update.callback_query.answer()
        except TelegramError as exc:
            logger.info("Callback query tidak dijawab: %s", exc)
