"""Every state and label a row can hold, once: the migrations' CHECK constraints allow exactly
these values (tests/test_states.py compares them), and SQL binds them as parameters."""

from __future__ import annotations

from enum import StrEnum


class BroadcastState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ScheduleKind(StrEnum):
    NOW = "now"
    ONCE = "once"
    RECURRING = "recurring"


class RunState(StrEnum):
    RUNNING = "running"
    CANARY_WAIT = "canary_wait"  # the first N went out; staff confirm before the rest
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    MISSED = "missed"  # due while no worker ran, past the grace period


# A run still under way: its deliveries may go out (running) or wait for staff (canary).
OPEN_RUN_STATES = (RunState.RUNNING, RunState.CANARY_WAIT)
# A run that ended: it gets its finished_at.
ENDED_RUN_STATES = (RunState.COMPLETED, RunState.CANCELLED, RunState.MISSED)


class DeliveryState(StrEnum):
    """pending -> sending (committed before the provider call) -> sent | failed | skipped |
    unknown; a retryable error moves sending back to pending with a later next attempt."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


# Not settled yet: waiting for its turn, or handed to the provider without an answer.
OPEN_DELIVERY_STATES = (DeliveryState.PENDING, DeliveryState.SENDING)
# Reached the person, or may have: what the reminder cap counts.
REMINDED_STATES = (DeliveryState.SENT, DeliveryState.SENDING, DeliveryState.UNKNOWN)


class RespondentStatus(StrEnum):
    REGISTERED = "registered"
    VERIFIED = "verified"
    ERASED = "erased"


class RespondentSource(StrEnum):
    BOT = "bot"
    IMPORT = "import"


class Category(StrEnum):
    """The SPI respondent category (the stored value; labels for people live in the texts)."""

    INTERNAL = "internal"
    EXTERNAL = "external"
    EXPERT = "expert"


class CheckVerdict(StrEnum):
    """What an authenticity check concluded about a link, number or address."""

    OFFICIAL = "official"
    SUSPICIOUS = "suspicious"
    MANIPULATION = "manipulation"
    UNKNOWN = "unknown"


class InstitutionKind(StrEnum):
    """What an institution is (issue 15): a ministry/agency or a regional government."""

    KEMENTERIAN_LEMBAGA = "kementerian_lembaga"
    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KOTA = "kota"
