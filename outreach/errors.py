"""What to do after a failed send: retry later, fall back to the template, or give up."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.sending import SendError, SendErrorKind

# Twilio codes, in case a sender passes a code with a less specific kind.
RETRY_CODES = frozenset({"429", "500", "502", "503", "504", "63018", "20429"})
OUTSIDE_WINDOW_CODES = frozenset({"63016"})
INVALID_NUMBER_CODES = frozenset({"21211", "21614"})
UNSUBSCRIBED_CODES = frozenset({"21610"})
TEMPLATE_CODES = frozenset({"63021", "63024", "63027", "63028", "63036", "21656"})
# Signals that this person chose not to hear from us: they mark the respondent opted out.
_OPT_OUT_WORDS = ("blocked by the user", "bot was blocked")


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


def classify(error: SendError) -> Verdict:
    code = error.code
    if code in OUTSIDE_WINDOW_CODES or error.kind is SendErrorKind.OUTSIDE_WINDOW:
        return Verdict(Action.USE_TEMPLATE, "outside_window", code)
    if code in UNSUBSCRIBED_CODES:
        return Verdict(Action.FAIL, "unsubscribed", code, opt_out=True, unreachable=True)
    if code in INVALID_NUMBER_CODES:
        return Verdict(Action.FAIL, "invalid_number", code, unreachable=True)
    if code in TEMPLATE_CODES:
        return Verdict(Action.FAIL, "template_problem", code)
    if error.kind is SendErrorKind.UNREACHABLE:
        blocked = any(word in error.reason.lower() for word in _OPT_OUT_WORDS)
        return Verdict(Action.FAIL, "blocked" if blocked else "unreachable", code,
                       opt_out=blocked, unreachable=True)
    if error.kind is SendErrorKind.RETRY or code in RETRY_CODES:
        return Verdict(Action.RETRY, "rate_limited" if error.retry_after else "temporary",
                       code, retry_after=error.retry_after)
    if error.kind is SendErrorKind.UNKNOWN:
        return Verdict(Action.UNKNOWN, "unknown_outcome", code)
    return Verdict(Action.FAIL, "rejected", code)


def backoff(attempt: int, *, base: float = 5.0, cap: float = 900.0) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): 5 s, 10 s, 20 s ... at most 15 min."""
    return float(min(cap, base * 2.0 ** max(attempt - 1, 0)))
