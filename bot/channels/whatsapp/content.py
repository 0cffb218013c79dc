"""Reads a WhatsApp template's body from Twilio's Content API, so its words can be checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.settings import Settings

# The fields of a Content type that a recipient reads (twilio/text, twilio/quick-reply,
# twilio/card, whatsapp/card, twilio/call-to-action...).
_READ_FIELDS = ("title", "subtitle", "body", "footer")


@dataclass(frozen=True, slots=True)
class TemplateBody:
    """The body, or why it could not be read (for the one-line refusal)."""

    text: str | None
    problem: str = ""


def body_of(types: Mapping[str, object]) -> str | None:
    """Every text a recipient may read in a Content resource's `types`, one per line."""
    parts: list[str] = []
    for content in types.values():
        if isinstance(content, Mapping):
            parts.extend(str(content[f]) for f in _READ_FIELDS
                         if isinstance(content.get(f), str) and content[f].strip())
            for action in content.get("actions") or ():
                if isinstance(action, Mapping) and isinstance(action.get("title"), str):
                    parts.append(action["title"])
    return "\n".join(parts) if parts else None


async def fetch_template_body(settings: Settings, sid: str) -> TemplateBody:
    """GET {twilio_api_base}/v1/Content/{sid}; never raises."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return TemplateBody(None, "Twilio belum dikonfigurasi")
    # Imported here: the command line must start fast for commands that never use Twilio.
    import aiohttp  # noqa: PLC0415
    from twilio.base.exceptions import TwilioException  # noqa: PLC0415
    from twilio.rest import Client  # noqa: PLC0415

    from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient  # noqa: PLC0415

    http = RebasedTwilioHttpClient(settings.twilio_api_base_url)
    try:
        client = Client(settings.twilio_account_sid,
                        settings.twilio_auth_token.get_secret_value(), http_client=http)
        content = await client.content.v1.contents(sid).fetch_async()
    except TwilioException as exc:
        status = getattr(exc, "status", None)
        return TemplateBody(None, f"HTTP {status}" if status else type(exc).__name__)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return TemplateBody(None, f"tidak ada sambungan: {type(exc).__name__}")
    finally:
        await http.close()
    body = body_of(content.types or {})
    return TemplateBody(body, "" if body else "templat tanpa teks")
