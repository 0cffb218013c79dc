"""Twilio webhook payloads as Twilio sends them: form fields signed with RequestValidator."""

from __future__ import annotations

import itertools
import secrets

from twilio.request_validator import RequestValidator

from tests.fakes.twilio_api import ACCOUNT_SID

_ids = itertools.count(1)


def message_sid() -> str:
    return f"SM{next(_ids):08x}{secrets.token_hex(12)}"


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """The X-Twilio-Signature Twilio computes for a POST of `params` to `url`."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def inbound_message(from_number: str, body: str, *, to_number: str = "+14155238886",
                    profile_name: str = "Siti", sid: str | None = None,
                    button_payload: str | None = None,
                    media: tuple[str, str] | None = None) -> dict[str, str]:
    """An incoming WhatsApp message webhook, with the fields Twilio posts; `media` is one
    attachment's (MediaUrl0, MediaContentType0), `body` its caption."""
    params = {
        "SmsMessageSid": sid or message_sid(), "NumMedia": "0", "ProfileName": profile_name,
        "MessageType": "text", "SmsSid": "", "WaId": from_number.lstrip("+"),
        "SmsStatus": "received", "Body": body, "To": f"whatsapp:{to_number}",
        "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": "", "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{from_number}", "ApiVersion": "2010-04-01",
    }
    params["MessageSid"] = params["SmsSid"] = params["SmsMessageSid"]
    if media is not None:
        params.update({"NumMedia": "1", "MediaUrl0": media[0], "MediaContentType0": media[1],
                       "MessageType": "image" if media[1].startswith("image/") else "document"})
    if button_payload is not None:
        params["ButtonPayload"] = button_payload
        params["ButtonText"] = body
        params["MessageType"] = "button"
    return params


def status_callback(sid: str, status: str, *, to_number: str = "+6281234567890",
                    error_code: str | None = None) -> dict[str, str]:
    """A message status callback as Twilio posts it to StatusCallback."""
    params = {
        "MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
        "AccountSid": ACCOUNT_SID, "From": "whatsapp:+14155238886",
        "To": f"whatsapp:{to_number}", "ApiVersion": "2010-04-01", "ChannelPrefix": "whatsapp",
    }
    if error_code is not None:
        params["ErrorCode"] = error_code
    return params
