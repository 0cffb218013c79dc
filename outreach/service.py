"""What staff can do with broadcasts (create, preview, pause, resume, cancel), shared by the
CLI and the admin chat commands; firing and progress reports live in their own modules.

Every method works inside the caller's write transaction and never calls a provider; the
worker (outreach/worker.py) does the sending.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from core.clock import to_text
from core.scope import DEFAULT_SCOPE, Scope
from core.settings import Settings
from outreach.audience import AudienceFilter, audience_counts_sql
from outreach.firing import BroadcastFiring, FireResult
from outreach.integrity import check_broadcast
from outreach.progress import BroadcastProgress, RunProgress
from outreach.reminders import nearest
from outreach.render import (
    PlaceholderError,
    placeholders_in,
    recipient_values,
    render,
)
from outreach.schedule import Schedule
from storage.connection import Connection
from storage.repositories.audit import AuditEntry, AuditRepository
from storage.repositories.broadcasts import Broadcast, BroadcastRepository
from storage.repositories.deliveries import DeliveryRepository
from storage.scoping import institution_of
from storage.states import OPEN_RUN_STATES, BroadcastState, RunState, ScheduleKind

MAX_TEXT = 1600  # Twilio's WhatsApp body limit; Telegram allows 4096
_TEMPLATE_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
_TEMPLATE_KEY = re.compile(r"^[0-9]{1,2}$")


class BroadcastRefused(Exception):
    """A broadcast cannot be created or changed; `key` names the reason in the catalogue."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.key = reason
        self.values = values


@dataclass(frozen=True, slots=True)
class BroadcastRequest:
    text: str
    audience: AudienceFilter
    schedule: Schedule
    template_sid: str | None = None
    template_variables: dict[str, str] = field(default_factory=dict)
    canary_size: int = 0
    # The template's body as Twilio holds it, read by the caller at preview and at creation;
    # None when it could not be read (then a request with a template is refused).
    template_body: str | None = None
    template_unreadable: str = "not read"


@dataclass(frozen=True, slots=True)
class Preview:
    total: int
    per_channel: dict[str, int]
    closed_window: int  # WhatsApp recipients outside the 24-hour window: they get the template
    sample_channel: str | None
    sample_text: str | None
    sample_template: dict[str, str] | None
    first_due: datetime | None
    schedule_text: str
    audience_text: str


@dataclass(frozen=True, slots=True)
class AudienceCount:
    """Whom an audience reaches now: recipients per channel, how many only by template (closed
    WhatsApp window) or without a name, and the first recipient, whose name and unit render
    the sample. It depends on the audience alone, not on the text or the schedule."""

    per_channel: dict[str, int]
    closed_window: int
    missing_name: int
    sample_channel: str | None
    sample_closed: bool
    sample_name: str | None
    sample_unit: str

    @property
    def total(self) -> int:
        return sum(self.per_channel.values())


def dedupe_hash(req: BroadcastRequest) -> str:
    """Identical text, template and audience give the same hash, whatever the schedule."""
    body = json.dumps({
        "text": " ".join(req.text.split()).casefold(),
        "template": req.template_sid, "variables": req.template_variables,
        "audience": req.audience.to_json(),
    }, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class BroadcastService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.broadcasts = BroadcastRepository()
        self.deliveries = DeliveryRepository()
        self.audit = AuditRepository()
        self._firing = BroadcastFiring(settings, self.broadcasts, self.audit)
        self._progress = BroadcastProgress(settings, self.broadcasts, self.deliveries)

    # Creating -----------------------------------------------------------------------------

    def _check_content(self, req: BroadcastRequest) -> set[str]:
        text = req.text.strip()
        if not text:
            raise BroadcastRefused("broadcast.refuse_empty")
        if len(text) > MAX_TEXT:
            raise BroadcastRefused("broadcast.refuse_too_long", length=len(text), max=MAX_TEXT)
        try:
            used = placeholders_in(text)
            for value in req.template_variables.values():
                used |= placeholders_in(value)
        except PlaceholderError as exc:
            raise BroadcastRefused(exc.key, **exc.values) from None
        if req.template_sid is not None and not _TEMPLATE_SID.match(req.template_sid):
            raise BroadcastRefused("broadcast.refuse_template_sid", sid=req.template_sid)
        if req.template_variables and req.template_sid is None:
            raise BroadcastRefused("broadcast.refuse_variables_without_template")
        for key, value in req.template_variables.items():
            if not _TEMPLATE_KEY.match(key) or not value.strip():
                raise BroadcastRefused("broadcast.refuse_template_variable", variable=key)
        if req.canary_size < 0:
            raise BroadcastRefused("broadcast.refuse_canary")
        self._check_integrity(req)
        return used

    @staticmethod
    def _check_integrity(req: BroadcastRequest) -> None:
        """Every text a recipient may read passes the integrity check, whoever asks."""
        if req.template_sid is not None and req.template_body is None:
            raise BroadcastRefused("broadcast.refuse_template_unreadable",
                                   sid=req.template_sid, problem=req.template_unreadable)
        verdict = check_broadcast(req.text.strip(), req.template_body, req.template_variables)
        if not verdict.allowed:
            raise BroadcastRefused(f"broadcast.refuse_integrity_{verdict.reasons[0]}",
                                   suggestion=nearest(verdict.reasons))

    async def check_off_loop(self, req: BroadcastRequest,
                             now: datetime) -> tuple[set[str], datetime]:
        """`check` on a worker thread: the integrity check's model second opinion takes ~35 ms
        a text (and loads the model, ~1 s, on first use), which must not stall the event loop
        that answers webhooks and the console."""
        return await asyncio.to_thread(self.check, req, now)

    def check(self, req: BroadcastRequest, now: datetime) -> tuple[set[str], datetime]:
        """What can be refused before anyone is counted (text, template, integrity, schedule);
        returns the placeholders the texts use and the first due time."""
        used = self._check_content(req)
        first_due = req.schedule.first_due(now)
        grace = timedelta(minutes=self.settings.broadcast_misfire_grace_minutes)
        if first_due is None:
            raise BroadcastRefused("broadcast.refuse_no_occurrence")
        if req.schedule.kind == ScheduleKind.ONCE and first_due < now - grace:
            raise BroadcastRefused("broadcast.refuse_past")
        return used, first_due

    async def count_audience(
        self, conn: Connection, audience: AudienceFilter, now: datetime, *,
        scope: Scope = DEFAULT_SCOPE,
    ) -> AudienceCount:
        """The audience evaluated once: a grouped count per channel and window (SQL), then the
        first recipient's name and unit for the sample (one row by primary key). Only the
        scope's institution's own people (issue 15)."""
        sql, params = audience_counts_sql(audience, now, institution_of(conn, scope))
        per_channel: dict[str, int] = {}
        closed = missing_name = 0
        first: tuple[int, str, bool] | None = None
        async with conn.execute(sql, params) as cur:
            for channel, closed_window, count, unnamed, first_id in await cur.fetchall():
                per_channel[channel] = per_channel.get(channel, 0) + int(count)
                closed += int(count) if closed_window else 0
                missing_name += int(unnamed or 0)
                if first is None or int(first_id) < first[0]:
                    first = (int(first_id), channel, bool(closed_window))
        if first is None:
            return AudienceCount({}, 0, 0, None, False, None, "")
        async with conn.execute(
            """SELECT r.name, u.name AS unit_name FROM respondents r
               JOIN units u ON u.code = r.unit_code WHERE r.id = ?""", (first[0],),
        ) as cur:
            row = await cur.fetchone()
        return AudienceCount(per_channel, closed, missing_name, first[1], first[2],
                             row["name"] if row else None, row["unit_name"] if row else "")

    def preview_of(
        self, req: BroadcastRequest, used: set[str], first_due: datetime, count: AudienceCount
    ) -> Preview:
        """The preview of a checked request (`check`) over its counted audience; refuses an
        empty audience, a missing name the text needs, or a closed window without template."""
        if count.total == 0 or count.sample_channel is None:
            raise BroadcastRefused("broadcast.refuse_no_recipients")
        if "nama" in used and count.missing_name:
            raise BroadcastRefused("broadcast.refuse_missing_name", count=count.missing_name)
        if count.closed_window and req.template_sid is None:
            raise BroadcastRefused("broadcast.refuse_no_template", count=count.closed_window)
        values = recipient_values(count.sample_name, count.sample_unit)
        sample_template = None
        if count.sample_closed:
            sample_template = {k: render(v, values) for k, v in req.template_variables.items()}
        return Preview(
            total=count.total, per_channel=dict(count.per_channel),
            closed_window=count.closed_window, sample_channel=count.sample_channel,
            sample_text=render(req.text.strip(), values), sample_template=sample_template,
            first_due=first_due, schedule_text=req.schedule.describe(),
            audience_text=req.audience.describe(),
        )

    async def preview(
        self, conn: Connection, req: BroadcastRequest, now: datetime, *,
        scope: Scope = DEFAULT_SCOPE,
    ) -> Preview:
        """Counts, a rendered sample and the first due time; refuses what cannot go out.
        Always counts afresh (creation relies on it; the console's live check may reuse a
        count a few seconds old: bot/console/data.py)."""
        used, first_due = await self.check_off_loop(req, now)
        return self.preview_of(req, used, first_due,
                               await self.count_audience(conn, req.audience, now,
                                                         scope=scope))

    async def create(
        self, conn: Connection, req: BroadcastRequest, actor: str, now: datetime,
        *, force: bool = False, scope: Scope = DEFAULT_SCOPE,
    ) -> tuple[Broadcast, Preview]:
        preview = await self.preview(conn, req, now, scope=scope)
        digest = dedupe_hash(req)
        window = timedelta(hours=self.settings.broadcast_duplicate_window_hours)
        if not force and window:
            earlier = await self.broadcasts.find_duplicate(conn, scope, digest, now - window)
            if earlier is not None:
                raise BroadcastRefused("broadcast.refuse_duplicate", id=earlier.id,
                                       hours=self.settings.broadcast_duplicate_window_hours)
        s = req.schedule
        broadcast = await self.broadcasts.save(conn, Broadcast(
            id=None, text=req.text.strip(), audience=req.audience.to_json(),
            schedule_kind=s.kind, timezone=s.timezone, state=BroadcastState.ACTIVE,
            dedupe_hash=digest,
            created_by=actor, template_sid=req.template_sid,
            template_variables=dict(req.template_variables), run_at=s.run_at,
            recurrence=s.recurrence, start_date=s.start_date, end_date=s.end_date,
            next_due_at=preview.first_due, canary_size=req.canary_size, forced=force,
        ), now, scope=scope)
        await self.audit.record(
            conn, now, actor, "broadcast.created", f"broadcast:{broadcast.id}", scope=scope,
            recipients=preview.total, channels=preview.per_channel, schedule=s.kind,
            first_due=to_text(preview.first_due) if preview.first_due else None,
            canary=req.canary_size, forced=force, template=req.template_sid is not None,
        )
        return broadcast, preview

    # Staff controls -----------------------------------------------------------------------

    async def _get(self, conn: Connection, bid: int, scope: Scope) -> Broadcast:
        """This institution's broadcast; another institution's is "not found"."""
        broadcast = await self.broadcasts.get_by_id(conn, bid, scope=scope,
                                                    lock=True)  # staff change it
        if broadcast is None:
            raise BroadcastRefused("broadcast.not_found", id=bid)
        return broadcast

    async def pause(
        self, conn: Connection, bid: int, actor: str, now: datetime, *,
        scope: Scope = DEFAULT_SCOPE,
    ) -> Broadcast:
        b = await self._get(conn, bid, scope)
        if b.state != BroadcastState.ACTIVE:
            raise BroadcastRefused("broadcast.cannot_pause", id=bid, state=b.state)
        b = await self.broadcasts.save(conn, replace(b, state=BroadcastState.PAUSED), now,
                                       scope=scope)
        await self.audit.record(conn, now, actor, "broadcast.paused", f"broadcast:{bid}",
                                scope=scope)
        return b

    async def resume(
        self, conn: Connection, bid: int, actor: str, now: datetime, *,
        scope: Scope = DEFAULT_SCOPE,
    ) -> Broadcast:
        """Resume a paused broadcast, or confirm a canary so the rest of the list follows."""
        b = await self._get(conn, bid, scope)
        canaries = [r for r in await self.broadcasts.runs_of(conn, bid, scope=scope)
                    if r.state == RunState.CANARY_WAIT]
        if b.state != BroadcastState.PAUSED and not canaries:
            raise BroadcastRefused("broadcast.cannot_resume", id=bid, state=b.state)
        if b.state == BroadcastState.PAUSED:
            b = await self.broadcasts.save(conn, replace(b, state=BroadcastState.ACTIVE), now,
                                           scope=scope)
        for run in canaries:
            await self.broadcasts.set_run_state(conn, run.id, RunState.RUNNING, now,
                                                canary_size=0, scope=scope)
        await self.audit.record(conn, now, actor, "broadcast.resumed", f"broadcast:{bid}",
                                scope=scope,
                                canary_confirmed=bool(canaries))
        return b

    async def cancel(
        self, conn: Connection, bid: int, actor: str, now: datetime, *,
        scope: Scope = DEFAULT_SCOPE,
    ) -> tuple[Broadcast, int]:
        b = await self._get(conn, bid, scope)
        if b.state in (BroadcastState.CANCELLED, BroadcastState.COMPLETED):
            raise BroadcastRefused("broadcast.cannot_cancel", id=bid, state=b.state)
        skipped = 0
        for run in await self.broadcasts.runs_of(conn, bid, scope=scope):
            if run.state in OPEN_RUN_STATES:
                skipped += await self.deliveries.skip_open(conn, run.id, "cancelled", now,
                                                           scope=scope)
                await self.broadcasts.set_run_state(conn, run.id, RunState.CANCELLED, now,
                                                    note="cancelled", scope=scope)
        b = await self.broadcasts.save(conn, replace(
            b, state=BroadcastState.CANCELLED, next_due_at=None, job_synced=False), now,
            scope=scope)
        await self.audit.record(conn, now, actor, "broadcast.cancelled", f"broadcast:{bid}",
                                scope=scope,
                                not_sent=skipped)
        return b, skipped

    # Firing and reports -------------------------------------------------------------------

    async def fire(self, conn: Connection, bid: int, now: datetime) -> FireResult:
        """Start the occurrence that is due (see outreach/firing.py)."""
        return await self._firing.fire(conn, bid, now)

    async def alerts(self, conn: Connection, bid: int, *,
                     scope: Scope = DEFAULT_SCOPE) -> list[AuditEntry]:
        """Staff alerts about this institution's broadcast (missed, canary waiting, error
        burst...)."""
        return await self._progress.alerts(conn, bid, scope=scope)

    async def progress(
        self, conn: Connection, bid: int, now: datetime, *, scope: Scope = DEFAULT_SCOPE,
    ) -> tuple[Broadcast, list[RunProgress]]:
        b = await self._get(conn, bid, scope)
        return b, await self._progress.of_runs(conn, b, now, scope=scope)
