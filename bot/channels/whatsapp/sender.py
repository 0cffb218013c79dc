"""WhatsApp sender through Twilio's Messages API (async client); one call is one attempt."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from twilio.base.exceptions import TwilioException

from bot.channels.splitting import WHATSAPP_LIMIT, split_text
from bot.channels.whatsapp.errors import classify, classify_transport
from bot.channels.whatsapp.lookup import find_sent
from core.messages import Channel, Choice, Image, Reply
from core.sending import Outbound, SendReceipt

if TYPE_CHECKING:
    from twilio.rest import Client

logger = logging.getLogger(__name__)


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
    """Sends WhatsApp messages from our Twilio number; raises a classified SendError. Also a
    SentLookup: it can tell whether a message whose answer was lost reached Twilio."""

    channel = Channel.WHATSAPP

    def __init__(
        self, client: Client, from_number: str, *, status_callback_url: str | None = None,
        publish_image: Callable[[Image], Awaitable[str]] | None = None,
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

    async def find_sent(self, message: Outbound, since: datetime) -> SendReceipt | None:
        return await find_sent(self._messages, self._from, message, since)

    async def _send_text(self, to: str, message: Outbound) -> SendReceipt:
        parts = split_text(numbered(message.text, message.choices), WHATSAPP_LIMIT)
        media: list[str] = []
        if message.image is not None and self._publish_image is not None:
            media = [await self._publish_image(message.image)]
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
