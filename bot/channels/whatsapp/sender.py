"""WhatsApp sender through Twilio's Messages API (async client); one call is one attempt."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from twilio.base.exceptions import TwilioException

from bot.channels.splitting import WHATSAPP_LIMIT, split_text
from core.messages import Channel, Choice, Image, Reply
from core.sending import Outbound, SendError, SendErrorKind, SendReceipt

if TYPE_CHECKING:
    from twilio.rest import Client

logger = logging.getLogger(__name__)

RETRY_CODES = frozenset({63018, 20429, 30022})  # rate limits: Meta tier, API, account
FINAL_CODES = frozenset({21211, 21614, 21408, 63003})  # not a (WhatsApp) number, no permission
UNREACHABLE_CODES = frozenset({21610})  # the person unsubscribed (STOP)
OUTSIDE_WINDOW_CODES = frozenset({63016})  # free text after the 24-hour window
TEMPLATE_CODES = frozenset({21655, 21656, 63027, 63028, 63032})  # content template problems


def classify(exc: TwilioException) -> SendError:
    """One Twilio API error as a SendError kind the caller can act on."""
    status = int(getattr(exc, "status", 0) or 0)
    raw_code = getattr(exc, "code", None)
    code = int(raw_code) if raw_code is not None else None
    reason = getattr(exc, "msg", None) or getattr(exc, "title", None) or f"HTTP {status}"
    code_text = str(code) if code is not None else str(status)
    if code in OUTSIDE_WINDOW_CODES:
        return SendError(SendErrorKind.OUTSIDE_WINDOW, reason, code=code_text)
    if code in UNREACHABLE_CODES:
        return SendError(SendErrorKind.UNREACHABLE, reason, code=code_text)
    if code in RETRY_CODES or status == 429 or status >= 500:
        return SendError(SendErrorKind.RETRY, reason, code=code_text,
                         retry_after=_retry_after(exc))
    if code in TEMPLATE_CODES:
        return SendError(SendErrorKind.FINAL, f"template: {reason}", code=code_text)
    return SendError(SendErrorKind.FINAL, reason, code=code_text)


def _retry_after(exc: TwilioException) -> float | None:
    details = getattr(exc, "details", None)
    if not isinstance(details, dict):
        return None
    value = details.get("retry_after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def classify_transport(exc: BaseException) -> SendError:
    """Failures below HTTP: refused connections never left us; a lost answer may have."""
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return SendError(SendErrorKind.RETRY, f"no connection to Twilio ({type(exc).__name__})")
    return SendError(SendErrorKind.UNKNOWN, f"no answer from Twilio ({type(exc).__name__})")


def numbered(text: str, choices: tuple[Choice, ...]) -> str:
    """Choices as a numbered list the user answers with the number or the words."""
    if not choices:
        return text
    lines = [f"{number}. {choice.label}" for number, choice in enumerate(choices, start=1)]
    return f"{text}\n\n" + "\n".join(lines)


def merge_replies(replies: Sequence[Reply], limit: int = WHATSAPP_LIMIT) -> list[Reply]:
    """One turn's replies in as few WhatsApp messages as fit: each message is billed and
    counts against the sender's rate limit. Earlier replies' choices become numbered text;
    the last reply keeps its own, so the engine's numbering still matches."""
    merged: list[Reply] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if previous is not None and previous.image is None and reply.image is None:
            text = f"{numbered(previous.text, previous.choices)}\n\n{reply.text}"
            if len(numbered(text, reply.choices)) <= limit:
                merged[-1] = Reply(text, reply.choices, reply.request_contact)
                continue
        merged.append(reply)
    return merged


class WhatsAppSender:
    """Sends WhatsApp messages from our Twilio number; raises a classified SendError."""

    channel = Channel.WHATSAPP

    def __init__(
        self, client: Client, from_number: str, *, status_callback_url: str | None = None,
        publish_image: Callable[[Image], str] | None = None,
    ) -> None:
        self._messages = client.messages  # built on each access otherwise
        self._from = f"whatsapp:{from_number}"
        self._status_callback = status_callback_url
        self._publish_image = publish_image

    async def send(self, message: Outbound) -> SendReceipt:
        to = f"whatsapp:{message.address}"
        try:
            if message.template_sid:
                return await self._create(to, content_sid=message.template_sid,
                                          content_variables=json.dumps(
                                              dict(message.template_variables)))
            return await self._send_text(to, message)
        except TwilioException as exc:
            raise classify(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise classify_transport(exc) from exc

    async def _send_text(self, to: str, message: Outbound) -> SendReceipt:
        parts = split_text(numbered(message.text, message.choices), WHATSAPP_LIMIT)
        media: list[str] = []
        if message.image is not None and self._publish_image is not None:
            media = [self._publish_image(message.image)]
        receipt = SendReceipt(None)
        for index, part in enumerate(parts):
            extra: dict[str, Any] = {"media_url": media} if media and index == 0 else {}
            receipt = await self._create(to, body=part, **extra)
        return receipt

    async def _create(self, to: str, **fields: Any) -> SendReceipt:
        if self._status_callback:
            fields["status_callback"] = self._status_callback
        created = await self._messages.create_async(to=to, from_=self._from, **fields)
        return SendReceipt(provider_id=created.sid, status=created.status or "queued")
