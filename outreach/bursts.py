"""Bursts of failures: when many recipients of one lane look unreachable at once, it is more
likely a provider or configuration problem than people's own choice, so nobody is opted out
on that evidence; from a larger count the broadcast is paused and staff are told."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime

from outreach.errors import Verdict
from storage.connection import Connection
from storage.repositories.audit import AuditRepository
from storage.repositories.broadcasts import Broadcast, BroadcastRepository, Run
from storage.repositories.deliveries import DeliveryJob, Settlement
from storage.states import BroadcastState, DeliveryState


@dataclass
class Lane:
    """One channel of one run; remembers recent outcomes to spot a burst of failures."""

    run: Run
    broadcast: Broadcast
    channel: str
    recent: deque[bool] = field(default_factory=deque)


@dataclass(frozen=True, slots=True)
class BurstCheck:
    bad: int  # unreachable outcomes among the lane's recent ones
    of: int  # recent outcomes looked at
    suspicious: bool  # record the failures, act on none of them
    burst: bool  # pause the broadcast and tell staff


@dataclass(frozen=True, slots=True)
class BurstWatch:
    window: int  # how many recent outcomes of a lane count
    ratio: float  # the unreachable share from which they look suspicious
    suspicious_min: int
    burst_min: int

    def record(self, lane: Lane, verdicts: list[Verdict | None]) -> BurstCheck:
        """Add a group's outcomes to the lane's recent ones and judge them."""
        for verdict in verdicts:
            lane.recent.append(bool(verdict and verdict.unreachable))
            while len(lane.recent) > self.window:
                lane.recent.popleft()
        bad = sum(lane.recent)
        many = bool(lane.recent) and bad / len(lane.recent) >= self.ratio
        return BurstCheck(bad, len(lane.recent), many and bad >= self.suspicious_min,
                          many and bad >= self.burst_min)


def unconfirmed(job: DeliveryJob, verdict: Verdict) -> Settlement:
    """A failure seen during a burst: failed, but its opt-out signal is not acted on."""
    return Settlement(job.id, DeliveryState.FAILED, error_code=verdict.code,
                      reason=f"{verdict.reason}_unconfirmed")


async def pause_for_burst(
    conn: Connection, lane: Lane, check: BurstCheck, now: datetime, *,
    broadcasts: BroadcastRepository, audit: AuditRepository,
) -> bool:
    """Pause the lane's broadcast (if still active) and audit why; True when it was paused."""
    b = await broadcasts.get_for_worker(conn, lane.broadcast.id or 0)
    if b is None or b.state != BroadcastState.ACTIVE:
        return False
    await broadcasts.save(conn, replace(b, state=BroadcastState.PAUSED), now, scope=b.scope)
    await audit.record(conn, now, "system", "broadcast.paused", f"broadcast:{b.id}",
                       scope=b.scope,
                       reason="error_burst", channel=lane.channel, unreachable=check.bad,
                       of=check.of)
    return True
