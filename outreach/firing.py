"""Firing a due occurrence of a broadcast: its run is created and its audience resolved into
deliveries once, inside the caller's transaction (the worker's scheduled job calls it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.clock import to_text
from core.settings import Settings
from outreach.audience import AudienceFilter, recipients_sql
from outreach.schedule import Schedule
from storage.connection import Connection
from storage.repositories.audit import AuditRepository
from storage.repositories.broadcasts import Broadcast, BroadcastRepository, Run
from storage.states import BroadcastState, DeliveryState, RunState


@dataclass(frozen=True, slots=True)
class FireResult:
    run: Run | None
    missed: bool = False
    coalesced: int = 0


def schedule_of(b: Broadcast) -> Schedule:
    return Schedule(b.schedule_kind, b.timezone, b.run_at, b.recurrence, b.start_date,
                    b.end_date)


class BroadcastFiring:
    def __init__(self, settings: Settings, broadcasts: BroadcastRepository,
                 audit: AuditRepository) -> None:
        self.settings = settings
        self.broadcasts = broadcasts
        self.audit = audit

    async def fire(self, conn: Connection, bid: int, now: datetime) -> FireResult:
        """Start the occurrence that is due: resolve its audience into deliveries once.

        Idempotent: a second call for the same occurrence does nothing. Occurrences missed
        while the bot was down are coalesced into the latest; that one starts if it is within
        the grace period, otherwise it is recorded as missed.
        """
        b = await self.broadcasts.get_for_worker(conn, bid, lock=True)  # one fire at a time
        if b is None or b.id is None \
                or b.state not in (BroadcastState.ACTIVE, BroadcastState.PAUSED) \
                or b.next_due_at is None or b.next_due_at > now:
            return FireResult(None)
        schedule = schedule_of(b)
        due, coalesced = schedule.latest_due(b.next_due_at, now)
        following = schedule.next_at_or_after(due + timedelta(seconds=1))
        grace = timedelta(minutes=self.settings.broadcast_misfire_grace_minutes)
        subject = f"broadcast:{bid}"
        # From here on the worker acts for the broadcast's own institution (on PostgreSQL its
        # row-level security then admits that institution's rows only).
        scope = b.scope
        if coalesced:
            await self.audit.record(conn, now, "system", "broadcast.occurrences_missed",
                                    subject, scope=scope, count=coalesced)
        missed = False
        if b.state == BroadcastState.PAUSED:
            run = await self.broadcasts.create_run(conn, bid, due, RunState.MISSED, now=now,
                                                   note="paused", scope=scope)
            await self.audit.record(conn, now, "system", "broadcast.skipped_paused", subject,
                                    scope=scope, due=to_text(due))
        elif now - due > grace:
            missed = True
            run = await self.broadcasts.create_run(conn, bid, due, RunState.MISSED, now=now,
                                                   note="late", scope=scope)
            await self.audit.record(conn, now, "system", "broadcast.missed", subject,
                                    scope=scope, due=to_text(due),
                                    late_minutes=int((now - due).total_seconds() // 60))
        else:
            run = await self.broadcasts.create_run(conn, bid, due, RunState.RUNNING, now=now,
                                                   canary_size=b.canary_size, scope=scope)
            if run is not None:
                total = await self._resolve(conn, b, run.id, now)
                state = RunState.RUNNING if total else RunState.COMPLETED
                await self.broadcasts.set_run_state(conn, run.id, state, now, total=total,
                                                    scope=scope)
                run = replace(run, total=total, state=state)
                await self.audit.record(conn, now, "system", "broadcast.started", subject,
                                        scope=scope, run=run.id, recipients=total,
                                        due=to_text(due))
        done = following is None and (run is None or run.state != RunState.RUNNING)
        await self.broadcasts.save(conn, replace(
            b, next_due_at=following, state=BroadcastState.COMPLETED if done else b.state), now,
            scope=scope)
        return FireResult(run, missed=missed, coalesced=coalesced)

    async def _resolve(
        self, conn: Connection, b: Broadcast, run_id: int, now: datetime
    ) -> int:
        # The broadcast's own institution's people only, and its deliveries carry it.
        sql, params = recipients_sql(AudienceFilter.from_json(b.audience), now, b.institution_id)
        stamp = to_text(now)
        cur = await conn.execute(
            f"""INSERT INTO deliveries (run_id, broadcast_id, position, respondent_id, channel,
                    address, timezone, use_template, state, attempts, next_attempt_at,
                    updated_at, institution_id)
                SELECT ?, ?, position, respondent_id, channel, address, timezone,
                       closed_window, ?, 0, ?, ?, ? FROM ({sql}) AS recipients""",  # noqa: S608
            [run_id, b.id, DeliveryState.PENDING, stamp, stamp, b.institution_id, *params],
        )
        return max(cur.rowcount, 0)
