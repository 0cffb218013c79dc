"""Sends the deliveries of running broadcasts: exactly once, paced, quiet at night.

Per group of deliveries: claim (re-check opt-out and data at send time), mark `sending` and
commit, then call the provider, then settle the outcomes in one transaction. A crash between
the two commits leaves `sending` rows, which `reconcile` resolves without re-sending blindly:
a channel that can look messages up (Twilio) is asked; otherwise (Telegram) the delivery is
reported as unknown. Groups on a rate-limited channel are small (about half a second of
sends), so a crash leaves few deliveries in doubt.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.clock import Clock
from core.messages import Channel
from core.sending import LookupUnavailable, Outbound, Sender, SendError, SentLookup
from outreach.audience import WHATSAPP_WINDOW
from outreach.errors import Action, Verdict, backoff, classify
from outreach.limiter import Priority, RateLimiter
from outreach.notify import StaffNotifier
from outreach.quiet_hours import QuietHours
from outreach.render import placeholders_in, recipient_values, render, unfillable
from storage.database import Database
from storage.repositories.audit import AuditRepository
from storage.repositories.broadcasts import Broadcast, BroadcastRepository, Run
from storage.repositories.deliveries import DeliveryJob, DeliveryRepository, Settlement
from storage.repositories.identities import IdentityRepository
from storage.repositories.respondents import RespondentRepository

logger = logging.getLogger(__name__)

# A window that closes within this margin is treated as closed: the template is safer.
_WINDOW_MARGIN = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    quiet: QuietHours = field(default_factory=QuietHours)
    batch_size: int = 200
    # Sends of one channel waiting for an answer at once. Below the HTTP clients' 64
    # connections, so a citizen's reply always finds one free; and the next group is claimed
    # only once this one's sends are under way, so claims never race ahead of the network
    # (thousands of queued requests cost ~15% more CPU each).
    max_in_flight: int = 48
    lookahead_seconds: float = 0.5  # how much of a rate-limited channel one group holds
    # Where a lost answer cannot be looked up (Telegram), a crash leaves the claimed group
    # unknown: those groups stay small.
    blind_group: int = 5
    max_attempts: int = 6
    reconcile_after: timedelta = timedelta(seconds=60)
    round_seconds: float = 5.0  # wall time one sending round may take
    # A lane's recent outcomes are watched: when many recipients look unreachable at once,
    # it is more likely a provider or configuration problem than people's own choice.
    burst_window: int = 50
    burst_ratio: float = 0.4
    suspicious_min: int = 5  # from here opt-out signals are recorded but not acted on
    burst_min: int = 20  # from here the broadcast is paused and staff are told


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
    if job.channel != "whatsapp":
        return False
    window_open = job.last_inbound_at is not None and \
        now - job.last_inbound_at < WHATSAPP_WINDOW - _WINDOW_MARGIN
    return job.use_template or not window_open


def lookup_of(sender: object) -> SentLookup | None:
    """The sender's ability to look a message up, if its channel has one (Twilio)."""
    return sender if isinstance(sender, SentLookup) else None


@dataclass
class _Lane:
    """One channel of one run; remembers recent outcomes to spot a burst of failures."""

    run: Run
    broadcast: Broadcast
    channel: str
    recent: deque[bool] = field(default_factory=deque)


class Dispatcher:
    def __init__(
        self, db: Database, senders: Mapping[str, Sender], *,
        limiters: Mapping[str, RateLimiter], clock: Clock, config: DispatchConfig,
        notifier: StaffNotifier | None = None,
    ) -> None:
        self._db = db
        self._senders = dict(senders)
        self._limiters = dict(limiters)
        self._clock = clock
        self._config = config
        self._notifier = notifier
        self._broadcasts = BroadcastRepository()
        self._deliveries = DeliveryRepository()
        self._respondents = RespondentRepository()
        self._identities = IdentityRepository()
        self._audit = AuditRepository()
        self._stopping = False
        self._round = asyncio.Lock()  # one sending round at a time in this process
        self._in_flight: dict[str, asyncio.Semaphore] = {}
        self.sent = 0

    def stop(self) -> None:
        self._stopping = True

    def add_sender(self, channel: str, sender: Sender) -> None:
        """A channel that became available after start-up."""
        self._senders[channel] = sender

    # Sending ------------------------------------------------------------------------------

    async def send_due(self) -> datetime | None:
        """Send everything that may go out now; returns when something else becomes due."""
        async with self._round:
            return await self._send_due()

    async def _send_due(self) -> datetime | None:
        async with self._db.reading() as conn:
            runs = await self._broadcasts.sendable_runs(conn)
        lanes: list[_Lane] = []
        for run in runs:
            async with self._db.reading() as conn:
                broadcast = await self._broadcasts.get_by_id(conn, run.broadcast_id)
            channels = await self._open_channels(run.id)
            if broadcast is not None:
                lanes.extend(_Lane(run, broadcast, c) for c in channels if c in self._senders)
        # All lanes at once (channels share their limiter), and for a bounded time, so the
        # worker regularly picks up new broadcasts and resolves stale deliveries.
        deadline = time.monotonic() + self._config.round_seconds
        results = await asyncio.gather(*(self._drain(lane, deadline) for lane in lanes))
        wakes: list[datetime] = []
        for run in runs:
            if await self._finish_run(run.id) == "running":
                wakes.extend(w for lane, w in zip(lanes, results, strict=True)
                             if w is not None and lane.run.id == run.id)
        return min(wakes, default=None)

    async def _open_channels(self, run_id: int) -> list[str]:
        async with self._db.reading() as conn, conn.execute(
            "SELECT DISTINCT channel FROM deliveries WHERE run_id = ? AND state = 'pending'",
            (run_id,),
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def _still_sendable(self, run_id: int) -> Run | None:
        async with self._db.reading() as conn:
            runs = await self._broadcasts.sendable_runs(conn)
        return next((r for r in runs if r.id == run_id), None)

    def _group_size(self, limiter: RateLimiter | None, sender: Sender) -> int:
        size = self._config.batch_size
        if limiter is not None:
            size = min(size, math.ceil(limiter.rate * self._config.lookahead_seconds))
        if lookup_of(sender) is None:
            size = min(size, self._config.blind_group)
        return max(1, size)

    async def _drain(self, lane: _Lane, deadline: float) -> datetime | None:
        sender = self._senders[lane.channel]
        limiter = self._limiters.get(lane.channel)
        quiet = self._config.quiet
        size = self._group_size(limiter, sender)
        async with self._db.reading() as conn:
            zones = await self._deliveries.pending_zones(conn, lane.run.id, lane.channel)
        used = placeholders_in(lane.broadcast.text)
        for value in lane.broadcast.template_variables.values():
            used |= placeholders_in(value)
        # Pipelined where a lost answer can be looked up (WhatsApp): the next group is
        # claimed while the current one is paced out, and starts as soon as the current one's
        # last send has started; outcomes are settled in order in the background. On Telegram
        # a crash would leave two groups unknown instead of one, so groups go one by one.
        overlap = lookup_of(sender) is not None
        settling: asyncio.Future[None] | None = None
        claim = await self._claim(lane, zones, used, size)
        try:
            while claim is not None:
                now, ready = claim
                started = asyncio.Event()
                outcomes = asyncio.ensure_future(
                    self._send_paced(lane.broadcast, ready, sender, limiter, now, started=started))
                following = asyncio.ensure_future(self._claim(lane, zones, used, size)) \
                    if overlap and not self._stopping else None
                settling = asyncio.ensure_future(self._settle_in_order(settling, lane, outcomes))
                if following is None:
                    await settling
                    claim = None
                else:
                    await started.wait()
                    claim = await following
                if claim is None:
                    # Claimed before the last group settled, or not claimed yet.
                    if settling is not None:
                        await settling
                    claim = await self._claim(lane, zones, used, size)
                if claim is not None and time.monotonic() >= deadline:
                    await self._release(claim[1])
                    if settling is not None:
                        await settling
                    return self._clock.now()  # more is due: the next round goes on
                if claim is not None and (self._stopping
                                          or await self._still_sendable(lane.run.id) is None):
                    # Paused or stopped while this group was being claimed: not one of them
                    # reached a provider, so they simply go back to the queue.
                    await self._release(claim[1])
                    claim = None
        finally:
            if settling is not None:
                await settling
        now = self._clock.now()
        async with self._db.reading() as conn:
            waiting = await self._deliveries.next_attempts(conn, lane.run.id, lane.channel)
        # Per zone: the earliest retry, moved past that zone's quiet hours.
        return min((quiet.resume_at(max(at, now), zone) for zone, at in waiting.items()),
                   default=None)

    def _skip_reason(self, b: Broadcast, job: DeliveryJob, used: set[str],
                     now: datetime) -> str | None:
        if job.respondent_status != "verified":
            return "erased" if job.respondent_status == "erased" else "not_verified"
        if job.opted_out:
            return "opted_out"
        if job.unreachable:
            return "unreachable"
        if unfillable(used, recipient_values(job.name, job.unit_name)):
            return "missing_value"
        if wants_template(job, now) and not b.template_sid:
            return "outside_window_no_template"
        return None

    async def _claim(
        self, lane: _Lane, zones: Sequence[str], used: set[str], size: int
    ) -> tuple[datetime, list[DeliveryJob]] | None:
        """The next due group, re-checked at send time and marked `sending` (committed);
        None when nothing more may go out now."""
        while not self._stopping:
            run = await self._still_sendable(lane.run.id)
            if run is None:
                return None
            now = self._clock.now()
            open_zones = [z for z in zones if not self._config.quiet.is_quiet(now, z)]
            async with self._db.reading() as conn:
                jobs = await self._deliveries.due(
                    conn, run.id, lane.channel, now=now, zones=open_zones, limit=size,
                    max_position=run.canary_size or None)
            if not jobs:
                return None
            skips, ready = [], []
            for job in jobs:
                reason = self._skip_reason(lane.broadcast, job, used, now)
                if reason:
                    skips.append(Settlement(job.id, "skipped", reason=reason))
                else:
                    ready.append(job)
            async with self._db.transaction() as conn:
                await self._deliveries.settle(conn, skips, now)
                claimed = await self._deliveries.mark_sending(
                    conn, [(j.id, wants_template(j, now)) for j in ready], now)
            ready = [j for j in ready if j.id in claimed]
            if ready:
                return now, ready
        return None

    async def _send_paced(
        self, b: Broadcast, jobs: Sequence[DeliveryJob], sender: Sender,
        limiter: RateLimiter | None, now: datetime, *, started: asyncio.Event,
    ) -> list[tuple[DeliveryJob, Settlement, Verdict | None]]:
        """Each send starts as soon as its turn in the limiter comes; the group waits in the
        limiter as one waiter, so pacing costs the same however large the group. `started`
        is set once every send of the group has started."""
        attempts = []
        slots = self._in_flight.setdefault(
            str(sender.channel), asyncio.Semaphore(self._config.max_in_flight))
        try:
            for job in jobs:
                await slots.acquire()
                if limiter is not None:
                    try:
                        await limiter.acquire(job.address, Priority.BULK)
                    except BaseException:
                        slots.release()
                        raise
                attempt = asyncio.ensure_future(self._attempt(b, job, sender, limiter, now))
                attempt.add_done_callback(lambda _: slots.release())
                attempts.append(attempt)
        finally:
            started.set()
        return list(await asyncio.gather(*attempts))

    async def _settle_in_order(
        self, previous: asyncio.Future[None] | None, lane: _Lane,
        outcomes: asyncio.Future[list[tuple[DeliveryJob, Settlement, Verdict | None]]],
    ) -> None:
        if previous is not None:
            await previous
        await self._settle(lane, await outcomes)

    async def _release(self, jobs: Sequence[DeliveryJob]) -> None:
        async with self._db.transaction() as conn:
            await self._deliveries.release(conn, [j.id for j in jobs], self._clock.now())

    async def _attempt(
        self, b: Broadcast, job: DeliveryJob, sender: Sender, limiter: RateLimiter | None,
        now: datetime,
    ) -> tuple[DeliveryJob, Settlement, Verdict | None]:
        template = wants_template(job, now)
        message = build_outbound(b, job, template=template)
        try:
            receipt = await sender.send(message)
        except SendError as exc:
            verdict = classify(exc, job.channel)
        except Exception:  # a bug or a broken connection: the request may have gone out
            logger.exception("Pengiriman siaran %s gagal dengan galat tak terduga", b.id)
            verdict = Verdict(Action.UNKNOWN, "unknown_outcome")
        else:
            self.sent += 1
            return job, Settlement(job.id, "sent", provider_id=receipt.provider_id,
                                   provider_status=receipt.status), None
        return job, self._decide(b, job, verdict, template, limiter), verdict

    def _decide(self, b: Broadcast, job: DeliveryJob, verdict: Verdict, template: bool,
                limiter: RateLimiter | None) -> Settlement:
        now = self._clock.now()
        attempts = job.attempts + 1
        if verdict.action is Action.RETRY:
            if verdict.retry_after and limiter is not None:
                limiter.hold_off(verdict.retry_after)
            if attempts >= self._config.max_attempts:
                return Settlement(job.id, "failed", error_code=verdict.code,
                                  reason="retries_exhausted")
            delay = max(verdict.retry_after or 0.0, backoff(attempts))
            return Settlement(job.id, "pending", next_attempt_at=now + timedelta(seconds=delay),
                              error_code=verdict.code, reason=verdict.reason)
        if verdict.action is Action.USE_TEMPLATE:
            if b.template_sid and not template:
                return Settlement(job.id, "pending", next_attempt_at=now, use_template=True,
                                  error_code=verdict.code, reason="fallback_template")
            return Settlement(job.id, "failed", error_code=verdict.code,
                              reason="outside_window")
        if verdict.action is Action.UNKNOWN:
            # Left in `sending`: reconcile() asks the provider once the dust has settled.
            return Settlement(job.id, "sending", error_code=verdict.code, reason=verdict.reason)
        return Settlement(job.id, "failed", error_code=verdict.code, reason=verdict.reason)

    async def _settle(
        self, lane: _Lane, outcomes: Sequence[tuple[DeliveryJob, Settlement, Verdict | None]]
    ) -> None:
        now = self._clock.now()
        config = self._config
        for _job, _settlement, verdict in outcomes:
            lane.recent.append(bool(verdict and verdict.unreachable))
            while len(lane.recent) > config.burst_window:
                lane.recent.popleft()
        bad = sum(lane.recent)
        many = bool(lane.recent) and bad / len(lane.recent) >= config.burst_ratio
        suspicious = many and bad >= config.suspicious_min
        burst = many and bad >= config.burst_min
        settlements = []
        async with self._db.transaction() as conn:
            for job, outcome, verdict in outcomes:
                settlement = outcome
                if verdict is not None and verdict.unreachable and suspicious:
                    # Too many at once to be people's own choice: staff decide, nobody is
                    # opted out or marked unreachable on this evidence.
                    settlement = Settlement(job.id, "failed", error_code=verdict.code,
                                            reason=f"{verdict.reason}_unconfirmed")
                elif verdict is not None and verdict.unreachable:
                    await self._identities.mark_unreachable(conn, job.channel, job.address,
                                                            verdict.reason, now)
                    if verdict.opt_out:
                        await self._respondents.set_opted_out(conn, job.respondent_id, now)
                        await self._audit.record(
                            conn, now, "system", "respondent.opted_out",
                            f"respondent:{job.respondent_id}", channel=job.channel,
                            signal=verdict.code or verdict.reason)
                settlements.append(settlement)
            await self._deliveries.settle(conn, settlements, now)
            paused = False
            if burst:
                b = await self._broadcasts.get_by_id(conn, lane.broadcast.id or 0)
                if b is not None and b.state == "active":
                    await self._broadcasts.save(conn, _with_state(b, "paused"), now)
                    await self._audit.record(
                        conn, now, "system", "broadcast.paused",
                        f"broadcast:{b.id}", reason="error_burst", channel=lane.channel,
                        unreachable=bad, of=len(lane.recent))
                    paused = True
        if paused and self._notifier is not None:
            await self._notifier.alert(f"broadcast:{lane.broadcast.id}",
                                       "broadcast.alert_burst", id=lane.broadcast.id,
                                       channel=lane.channel, count=bad, of=len(lane.recent))

    async def _finish_run(self, run_id: int) -> str | None:
        """Complete the run, or stop it after its canary; returns its state."""
        now = self._clock.now()
        alert: tuple[str, dict[str, object]] | None = None
        subject = ""
        async with self._db.transaction() as conn:
            run = await self._broadcasts.get_run(conn, run_id)
            if run is None or run.state != "running":
                return run.state if run else None
            state = run.state
            subject = f"broadcast:{run.broadcast_id}"
            if not await self._deliveries.has_open(conn, run.id):
                await self._broadcasts.set_run_state(conn, run.id, "completed", now)
                state = "completed"
                b = await self._broadcasts.get_by_id(conn, run.broadcast_id)
                if b is not None and b.next_due_at is None and b.state == "active":
                    await self._broadcasts.save(conn, _with_state(b, "completed"), now)
                await self._audit.record(conn, now, "system", "broadcast.run_completed",
                                         subject, run=run.id)
                alert = ("broadcast.alert_completed", {"id": run.broadcast_id})
            elif run.canary_size and not await self._deliveries.open_before(
                    conn, run.id, run.canary_size):
                await self._broadcasts.set_run_state(conn, run.id, "canary_wait", now)
                state = "canary_wait"
                await self._audit.record(conn, now, "system", "broadcast.canary_sent",
                                         subject, run=run.id, canary=run.canary_size)
                alert = ("broadcast.alert_canary", {"id": run.broadcast_id,
                                                    "count": run.canary_size})
        if alert and self._notifier is not None:
            await self._notifier.alert(subject, alert[0], **alert[1])
        return state

    # After a crash ------------------------------------------------------------------------

    async def reconcile(self, *, startup: bool = False) -> int:
        """Resolve deliveries stuck in `sending`; at start-up all of them (nothing of ours is
        in flight), later only those older than `reconcile_after`. Returns how many."""
        async with self._round:
            return await self._reconcile(startup=startup)

    async def _reconcile(self, *, startup: bool) -> int:
        now = self._clock.now()
        cutoff = now if startup else now - self._config.reconcile_after
        resolved, after = 0, 0
        cache: dict[int, Broadcast | None] = {}
        while True:
            async with self._db.reading() as conn:
                page = await self._deliveries.in_flight(conn, after_id=after)
            if not page:
                return resolved
            after = page[-1][0].id
            settlements = []
            for job, sending_at in page:
                if sending_at is not None and sending_at > cutoff:
                    continue
                if job.broadcast_id not in cache:
                    async with self._db.reading() as conn:
                        cache[job.broadcast_id] = await self._broadcasts.get_by_id(
                            conn, job.broadcast_id)
                b = cache[job.broadcast_id]
                settlement = await self._reconcile_one(b, job, sending_at or now)
                if settlement is not None:
                    settlements.append(settlement)
            if settlements:
                async with self._db.transaction() as conn:
                    await self._deliveries.settle(conn, settlements, now)
                resolved += len(settlements)

    async def _reconcile_one(self, b: Broadcast | None, job: DeliveryJob,
                             sending_at: datetime) -> Settlement | None:
        sender = self._senders.get(job.channel)
        lookup = lookup_of(sender)
        if b is None or lookup is None:
            return Settlement(job.id, "unknown", reason="outcome_unknown")
        message = build_outbound(b, job, template=job.use_template)
        try:
            receipt = await lookup.find_sent(message, sending_at - timedelta(seconds=5))
        except LookupUnavailable:
            return None  # ask again later; never guess
        if receipt is None:
            # The provider has no such message: sending it now is the first time.
            return Settlement(job.id, "pending", next_attempt_at=self._clock.now(),
                              reason="not_received_by_provider")
        return Settlement(job.id, "sent", provider_id=receipt.provider_id,
                          provider_status=receipt.status, reason="confirmed_after_restart")


def _with_state(b: Broadcast, state: str) -> Broadcast:
    return replace(b, state=state)
