"""What to do after a failed send: retry later, fall back to the template, or give up."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.messages import Channel
from core.sending import SendError, SendErrorKind


class Action(StrEnum):
    RETRY = "retry"
    USE_TEMPLATE = "use_template"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Verdict:
    action: Action
    reason: str  # a short code for staff reports, never personal data
    code: str | None = None
    retry_after: float | None = None
    opt_out: bool = False  # the provider says the person opted out / blocked us
    unreachable: bool = False  # the address no longer works (opt-out or not)


def classify(error: SendError, channel: str) -> Verdict:
    """What to do, from the kind and flags the channel adapter set (never from its codes)."""
    code = error.code
    if error.kind is SendErrorKind.OUTSIDE_WINDOW:
        return Verdict(Action.USE_TEMPLATE, "outside_window", code)
    if error.opted_out:
        # People unsubscribe (STOP) on WhatsApp and block the bot on Telegram.
        reason = "unsubscribed" if channel == Channel.WHATSAPP else "blocked"
        return Verdict(Action.FAIL, reason, code, opt_out=True, unreachable=True)
    if error.bad_address:
        return Verdict(Action.FAIL, "invalid_number", code, unreachable=True)
    if error.template_problem:
        return Verdict(Action.FAIL, "template_problem", code)
    if error.kind is SendErrorKind.UNREACHABLE:
        return Verdict(Action.FAIL, "unreachable", code, unreachable=True)
    if error.kind is SendErrorKind.RETRY:
        return Verdict(Action.RETRY, "rate_limited" if error.retry_after else "temporary",
                       code, retry_after=error.retry_after)
    if error.kind is SendErrorKind.UNKNOWN:
        return Verdict(Action.UNKNOWN, "unknown_outcome", code)
    return Verdict(Action.FAIL, "rejected", code)


def backoff(attempt: int, *, base: float = 5.0, cap: float = 900.0) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): 5 s, 10 s, 20 s ... at most 15 min."""
    return float(min(cap, base * 2.0 ** max(attempt - 1, 0)))
