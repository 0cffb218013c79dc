"""The contract between the engine or outreach and any channel that can send messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from core.messages import Channel, Choice, Image, Reply


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message to one address: free text (with choices), or a WhatsApp content template."""

    channel: Channel
    address: str
    text: str = ""
    choices: tuple[Choice, ...] = ()
    request_contact: bool = False
    template_sid: str | None = None
    template_variables: Mapping[str, str] = field(default_factory=dict)
    image: Image | None = None

    @classmethod
    def from_reply(cls, channel: Channel, address: str, reply: Reply) -> Outbound:
        return cls(channel, address, reply.text, reply.choices, reply.request_contact,
                   image=reply.image)


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """What the provider said when it accepted the message."""

    provider_id: str | None  # Twilio MessageSid, Telegram message_id
    status: str = "sent"  # Twilio answers "queued"/"accepted"; status callbacks follow


class SendErrorKind(StrEnum):
    RETRY = "retry"  # 429, 5xx, timeouts, Twilio 63018: try again (after retry_after if known)
    FINAL = "final"  # invalid number, template problem: never retry
    UNREACHABLE = "unreachable"  # blocked bot, deactivated, unsubscribed (21610): final
    OUTSIDE_WINDOW = "outside_window"  # WhatsApp 63016: only a template can reach them now
    UNKNOWN = "unknown"  # the request may or may not have reached the provider


class SendError(Exception):
    """A send that did not succeed, classified so callers know whether to retry.

    Only the channel adapter knows its provider's error codes; it says what a failure means
    through `kind` and the flags below, so callers never reason on a provider's numbers.
    `code` is kept for staff reports only.
    """

    def __init__(
        self, kind: SendErrorKind, reason: str, *, code: str | None = None,
        retry_after: float | None = None, template_problem: bool = False,
        opted_out: bool = False, bad_address: bool = False,
    ) -> None:
        super().__init__(f"{kind}: {reason}" + (f" (code {code})" if code else ""))
        self.kind = kind
        self.reason = reason
        self.code = code
        self.retry_after = retry_after
        # The content template (its id, language or variables) was refused: staff must fix it.
        self.template_problem = template_problem
        # The person chose not to hear from us (blocked the bot, sent STOP).
        self.opted_out = opted_out
        # The address is not (or no longer) one the channel can deliver to.
        self.bad_address = bad_address


class Sender(Protocol):
    """A channel that can send; implemented by Telegram and WhatsApp, faked in tests."""

    channel: Channel

    async def send(self, message: Outbound) -> SendReceipt:
        """Send one message (split if too long); raise SendError when it did not go out."""
        ...


# Optional channel ability: tell whether a message we may have sent reached the provider.
#
# Used after a crash or a timeout, when a delivery was handed to the provider but no answer came
# back. Twilio can list messages sent to a number; Telegram cannot, so its senders do not
# implement this and such deliveries are reported as unknown instead of being sent again.


class LookupUnavailable(Exception):
    """The provider could not be asked now; try the lookup again later."""


@runtime_checkable
class SentLookup(Protocol):
    async def find_sent(self, message: Outbound, since: datetime) -> SendReceipt | None:
        """The provider's receipt for `message` to `message.address` created at or after
        `since`, or None when the provider certainly has no such message."""
        ...
