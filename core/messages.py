"""The channel-agnostic message types every handler and channel speaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    WEB = "web"
    CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A phone contact the user shared; `is_own` only when the channel proves it is theirs."""

    phone: str
    is_own: bool


@dataclass(frozen=True, slots=True)
class InboundImage:
    """A picture the user sent (a screenshot to check): where the channel keeps it, then what
    was read from it. The bytes are fetched and read before the turn and never stored."""

    ref: str  # Telegram file_id, or Twilio's media URL
    content_type: str = ""  # as the channel declares it; "" when it does not
    size: int | None = None  # bytes, when the channel states them before the download
    text: str | None = None  # the text read from it (None: not read yet or nothing read)
    problem: str = ""  # why nothing was read: a key under [image] in the image texts


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a user, as every channel adapter hands it to the engine."""

    channel: Channel
    sender: str  # channel address: Telegram user id, WhatsApp number, web session id
    text: str = ""
    contact: SharedContact | None = None
    start_payload: str | None = None
    display_name: str | None = None
    provider_id: str | None = None  # idempotency key: Twilio MessageSid, Telegram update id
    sender_phone: str | None = None  # a number the channel itself proves (WhatsApp sender)
    received_at: datetime | None = None
    image: InboundImage | None = None  # text is the caption, if any, until the image is read


@dataclass(frozen=True, slots=True)
class Choice:
    """An answer the user can pick: by button, by its number in a list, or by typing it."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Image:
    """A picture sent with a reply (e.g. a statistics chart)."""

    png: bytes
    filename: str = "image.png"


@dataclass(frozen=True, slots=True)
class Reply:
    """One message back to the user."""

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    request_contact: bool = False
    image: Image | None = None
