"""Sends the deliveries of running broadcasts: exactly once, paced, quiet at night.

Per group of deliveries: claim (re-check opt-out and data at send time), mark `sending` and
commit, then call the provider, then settle the outcomes in one transaction. A crash between
the two commits leaves `sending` rows, which outreach/reconcile.py resolves without sending
blindly again. Groups on a rate-limited channel are small (about half a second of sends), so
a crash leaves few deliveries in doubt.

What to send and what a failure means are pure decisions (outreach/decisions.py); bursts of
failures are judged in outreach/bursts.py. The rest stays whole here, past 300 lines, because
claim, send and settle form one pipeline sharing its state: the round lock, the in-flight
slots per channel and the lanes' order of settling.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.clock import Clock
from core.scope import DEFAULT_SCOPE
from core.sending import Sender, SendError
from outreach import cap as reminder_cap
from outreach.bursts import BurstWatch, Lane, pause_for_burst, unconfirmed
from outreach.decisions import (
    after_failure,
    build_outbound,
    lookup_of,
    placeholders_used,
    sent,
    skip_reason,
    wants_template,
)
from outreach.errors import Action, Verdict, classify
from outreach.limiter import Priority, RateLimiter
from outreach.notify import StaffNotifier
from outreach.quiet_hours import QuietHours
from outreach.reconcile import LiveWorkers, Reconciler
from storage.database import Database
from storage.repositories.audit import AuditRepository
from storage.repositories.broadcasts import Broadcast, BroadcastRepository, Run
from storage.repositories.deliveries import DeliveryJob, DeliveryRepository, Settlement
from storage.repositories.identities import IdentityRepository
from storage.repositories.respondents import RespondentRepository
from storage.states import BroadcastState, DeliveryState, RunState

logger = logging.getLogger(__name__)

Outcome = tuple[DeliveryJob, Settlement, Verdict | None]


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
    # Several workers: a worker seen dead this long has its deliveries in doubt resolved by
    # another (a process that only lost its database session stops within a second and its
    # sends under way end within the HTTP timeout).
    takeover_after: timedelta = timedelta(seconds=20)
    round_seconds: float = 5.0  # wall time one sending round may take
    # A lane's recent outcomes are watched: when many recipients look unreachable at once,
    # it is more likely a provider or configuration problem than people's own choice.
    burst_window: int = 50
    burst_ratio: float = 0.4
    suspicious_min: int = 5  # from here opt-out signals are recorded but not acted on
    burst_min: int = 20  # from here the broadcast is paused and staff are told
    cap: reminder_cap.ReminderCap = field(default_factory=reminder_cap.ReminderCap)


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
        self._bursts = BurstWatch(config.burst_window, config.burst_ratio,
                                  config.suspicious_min, config.burst_min)
        self._reconciler = Reconciler(db, self._senders, clock=clock,
                                      reconcile_after=config.reconcile_after,
                                      takeover_after=config.takeover_after)
        self.worker_id: int | None = None  # among several workers; None when alone
        self.sent = 0

    def stop(self) -> None:
        self._stopping = True

    def resume(self) -> None:
        """Send again after `stop` (a worker that joined the others anew)."""
        self._stopping = False

    def join(self, worker_id: int, live: LiveWorkers) -> None:
        """Send as one of several workers: claims carry `worker_id`; crash recovery touches
        only the deliveries of workers not in `live()`."""
        self.worker_id = worker_id
        self._reconciler.join(worker_id, live)

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
        lanes: list[Lane] = []
        for run in runs:
            async with self._db.reading() as conn:
                broadcast = await self._broadcasts.get_for_worker(conn, run.broadcast_id)
            channels = await self._open_channels(run.id)
            if broadcast is not None:
                lanes.extend(Lane(run, broadcast, c) for c in channels if c in self._senders)
        # All lanes at once (channels share their limiter), and for a bounded time, so the
        # worker regularly picks up new broadcasts and resolves stale deliveries.
        deadline = time.monotonic() + self._config.round_seconds
        results = await asyncio.gather(*(self._drain(lane, deadline) for lane in lanes))
        wakes: list[datetime] = []
        for run in runs:
            if await self._finish_run(run.id) == RunState.RUNNING:
                wakes.extend(w for lane, w in zip(lanes, results, strict=True)
                             if w is not None and lane.run.id == run.id)
        return min(wakes, default=None)

    async def _open_channels(self, run_id: int) -> list[str]:
        async with self._db.reading() as conn:
            return await self._deliveries.pending_channels(conn, run_id)

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

    async def _drain(self, lane: Lane, deadline: float) -> datetime | None:
        sender = self._senders[lane.channel]
        limiter = self._limiters.get(lane.channel)
        quiet = self._config.quiet
        size = self._group_size(limiter, sender)
        async with self._db.reading() as conn:
            zones = await self._deliveries.pending_zones(conn, lane.run.id, lane.channel)
        used = placeholders_used(lane.broadcast)
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

    async def _claim(
        self, lane: Lane, zones: Sequence[str], used: set[str], size: int
    ) -> tuple[datetime, list[DeliveryJob]] | None:
        """The next due group, re-checked at send time and marked `sending` (committed);
        None when nothing more may go out now."""
        while not self._stopping:
            run = await self._still_sendable(lane.run.id)
            if run is None:
                return None
            now = self._clock.now()
            open_zones = [z for z in zones if not self._config.quiet.is_quiet(now, z)]
            # One transaction: read and lock the next group (rows another worker is claiming
            # are skipped, on PostgreSQL), re-check, cap, mark `sending`, commit.
            async with self._db.transaction() as conn:
                jobs = await self._deliveries.due(
                    conn, run.id, lane.channel, now=now, zones=open_zones, limit=size,
                    max_position=run.canary_size or None, claim=True)
                if not jobs:
                    return None
                skips, ready = [], []
                for job in jobs:
                    reason = skip_reason(lane.broadcast, job, used, now)
                    if reason:
                        skips.append(Settlement(job.id, DeliveryState.SKIPPED, reason=reason))
                    else:
                        ready.append(job)
                # The reminder cap, counted in this transaction (outreach/cap.py), one worker
                # at a time per person.
                if self._config.cap.active:
                    await self._deliveries.lock_recipients(conn, [j.respondent_id for j in ready])
                capped = await reminder_cap.over_cap(
                    conn, self._config.cap, [j.respondent_id for j in ready], now)
                skips += [Settlement(j.id, DeliveryState.SKIPPED, reason=reminder_cap.CAPPED)
                          for j in ready if j.respondent_id in capped]
                ready = [j for j in ready if j.respondent_id not in capped]
                await self._deliveries.settle(conn, skips, now)
                claimed = await self._deliveries.mark_sending(
                    conn, [(j.id, wants_template(j, now)) for j in ready], now, self.worker_id)
            ready = [j for j in ready if j.id in claimed]
            if ready:
                return now, ready
        return None

    async def _send_paced(
        self, b: Broadcast, jobs: Sequence[DeliveryJob], sender: Sender,
        limiter: RateLimiter | None, now: datetime, *, started: asyncio.Event,
    ) -> list[Outcome]:
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
        self, previous: asyncio.Future[None] | None, lane: Lane,
        outcomes: asyncio.Future[list[Outcome]],
    ) -> None:
        if previous is not None:
            await previous
        await self._settle(lane, await outcomes)

    async def _release(self, jobs: Sequence[DeliveryJob]) -> None:
        """Claimed, never sent: back to the queue, or skipped when staff cancelled the run
        meanwhile (its other deliveries were skipped by the cancel)."""
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await self._deliveries.release(conn, [j.id for j in jobs], now)
            for run_id in {j.run_id for j in jobs}:
                run = await self._broadcasts.get_run(conn, run_id)
                if run is not None and run.state == RunState.CANCELLED:
                    await self._deliveries.skip_open(conn, run_id, "cancelled", now,
                                                     scope=run.scope)

    async def _attempt(
        self, b: Broadcast, job: DeliveryJob, sender: Sender, limiter: RateLimiter | None,
        now: datetime,
    ) -> Outcome:
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
            return job, sent(job, receipt), None
        if verdict.action is Action.RETRY and verdict.retry_after and limiter is not None:
            limiter.hold_off(verdict.retry_after)  # the whole channel waits, not this one
        return job, after_failure(job, verdict, template=template,
                                  has_template=bool(b.template_sid), now=self._clock.now(),
                                  max_attempts=self._config.max_attempts), verdict

    async def _settle(self, lane: Lane, outcomes: Sequence[Outcome]) -> None:
        now = self._clock.now()
        check = self._bursts.record(lane, [verdict for _, _, verdict in outcomes])
        settlements = []
        async with self._db.transaction() as conn:
            # In respondent order: another worker's claim locks respondents in that order too.
            for job, outcome, verdict in sorted(outcomes, key=lambda o: o[0].respondent_id):
                settlement = outcome
                if verdict is not None and verdict.unreachable and check.suspicious:
                    # Too many at once to be people's own choice: staff decide, nobody is
                    # opted out or marked unreachable on this evidence.
                    settlement = unconfirmed(job, verdict)
                elif verdict is not None and verdict.unreachable:
                    await self._identities.mark_unreachable(conn, job.channel, job.address,
                                                            verdict.reason, now)
                    if verdict.opt_out:
                        await self._respondents.opt_out_for_delivery(conn, job.respondent_id, now)
                        await self._audit.record(
                            conn, now, "system", "respondent.opted_out",
                            f"respondent:{job.respondent_id}", scope=lane.broadcast.scope,
                            channel=job.channel,
                            signal=verdict.code or verdict.reason)
                settlements.append(settlement)
            await self._deliveries.settle(conn, settlements, now)
            paused = check.burst and await pause_for_burst(
                conn, lane, check, now, broadcasts=self._broadcasts, audit=self._audit)
        if paused and self._notifier is not None:
            await self._notifier.alert(f"broadcast:{lane.broadcast.id}",
                                       "broadcast.alert_burst", scope=lane.broadcast.scope,
                                       id=lane.broadcast.id,
                                       channel=lane.channel, count=check.bad, of=check.of)

    async def _finish_run(self, run_id: int) -> RunState | None:
        """Complete the run, or stop it after its canary; returns its state."""
        now = self._clock.now()
        alert: tuple[str, dict[str, object]] | None = None
        alert_scope = DEFAULT_SCOPE
        subject = ""
        async with self._db.transaction() as conn:
            run = await self._broadcasts.get_run(conn, run_id)
            if run is None or run.state != RunState.RUNNING:
                return run.state if run else None
            # The broadcast's row before the run's, in the order staff's pause, resume and
            # cancel and the firing lock them: two workers, or a worker and staff, never wait
            # on each other in a circle.
            b = await self._broadcasts.get_for_worker(conn, run.broadcast_id, lock=True)
            run = await self._broadcasts.get_run(conn, run_id, lock=True)
            if run is None or run.state != RunState.RUNNING:
                return run.state if run else None
            state: RunState = run.state
            subject = f"broadcast:{run.broadcast_id}"
            alert_scope = run.scope
            if not await self._deliveries.has_open(conn, run.id):
                await self._broadcasts.set_run_state(conn, run.id, RunState.COMPLETED, now,
                                                     scope=run.scope)
                state = RunState.COMPLETED
                if b is not None and b.next_due_at is None and b.state == BroadcastState.ACTIVE:
                    await self._broadcasts.save(conn, replace(b, state=BroadcastState.COMPLETED),
                                                now, scope=b.scope)
                await self._audit.record(conn, now, "system", "broadcast.run_completed",
                                         subject, scope=run.scope, run=run.id)
                alert = ("broadcast.alert_completed", {"id": run.broadcast_id})
            elif run.canary_size and not await self._deliveries.open_before(
                    conn, run.id, run.canary_size):
                await self._broadcasts.set_run_state(conn, run.id, RunState.CANARY_WAIT, now,
                                                     scope=run.scope)
                state = RunState.CANARY_WAIT
                await self._audit.record(conn, now, "system", "broadcast.canary_sent",
                                         subject, scope=run.scope, run=run.id,
                                         canary=run.canary_size)
                alert = ("broadcast.alert_canary", {"id": run.broadcast_id,
                                                    "count": run.canary_size})
        if alert and self._notifier is not None:
            await self._notifier.alert(subject, alert[0], scope=alert_scope, **alert[1])
        return state

    # After a crash ------------------------------------------------------------------------

    async def reconcile(self, *, startup: bool = False) -> int:
        """Resolve deliveries stuck in `sending` (see outreach/reconcile.py); never during a
        sending round of this process. Returns how many."""
        async with self._round:
            return await self._reconciler.run(startup=startup)
