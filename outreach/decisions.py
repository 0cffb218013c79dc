"""Pure send decisions: what a recipient gets, whether they may get it now, and what a
failed send means for their delivery. No I/O: each takes what it needs and returns a value."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.messages import Channel
from core.sending import Outbound, SendReceipt, SentLookup
from outreach.audience import WHATSAPP_WINDOW
from outreach.errors import Action, Verdict, backoff
from outreach.render import placeholders_in, recipient_values, render, unfillable
from storage.repositories.broadcasts import Broadcast
from storage.repositories.deliveries import DeliveryJob, Settlement
from storage.states import DeliveryState, RespondentStatus

# A window that closes within this margin is treated as closed: the template is safer.
_WINDOW_MARGIN = timedelta(minutes=10)


def build_outbound(b: Broadcast, job: DeliveryJob, *, template: bool) -> Outbound:
    values = recipient_values(job.name, job.unit_name)
    channel = Channel(job.channel)
    if template:
        return Outbound(channel, job.address, template_sid=b.template_sid,
                        template_variables={k: render(v, values)
                                            for k, v in b.template_variables.items()})
    return Outbound(channel, job.address, render(b.text, values))


def wants_template(job: DeliveryJob, now: datetime) -> bool:
    """WhatsApp outside the 24-hour window (when the list was made or now), or after the
    provider said so. The choice is stored when the delivery is marked `sending`."""
    if job.channel != Channel.WHATSAPP:
        return False
    window_open = job.last_inbound_at is not None and \
        now - job.last_inbound_at < WHATSAPP_WINDOW - _WINDOW_MARGIN
    return job.use_template or not window_open


def lookup_of(sender: object) -> SentLookup | None:
    """The sender's ability to look a message up, if its channel has one (Twilio)."""
    return sender if isinstance(sender, SentLookup) else None


def placeholders_used(b: Broadcast) -> set[str]:
    """The recipient values the broadcast's text and template variables need."""
    used = placeholders_in(b.text)
    for value in b.template_variables.values():
        used |= placeholders_in(value)
    return used


def skip_reason(b: Broadcast, job: DeliveryJob, used: set[str], now: datetime) -> str | None:
    """Why this delivery must not go out, checked again at send time; None: it may."""
    if job.respondent_status != RespondentStatus.VERIFIED:
        return "erased" if job.respondent_status == RespondentStatus.ERASED else "not_verified"
    if job.opted_out:
        return "opted_out"
    if job.unreachable:
        return "unreachable"
    if unfillable(used, recipient_values(job.name, job.unit_name)):
        return "missing_value"
    if wants_template(job, now) and not b.template_sid:
        return "outside_window_no_template"
    return None


def sent(job: DeliveryJob, receipt: SendReceipt) -> Settlement:
    return Settlement(job.id, DeliveryState.SENT, provider_id=receipt.provider_id,
                      provider_status=receipt.status)


def after_failure(job: DeliveryJob, verdict: Verdict, *, template: bool, has_template: bool,
                  now: datetime, max_attempts: int) -> Settlement:
    """The delivery's next state after a failed attempt (`template`: this attempt was one)."""
    attempts = job.attempts + 1
    code = verdict.code
    if verdict.action is Action.RETRY:
        if attempts >= max_attempts:
            return Settlement(job.id, DeliveryState.FAILED, error_code=code,
                              reason="retries_exhausted")
        delay = max(verdict.retry_after or 0.0, backoff(attempts))
        return Settlement(job.id, DeliveryState.PENDING, error_code=code, reason=verdict.reason,
                          next_attempt_at=now + timedelta(seconds=delay))
    if verdict.action is Action.USE_TEMPLATE:
        if has_template and not template:
            return Settlement(job.id, DeliveryState.PENDING, next_attempt_at=now,
                              use_template=True, error_code=code, reason="fallback_template")
        return Settlement(job.id, DeliveryState.FAILED, error_code=code, reason="outside_window")
    if verdict.action is Action.UNKNOWN:
        # Left in `sending`: reconcile asks the provider once the dust has settled.
        return Settlement(job.id, DeliveryState.SENDING, error_code=code, reason=verdict.reason)
    return Settlement(job.id, DeliveryState.FAILED, error_code=code, reason=verdict.reason)
