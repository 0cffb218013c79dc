"""Telegram sender: one Outbound becomes send_message/send_photo calls through PTB's Bot."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import httpx
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.splitting import TELEGRAM_LIMIT, split_text
from core.catalog import Catalog
from core.messages import Channel, Choice
from core.sending import Outbound, SendError, SendErrorKind, SendReceipt

if TYPE_CHECKING:
    from telegram import Bot

logger = logging.getLogger(__name__)

# PTB 22 warns on every RetryAfter it builds unless time periods are opted into timedelta,
# the type its next major version uses; we read the timedelta either way.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CALLBACK_DATA_LIMIT = 64  # bytes of an inline button's callback_data
# BadRequest texts that mean the person cannot be reached at all (PTB strips "Bad Request: ").
_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "user not found")
# Forbidden texts that mean the person chose not to hear from us.
_BLOCKED = ("blocked by the user", "bot was blocked")
# Timeouts raised before the request left us: safe to send again.
_NOT_SENT_TIMEOUTS = (httpx.ConnectTimeout, httpx.PoolTimeout)
_NOT_SENT_ERRORS = (httpx.ConnectError, *_NOT_SENT_TIMEOUTS)


def retry_after_seconds(exc: RetryAfter) -> float:
    # `exc.retry_after` warns (int → timedelta migration in PTB 22.2+); the timedelta is stable.
    return float(exc._retry_after.total_seconds())


def classify(exc: TelegramError) -> SendError:
    """One Telegram failure as a SendError kind the caller can act on."""
    if isinstance(exc, RetryAfter):
        return SendError(SendErrorKind.RETRY, "flood control", code="429",
                         retry_after=retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        blocked = any(phrase in str(exc).lower() for phrase in _BLOCKED)
        return SendError(SendErrorKind.UNREACHABLE, str(exc), code="403", opted_out=blocked)
    if isinstance(exc, BadRequest):
        text = str(exc).lower()
        if any(phrase in text for phrase in _GONE):
            return SendError(SendErrorKind.UNREACHABLE, str(exc), code="400")
        return SendError(SendErrorKind.FINAL, str(exc), code="400")
    if isinstance(exc, InvalidToken):
        return SendError(SendErrorKind.FINAL, "bot token rejected", code="401")
    if isinstance(exc, TimedOut):
        if isinstance(exc.__cause__, _NOT_SENT_TIMEOUTS):
            return SendError(SendErrorKind.RETRY, "timed out before sending")
        return SendError(SendErrorKind.UNKNOWN, "timed out waiting for Telegram's answer")
    if isinstance(exc, NetworkError):
        cause = exc.__cause__
        if cause is None or isinstance(cause, _NOT_SENT_ERRORS):
            return SendError(SendErrorKind.RETRY, str(exc))  # a 5xx answer, or no connection
        return SendError(SendErrorKind.UNKNOWN, str(exc))  # connection lost mid-request
    return SendError(SendErrorKind.FINAL, str(exc))


def inline_keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup:
    """One button per row; the callback carries the choice value (or its number if too long)."""
    rows = []
    for number, choice in enumerate(choices, start=1):
        data = choice.value
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            data = str(number)  # the engine maps a number to the offered choice too
        rows.append([InlineKeyboardButton(choice.label, callback_data=data)])
    return InlineKeyboardMarkup(rows)


def contact_keyboard(label: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[KeyboardButton(label, request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


class TelegramSender:
    """Sends to Telegram chats; one call is one attempt, failures raise a classified SendError."""

    channel = Channel.TELEGRAM

    def __init__(self, bot: Bot, contact_button_label: str | None = None) -> None:
        """The share-contact label defaults to the catalogue text `channels.share_contact`."""
        self._bot = bot
        if contact_button_label is None:
            contact_button_label = Catalog.load().text("id", "channels.share_contact")
        self._contact_label = contact_button_label
        # Chats showing our share-contact keyboard; the next plain message removes it.
        self._contact_keyboard_shown: set[str] = set()

    async def send(self, message: Outbound) -> SendReceipt:
        try:
            return await self._send(message)
        except TelegramError as exc:
            raise classify(exc) from exc

    async def _send(self, message: Outbound) -> SendReceipt:
        chat_id = message.address
        last_id: int | None = None
        if message.image is not None:
            photo = InputFile(message.image.png, filename=message.image.filename)
            sent = await self._bot.send_photo(chat_id=chat_id, photo=photo)
            last_id = sent.message_id
        parts = split_text(message.text, TELEGRAM_LIMIT) if message.text else []
        for index, part in enumerate(parts):
            markup = self._markup(message, is_last=index == len(parts) - 1)
            remove_first = (isinstance(markup, InlineKeyboardMarkup)
                            and chat_id in self._contact_keyboard_shown)
            if remove_first:
                # One message cannot carry both: drop the share-contact keyboard with the text,
                # then attach the inline buttons to that same message.
                sent = await self._bot.send_message(chat_id=chat_id, text=part,
                                                    reply_markup=ReplyKeyboardRemove())
                self._contact_keyboard_shown.discard(chat_id)
                await self._bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=sent.message_id, reply_markup=markup)
                last_id = sent.message_id
                continue
            kwargs: dict[str, Any] = {"reply_markup": markup} if markup is not None else {}
            sent = await self._bot.send_message(chat_id=chat_id, text=part, **kwargs)
            last_id = sent.message_id
            if isinstance(markup, ReplyKeyboardRemove):
                self._contact_keyboard_shown.discard(chat_id)
            elif isinstance(markup, ReplyKeyboardMarkup):
                self._contact_keyboard_shown.add(chat_id)
        return SendReceipt(provider_id=str(last_id) if last_id is not None else None)

    def _markup(self, message: Outbound, *, is_last: bool) -> Any:
        if is_last and message.request_contact:
            return contact_keyboard(self._contact_label)
        if is_last and message.choices:
            return inline_keyboard(message.choices)
        if message.address in self._contact_keyboard_shown and not message.request_contact:
            return ReplyKeyboardRemove()
        return None
