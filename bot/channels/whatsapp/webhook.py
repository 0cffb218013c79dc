"""WhatsApp inbound through Twilio webhooks: signature check, parsing, replies via the API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.app import App
from bot.channels.dispatch import ReplyDispatcher, WrapSender, unwrapped
from bot.channels.images import fetch_limited, read_inbound_image
from bot.channels.senders import STATUS_CALLBACK_PATH, whatsapp_sender
from bot.channels.splitting import WHATSAPP_LIMIT, split_text
from bot.channels.whatsapp.sender import merge_replies, numbered
from bot.channels.whatsapp.statuses import StatusWriter
from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient
from bot.engine.engine import ReplyRoute
from bot.server.tasks import SETTLE_WITHIN, BackgroundTasks, Settlement
from core.masking import mask_text
from core.messages import Channel, Image, Inbound, InboundImage
from core.phones import to_e164
from core.sending import LookupUnavailable, Outbound, Sender
from handlers.ocr import FETCH_FAILED, ImageRefused
from storage.repositories.outbound import StatusUpdate
from storage.repositories.reply_outbox import QueuedReply

logger = logging.getLogger(__name__)

INBOUND_PATH = "/twilio/whatsapp"
STATUS_PATH = STATUS_CALLBACK_PATH
SIGNATURE_HEADER = "X-Twilio-Signature"
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def inbound_from_form(form: Mapping[str, str], received_at: datetime) -> Inbound | None:
    """The engine's view of a Twilio WhatsApp message webhook; None when it is not one."""
    raw_from = form.get("From", "")
    if not raw_from.startswith("whatsapp:"):
        return None
    number = raw_from.removeprefix("whatsapp:")
    wa_id = form.get("WaId", "")
    if not number and wa_id.isdigit():
        number = f"+{wa_id}"  # WhatsApp's own id for the sender is their number's digits
    # WhatsApp addresses arrive in E.164 already; the full phonenumbers parse (about a
    # millisecond) is only a fallback for anything unusual.
    phone = number if _E164.match(number) else to_e164(number)
    sid = form.get("MessageSid") or form.get("SmsMessageSid")
    if phone is None or not sid:
        return None
    # A quick-reply button carries the value we gave it; plain text otherwise (with a
    # picture: its caption).
    text = form.get("ButtonPayload") or form.get("Body", "")
    return Inbound(channel=Channel.WHATSAPP, sender=phone, text=text,
                   display_name=form.get("ProfileName") or None, provider_id=sid,
                   sender_phone=phone, received_at=received_at, image=_image_of(form))


def _image_of(form: Mapping[str, str]) -> InboundImage | None:
    """The first picture of the message (Twilio lists media as MediaUrl0..N with their types);
    other media (voice notes, videos, documents) are left to the text handlers as before."""
    url = form.get("MediaUrl0", "")
    content_type = form.get("MediaContentType0", "")
    if not url or not content_type.lower().startswith("image/"):
        return None
    return InboundImage(ref=url, content_type=content_type)


class TwilioReplyLookup:
    """Finds a reply in doubt among the messages Twilio lists for its number, newest first.

    Twilio keeps no idempotency key for us, so a reply counts as sent when a message with its
    first part as body went to the number from ours at or after the reply was marked
    (Twilio's times are whole seconds: one second of slack) and after the reply accepted
    just before it, which the lookup skips along with everything older.
    """

    def __init__(self, client: Any, from_number: str) -> None:
        self._client = client
        self._from = f"whatsapp:{from_number}"

    async def find_reply(self, message: Outbound, since: datetime, after_sid: str | None,
                         claimed: set[str]) -> str | None:
        parts = split_text(numbered(message.text, message.choices), WHATSAPP_LIMIT)
        body = parts[0].strip() if parts else ""
        try:
            listed = await self._client.messages.list_async(
                to=f"whatsapp:{message.address}", from_=self._from, limit=20)
        except (TwilioException, aiohttp.ClientError, TimeoutError) as exc:
            raise LookupUnavailable(str(exc)) from exc
        earliest = since.replace(microsecond=0) - timedelta(seconds=1)
        newer = []
        for sent in listed:
            created = getattr(sent, "date_created", None)
            if sent.sid == after_sid or created is None or created < earliest:
                break
            newer.append(sent)
        for sent in reversed(newer):  # the oldest match is the first attempt's
            if sent.sid not in claimed and (sent.body or "").strip() == body:
                return str(sent.sid)
        return None


class WhatsAppChannel:
    """The Twilio client, sender and webhook logic; needs credentials, number and public URL."""

    def __init__(
        self, app: App, tasks: BackgroundTasks,
        publish_image: Callable[[Image], Awaitable[str]] | None = None,
        wrap_sender: WrapSender = unwrapped,
    ) -> None:
        settings = app.settings
        if (settings.twilio_account_sid is None or settings.twilio_auth_token is None
                or settings.twilio_whatsapp_number is None or settings.public_url is None):
            raise ValueError("WhatsApp needs the Twilio account, token, number and public URL")
        self._settings = settings
        self._account_sid = settings.twilio_account_sid
        self._number = settings.twilio_whatsapp_number
        self._public_url = settings.public_url
        self._engine = app.engine
        self._db = app.db
        self._clock = app.deps.clock
        self._tasks = tasks
        self._publish_image = publish_image
        self._token = settings.twilio_auth_token.get_secret_value()
        self._validator = RequestValidator(self._token)
        self._token_bytes = self._token.encode()
        self.statuses = StatusWriter(app.db, app.deps.clock)
        self._http: RebasedTwilioHttpClient | None = None
        self._media_http: aiohttp.ClientSession | None = None  # pictures' downloads
        self._wrap_sender = wrap_sender
        self.sender: Sender | None = None
        self.dispatcher: ReplyDispatcher | None = None

    async def start(self) -> None:
        settings = self._settings
        # aiohttp's session needs the running loop, so the client is built here.
        self._http = RebasedTwilioHttpClient(settings.twilio_api_base_url)
        self._media_http = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        client = Client(self._account_sid, self._token, http_client=self._http)
        self.sender = self._wrap_sender(whatsapp_sender(client, settings, self._publish_image))
        self.dispatcher = ReplyDispatcher(self.sender, self._db, self._clock,
                                          lookup=TwilioReplyLookup(client, self._number))

    async def resume_replies(self) -> None:
        """Send the replies an earlier run stored but did not finish, in order per person,
        ahead of any new message's replies."""
        if self.dispatcher is None:
            return
        for chat in await self.dispatcher.unsent():
            self._tasks.after(chat[0].address, self.dispatcher.resume(chat))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self._media_http is not None:
            await self._media_http.close()

    def signed(self, path: str, query: str, params: Mapping[str, str],
               signature: str | None) -> bool:
        """Twilio signs the URL it called (our public URL, not the proxy's inner address)."""
        if not signature:
            return False
        url = f"{self._public_url}{path}" + (f"?{query}" if query else "")
        # Twilio's scheme (HMAC-SHA1 over the URL and the sorted fields) computed once for the
        # URL as configured: the SDK's validator computes it twice (with and without a port)
        # in slower code, a third of a status callback's CPU. Anything else (a port variant,
        # a body hash, a forgery) goes to the SDK's validator, which decides.
        data = url + "".join(name + params[name] for name in sorted(params))
        expected = base64.b64encode(
            hmac.new(self._token_bytes, data.encode(), hashlib.sha1).digest())
        if hmac.compare_digest(expected, signature.encode()):
            return True
        return bool(self._validator.validate(url, dict(params), signature))

    async def accept_message(self, form: Mapping[str, str]) -> bool | None:
        """Hand a verified message to the engine and return once it is stored; the replies go
        out in the background. False: not a message (ignored); None: not stored in time or
        shutting down — the webhook answers with an error so Twilio may deliver it again
        (a redelivery is recognised by its MessageSid)."""
        inbound = inbound_from_form(form, self._clock.now())
        if inbound is None:
            logger.info("Webhook WhatsApp tanpa pengirim/MessageSid yang valid; diabaikan")
            return False
        settlement = Settlement()
        if not self._tasks.spawn(self._handle(inbound, settlement)):
            return None
        if not await settlement.within():
            logger.warning("Pesan WhatsApp %s belum tersimpan setelah %.0f s",
                           inbound.provider_id, SETTLE_WITHIN)
            return None
        return True

    async def _handle(self, inbound: Inbound, settlement: Settlement) -> None:
        try:
            route = ReplyRoute(inbound.sender, self._send_later, merge_replies)
            await self._engine.handle(
                inbound, route=route, settled=settlement.mark,
                prepare=self._read_image if inbound.image is not None else None)
        finally:
            settlement.mark()

    async def _read_image(self, inbound: Inbound) -> Inbound:
        return await read_inbound_image(inbound, self._fetch_image)

    async def _fetch_image(self, image: InboundImage) -> bytes:
        """Twilio's media URL, with the account's credentials (sent to Twilio only, not to
        the storage host it redirects to); any other host is refused."""
        if self._http is None or self._media_http is None:
            raise ImageRefused(FETCH_FAILED)
        url = self._http.rebase(image.ref)
        if urlsplit(url).netloc != urlsplit(self._http.api_base).netloc:
            logger.warning("Media WhatsApp dari host selain Twilio; tidak diambil")
            raise ImageRefused(FETCH_FAILED)
        token = base64.b64encode(f"{self._account_sid}:{self._token}".encode()).decode()
        return await fetch_limited(self._media_http, url,
                                   headers={"Authorization": f"Basic {token}"})

    def _send_later(self, queued: list[QueuedReply]) -> None:
        # Replies wait for the shared rate limiter in their own task, in order per person, so
        # a backlog of replies never keeps new messages from being stored. Once shutdown has
        # begun they stay in the outbox for the next start.
        dispatcher = self.dispatcher
        if dispatcher is None:
            raise RuntimeError("WhatsApp channel used before start()")
        self._tasks.after(queued[0].address, dispatcher.send_queued(queued))

    async def record_status(self, form: Mapping[str, str]) -> bool:
        """Store a delivery status callback; return once it is committed (in a batch with
        those arriving meanwhile: bot/channels/whatsapp/statuses.py). False: not one."""
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = form.get("MessageStatus") or form.get("SmsStatus")
        if not sid or not status:
            return False
        await self.statuses.record(StatusUpdate(sid, status, form.get("ErrorCode") or None))
        if form.get("ErrorCode"):
            logger.info("Status %s untuk %s: %s (kode %s)", status, sid,
                        mask_text(form.get("To", "")), form.get("ErrorCode"))
        return True

