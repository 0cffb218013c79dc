"""Whether a message whose answer we lost reached Twilio (the SentLookup ability).

Twilio keeps no idempotency key for us, so a message counts as ours when it went to the same
number from our number after the delivery was marked, with the same body (free text) or any
body (a template: Twilio stores the rendered text, not the ContentSid).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException

from core.sending import LookupUnavailable, Outbound, SendReceipt


async def find_sent(messages: Any, from_: str, message: Outbound,
                    since: datetime) -> SendReceipt | None:
    """Twilio's receipt for `message` sent from `from_` at or after `since`; None when Twilio
    certainly has none; LookupUnavailable when Twilio could not be asked."""
    try:
        found = await messages.list_async(
            to=f"whatsapp:{message.address}", from_=from_, limit=20)
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
