"""Broadcasts and their runs: what staff scheduled, and each time it went out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.clock import from_text, to_text
from core.scope import DEFAULT_SCOPE, Scope
from storage.connection import Connection, Row, for_update
from storage.scoping import as_worker, institution_of
from storage.states import ENDED_RUN_STATES, BroadcastState, RunState


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int | None
    text: str
    audience: dict[str, Any]
    schedule_kind: str  # a ScheduleKind
    timezone: str
    state: BroadcastState
    dedupe_hash: str
    created_by: str
    template_sid: str | None = None
    template_variables: dict[str, str] = field(default_factory=dict)
    run_at: datetime | None = None
    recurrence: dict[str, Any] | None = None
    start_date: str | None = None
    end_date: str | None = None
    next_due_at: datetime | None = None
    canary_size: int = 0
    forced: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    job_synced: bool = False
    institution_id: int = 1  # the institution whose staff created it; its audience is its own

    @property
    def scope(self) -> Scope:
        """The broadcast's own institution: what the worker acts for when it fires or ends it."""
        return Scope(self.institution_id)


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    broadcast_id: int
    due_at: datetime
    state: RunState
    total: int
    canary_size: int
    started_at: datetime | None
    finished_at: datetime | None
    note: str | None
    institution_id: int = 1

    @property
    def scope(self) -> Scope:
        return Scope(self.institution_id)


def _dt(value: str | None) -> datetime | None:
    return from_text(value) if value else None


def _txt(value: datetime | None) -> str | None:
    return to_text(value) if value else None


def _from_row(row: Row) -> Broadcast:
    return Broadcast(
        id=row["id"], text=row["text"], audience=json.loads(row["audience"]),
        schedule_kind=row["schedule_kind"], timezone=row["timezone"],
        state=BroadcastState(row["state"]),
        dedupe_hash=row["dedupe_hash"], created_by=row["created_by"],
        template_sid=row["template_sid"],
        template_variables=json.loads(row["template_variables"] or "{}"),
        run_at=_dt(row["run_at"]),
        recurrence=json.loads(row["recurrence"]) if row["recurrence"] else None,
        start_date=row["start_date"], end_date=row["end_date"],
        next_due_at=_dt(row["next_due_at"]), canary_size=row["canary_size"],
        forced=bool(row["forced"]), created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]), job_synced=bool(row["job_synced"]),
        institution_id=int(row["institution_id"]),
    )


def _run_from_row(row: Row) -> Run:
    return Run(row["id"], row["broadcast_id"], from_text(row["due_at"]), RunState(row["state"]),
               row["total"], row["canary_size"], _dt(row["started_at"]),
               _dt(row["finished_at"]), row["note"], int(row["institution_id"]))


class BroadcastRepository:
    """Staff methods take the `scope` of their institution (issue 15); the delivery worker's
    reads by id cross institutions (`get_for_worker`, `get_run`, `sendable_runs`, the
    scheduler's sync; allow-listed in tests/test_scope_scan.py) and then act for the
    broadcast's own institution (`Broadcast.scope`)."""

    async def get_by_id(self, conn: Connection, bid: int, *, scope: Scope = DEFAULT_SCOPE,
                        lock: bool = False) -> Broadcast | None:
        """This institution's broadcast. `lock`: held until the commit (a read that decides
        how the row changes)."""
        institution = institution_of(conn, scope)
        sql = ("SELECT * FROM broadcasts WHERE id = ? AND institution_id = ?"  # noqa: S608
               + (for_update(conn) if lock else ""))
        async with conn.execute(sql, (bid, institution)) as cur:
            row = await cur.fetchone()
        return _from_row(row) if row else None

    async def get_for_worker(self, conn: Connection, bid: int, *,
                             lock: bool = False) -> Broadcast | None:
        """Any institution's broadcast, for the worker that fires and sends it."""
        as_worker(conn)
        sql = "SELECT * FROM broadcasts WHERE id = ?" + (for_update(conn) if lock else "")  # noqa: S608
        async with conn.execute(sql, (bid,)) as cur:
            row = await cur.fetchone()
        return _from_row(row) if row else None

    async def save(self, conn: Connection, b: Broadcast, now: datetime, *,
                   scope: Scope) -> Broadcast:
        """Insert a new broadcast of this institution or update an existing one of it;
        returns it with its id."""
        institution = institution_of(conn, scope)
        values = (
            b.text, b.template_sid, json.dumps(b.template_variables, ensure_ascii=False),
            json.dumps(b.audience, ensure_ascii=False, sort_keys=True), b.schedule_kind,
            _txt(b.run_at), json.dumps(b.recurrence) if b.recurrence else None, b.timezone,
            b.start_date, b.end_date, _txt(b.next_due_at), b.state, b.canary_size,
            b.dedupe_hash, int(b.forced), b.created_by, int(b.job_synced),
        )
        if b.id is None:
            cur = await conn.execute(
                """INSERT INTO broadcasts (text, template_sid, template_variables, audience,
                       schedule_kind, run_at, recurrence, timezone, start_date, end_date,
                       next_due_at, state, canary_size, dedupe_hash, forced, created_by,
                       job_synced, created_at, updated_at, institution_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   RETURNING id""",
                (*values, to_text(now), to_text(now), institution),
            )
            return replace(b, id=int((await cur.fetchone())[0]), created_at=now, updated_at=now,
                           institution_id=institution)
        await conn.execute(
            """UPDATE broadcasts SET text = ?, template_sid = ?, template_variables = ?,
                   audience = ?, schedule_kind = ?, run_at = ?, recurrence = ?, timezone = ?,
                   start_date = ?, end_date = ?, next_due_at = ?, state = ?, canary_size = ?,
                   dedupe_hash = ?, forced = ?, created_by = ?, job_synced = ?, updated_at = ?
               WHERE id = ? AND institution_id = ?""",
            (*values, to_text(now), b.id, institution),
        )
        return replace(b, updated_at=now, institution_id=institution)

    async def list_recent(self, conn: Connection, limit: int = 30, *,
                          scope: Scope = DEFAULT_SCOPE) -> list[Broadcast]:
        async with conn.execute(
            "SELECT * FROM broadcasts WHERE institution_id = ? ORDER BY id DESC LIMIT ?",
            (institution_of(conn, scope), limit),
        ) as cur:
            return [_from_row(row) for row in await cur.fetchall()]

    async def list_unsynced(self, conn: Connection) -> list[Broadcast]:
        as_worker(conn)
        async with conn.execute("SELECT * FROM broadcasts WHERE job_synced = 0") as cur:
            return [_from_row(row) for row in await cur.fetchall()]

    async def list_scheduled(self, conn: Connection) -> list[Broadcast]:
        """Broadcasts with an occurrence still to come (what a new scheduler must hold)."""
        as_worker(conn)
        async with conn.execute(
            "SELECT * FROM broadcasts WHERE state IN (?, ?) AND next_due_at IS NOT NULL",
            (BroadcastState.ACTIVE, BroadcastState.PAUSED),
        ) as cur:
            return [_from_row(row) for row in await cur.fetchall()]

    async def mark_synced(self, conn: Connection, bid: int) -> None:
        as_worker(conn)
        await conn.execute("UPDATE broadcasts SET job_synced = 1 WHERE id = ?", (bid,))

    async def find_duplicate(
        self, conn: Connection, scope: Scope, dedupe_hash: str, since: datetime
    ) -> Broadcast | None:
        """The same broadcast created by this institution since then (another institution
        may send the same text to its own people)."""
        async with conn.execute(
            """SELECT * FROM broadcasts WHERE institution_id = ? AND dedupe_hash = ?
                   AND created_at >= ? AND state != ? ORDER BY id DESC LIMIT 1""",
            (institution_of(conn, scope), dedupe_hash, to_text(since),
             BroadcastState.CANCELLED),
        ) as cur:
            row = await cur.fetchone()
        return _from_row(row) if row else None

    # Runs ---------------------------------------------------------------------------------

    async def create_run(
        self, conn: Connection, bid: int, due_at: datetime, state: RunState, *,
        scope: Scope, now: datetime, note: str | None = None, canary_size: int = 0,
    ) -> Run | None:
        """A run per due time of this institution's broadcast; None when that occurrence
        already has one (fired twice)."""
        cur = await conn.execute(
            """INSERT INTO broadcast_runs (broadcast_id, due_at, state, canary_size, started_at,
                   finished_at, note, created_at, updated_at, institution_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (broadcast_id, due_at) DO NOTHING RETURNING id""",
            (bid, to_text(due_at), state, canary_size,
             to_text(now) if state == RunState.RUNNING else None,
             to_text(now) if state == RunState.MISSED else None, note, to_text(now),
             to_text(now), institution_of(conn, scope)),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        return await self.get_run(conn, int(row[0]))

    async def get_run(self, conn: Connection, run_id: int, *, lock: bool = False) -> Run | None:
        """Any institution's run, for the worker (staff reach runs through `runs_of`)."""
        as_worker(conn)
        sql = "SELECT * FROM broadcast_runs WHERE id = ?" + (for_update(conn) if lock else "")  # noqa: S608
        async with conn.execute(sql, (run_id,)) as cur:
            row = await cur.fetchone()
        return _run_from_row(row) if row else None

    async def runs_of(self, conn: Connection, bid: int, *, scope: Scope) -> list[Run]:
        async with conn.execute(
            "SELECT * FROM broadcast_runs WHERE broadcast_id = ? AND institution_id = ? "
            "ORDER BY id", (bid, institution_of(conn, scope)),
        ) as cur:
            return [_run_from_row(row) for row in await cur.fetchall()]

    async def sendable_runs(self, conn: Connection) -> list[Run]:
        """Runs whose deliveries may go out now: running, and their broadcast not paused."""
        as_worker(conn)
        async with conn.execute(
            """SELECT r.* FROM broadcast_runs r JOIN broadcasts b ON b.id = r.broadcast_id
               WHERE r.state = ? AND b.state = ? ORDER BY r.id""",
            (RunState.RUNNING, BroadcastState.ACTIVE),
        ) as cur:
            return [_run_from_row(row) for row in await cur.fetchall()]

    async def set_run_state(
        self, conn: Connection, run_id: int, state: RunState, now: datetime,
        note: str | None = None, *, scope: Scope, total: int | None = None,
        canary_size: int | None = None,
    ) -> None:
        finished = to_text(now) if state in ENDED_RUN_STATES else None
        await conn.execute(
            """UPDATE broadcast_runs SET state = ?, note = COALESCE(?, note),
                   total = COALESCE(?, total), canary_size = COALESCE(?, canary_size),
                   finished_at = COALESCE(?, finished_at),
                   updated_at = ? WHERE id = ? AND institution_id = ?""",
            (state, note, total, canary_size, finished, to_text(now), run_id,
             institution_of(conn, scope)),
        )
