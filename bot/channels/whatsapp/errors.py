"""THE Twilio error-code table: what each code means for a send, as a SendErrorKind and flags.

Nothing else in the code knows Twilio's numbers: outreach and the reply dispatcher reason on
the kind and the flags a SendError carries (the number travels along for staff reports only).
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from twilio.base.exceptions import TwilioException

from core.sending import SendError, SendErrorKind


@dataclass(frozen=True, slots=True)
class CodeMeaning:
    kind: SendErrorKind
    template_problem: bool = False
    opted_out: bool = False
    bad_address: bool = False


_RETRY = CodeMeaning(SendErrorKind.RETRY)
_BAD_ADDRESS = CodeMeaning(SendErrorKind.FINAL, bad_address=True)
_TEMPLATE = CodeMeaning(SendErrorKind.FINAL, template_problem=True)

TWILIO_CODES: dict[int, CodeMeaning] = {
    # Rate limits (Meta's messaging tier, Twilio's API, the account's queue): try again.
    63018: _RETRY, 20429: _RETRY, 30022: _RETRY,
    # Free text after the 24-hour window: only a template reaches this person now.
    63016: CodeMeaning(SendErrorKind.OUTSIDE_WINDOW),
    # The person sent STOP.
    21610: CodeMeaning(SendErrorKind.UNREACHABLE, opted_out=True),
    # Not a (WhatsApp) number, or WhatsApp refuses this recipient.
    21211: _BAD_ADDRESS, 21614: _BAD_ADDRESS, 63003: _BAD_ADDRESS, 63024: _BAD_ADDRESS,
    # Our account may not send to that country: staff must change the account, not retry.
    21408: CodeMeaning(SendErrorKind.FINAL),
    # The content template: bad ContentSid or variables, missing language, wrong parameter
    # count, refused content, or a marketing template WhatsApp withholds (63032). Staff fix
    # the template; sending the same again fails the same way.
    21655: _TEMPLATE, 21656: _TEMPLATE, 63021: _TEMPLATE, 63027: _TEMPLATE,
    63028: _TEMPLATE, 63032: _TEMPLATE, 63036: _TEMPLATE,
}


def send_error(code: int | None, status: int, reason: str,
               retry_after: float | None = None) -> SendError:
    """A Twilio answer (error code and HTTP status) as a SendError."""
    code_text = str(code) if code is not None else str(status)
    meaning = TWILIO_CODES.get(code) if code is not None else None
    if meaning is None:
        kind = SendErrorKind.RETRY if status == 429 or status >= 500 else SendErrorKind.FINAL
        meaning = CodeMeaning(kind)
    if meaning.template_problem:
        reason = f"template: {reason}"
    return SendError(
        meaning.kind, reason, code=code_text,
        retry_after=retry_after if meaning.kind is SendErrorKind.RETRY else None,
        template_problem=meaning.template_problem, opted_out=meaning.opted_out,
        bad_address=meaning.bad_address)


def classify(exc: TwilioException) -> SendError:
    """One Twilio API error as a SendError the caller can act on."""
    status = int(getattr(exc, "status", 0) or 0)
    raw_code = getattr(exc, "code", None)
    code = int(raw_code) if raw_code is not None else None
    reason = getattr(exc, "msg", None) or getattr(exc, "title", None) or f"HTTP {status}"
    return send_error(code, status, reason, _retry_after(exc))


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
