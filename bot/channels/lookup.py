"""Optional channel ability: tell whether a message we may have sent reached the provider.

Used after a crash or a timeout, when a delivery was handed to the provider but no answer came
back. Twilio can list messages sent to a number; Telegram cannot, so its senders do not
implement this and such deliveries are reported as unknown instead of being sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.channels.base import Outbound, SendReceipt


class LookupUnavailable(Exception):
    """The provider could not be asked now; try the lookup again later."""


@runtime_checkable
class SentLookup(Protocol):
    async def find_sent(self, message: Outbound, since: datetime) -> SendReceipt | None:
        """The provider's receipt for `message` to `message.address` created at or after
        `since`, or None when the provider certainly has no such message."""
        ...
