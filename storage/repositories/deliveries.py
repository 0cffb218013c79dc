"""Deliveries: one row per recipient per broadcast run, moved through a small state machine
(storage.states.DeliveryState)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from core.scope import Scope
from storage.connection import Connection, Row
from storage.scoping import as_worker, institution_of
from storage.states import REMINDED_STATES, DeliveryState

_PENDING, _SENDING, _SENT = DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT
# The partial index deliveries_in_flight (on the sending state) serves only a query that
# names the same value as SQL text: a bound parameter would make SQLite scan every delivery.
_IN_FLIGHT = f"d.state = '{_SENDING}'"


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A due delivery with what sending it needs, read just before it is claimed."""

    id: int
    run_id: int
    broadcast_id: int
    position: int
    respondent_id: int
    channel: str
    address: str
    timezone: str
    use_template: bool
    attempts: int
    name: str | None
    unit_name: str
    respondent_status: str
    opted_out: bool
    unreachable: bool
    last_inbound_at: datetime | None


@dataclass(frozen=True, slots=True)
class Settlement:
    """How one claimed delivery ended (or why it goes back to the queue)."""

    id: int
    state: DeliveryState  # pending: retry later; sending: left for reconcile to verify
    provider_id: str | None = None
    provider_status: str | None = None
    next_attempt_at: datetime | None = None
    use_template: bool | None = None
    error_code: str | None = None
    reason: str | None = None


_JOB_COLUMNS = """d.id, d.run_id, d.broadcast_id, d.position, d.respondent_id, d.channel,
    d.address, d.timezone, d.use_template, d.attempts, r.name, u.name AS unit_name,
    r.status AS respondent_status, r.opted_out_at, ci.unreachable_at, ci.last_inbound_at"""

_JOB_JOINS = """FROM deliveries d
    JOIN respondents r ON r.id = d.respondent_id
    JOIN units u ON u.code = r.unit_code
    LEFT JOIN channel_identities ci ON ci.channel = d.channel AND ci.address = d.address"""


def _job(row: Row) -> DeliveryJob:
    return DeliveryJob(
        id=row["id"], run_id=row["run_id"], broadcast_id=row["broadcast_id"],
        position=row["position"], respondent_id=row["respondent_id"], channel=row["channel"],
        address=row["address"], timezone=row["timezone"], use_template=bool(row["use_template"]),
        attempts=row["attempts"], name=row["name"], unit_name=row["unit_name"],
        respondent_status=row["respondent_status"], opted_out=row["opted_out_at"] is not None,
        unreachable=row["unreachable_at"] is not None,
        last_inbound_at=from_text(row["last_inbound_at"]) if row["last_inbound_at"] else None,
    )


def _skip_locked(conn: Connection) -> str:
    """On PostgreSQL, the rows read are locked until the commit and rows another worker has
    locked are passed over, so several workers claim different deliveries side by side;
    nothing on SQLite (one writer, one worker)."""
    return " FOR UPDATE OF d SKIP LOCKED" if conn.dialect == "postgresql" else ""


class DeliveryRepository:
    """The delivery worker's methods cross institutions: they hold deliveries, runs and
    respondents by id, all reached from a run the worker read (allow-listed in
    tests/test_scope_scan.py). What staff reach (`skip_open` when they cancel, `counts` for
    progress) takes the institution's `scope`."""

    async def due(
        self, conn: Connection, run_id: int, channel: str, *, now: datetime,
        zones: Sequence[str], limit: int, max_position: int | None = None,
        claim: bool = False,
    ) -> list[DeliveryJob]:
        """Pending deliveries of one run and channel that may go out now, in list order.
        `claim` (inside the claiming transaction): lock them, skipping those another worker
        is claiming."""
        as_worker(conn)
        if not zones:
            return []
        marks = ", ".join("?" for _ in zones)
        sql = (f"SELECT {_JOB_COLUMNS} {_JOB_JOINS} "
               f"WHERE d.run_id = ? AND d.channel = ? AND d.state = ? "
               f"AND d.next_attempt_at <= ? AND d.timezone IN ({marks}) ")
        params: list[object] = [run_id, channel, _PENDING, to_text(now), *zones]
        if max_position is not None:
            sql += "AND d.position <= ? "
            params.append(max_position)
        sql += "ORDER BY d.position LIMIT ?" + (_skip_locked(conn) if claim else "")
        params.append(limit)
        async with conn.execute(sql, params) as cur:
            return [_job(row) for row in await cur.fetchall()]

    async def mark_sending(
        self, conn: Connection, claims: Sequence[tuple[int, bool]], now: datetime,
        worker_id: int | None = None,
    ) -> set[int]:
        """Claim (id, use_template) pairs before the provider is called, for `worker_id` (None:
        the one worker of the database); returns the ids that were still pending, the only
        ones the caller may send."""
        as_worker(conn)
        if not claims:
            return set()
        stamp = to_text(now)
        await conn.executemany(
            """UPDATE deliveries SET state = ?, attempts = attempts + 1, sending_at = ?,
                   use_template = ?, worker_id = ?, updated_at = ? WHERE id = ? AND state = ?""",
            [(_SENDING, stamp, int(template), worker_id, stamp, i, _PENDING)
             for i, template in claims],
        )
        marks = ", ".join("?" for _ in claims)
        async with conn.execute(
            f"SELECT id FROM deliveries WHERE id IN ({marks}) "  # noqa: S608 - placeholders
            "AND state = ? AND sending_at = ? AND worker_id IS NOT DISTINCT FROM ?",
            [*(i for i, _ in claims), _SENDING, stamp, worker_id],
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def lock_recipients(self, conn: Connection, respondent_ids: Sequence[int]) -> None:
        """On PostgreSQL, hold the respondents' rows until the commit (in id order, so two
        workers never wait on each other in a circle): the reminder cap is counted and the
        claim written by one worker at a time per person. SQLite's one writer does this."""
        as_worker(conn)
        if conn.dialect != "postgresql" or not respondent_ids:
            return
        ids = sorted(set(respondent_ids))
        marks = ", ".join("?" for _ in ids)
        await conn.execute_fetchall(
            f"SELECT id FROM respondents WHERE id IN ({marks}) "  # noqa: S608 - placeholders
            "ORDER BY id FOR UPDATE", ids)

    async def settle(
        self, conn: Connection, settlements: Iterable[Settlement], now: datetime
    ) -> None:
        as_worker(conn)
        stamp = to_text(now)
        await conn.executemany(
            """UPDATE deliveries SET state = ?, provider_id = COALESCE(?, provider_id),
                   provider_status = COALESCE(?, provider_status),
                   sent_at = CASE WHEN ? = 1 THEN ? ELSE sent_at END,
                   next_attempt_at = COALESCE(?, next_attempt_at),
                   use_template = COALESCE(?, use_template), error_code = ?, reason = ?,
                   updated_at = ?
               WHERE id = ? AND state IN (?, ?)""",
            [(s.state, s.provider_id, s.provider_status, s.state == _SENT, stamp,
              to_text(s.next_attempt_at) if s.next_attempt_at else None,
              None if s.use_template is None else int(s.use_template),
              s.error_code, s.reason, stamp, s.id, _PENDING, _SENDING) for s in settlements],
        )

    async def release(
        self, conn: Connection, ids: Sequence[int], now: datetime
    ) -> None:
        """Claimed but never handed to a provider: back to the queue, attempt not counted."""
        as_worker(conn)
        await conn.executemany(
            """UPDATE deliveries SET state = ?, attempts = attempts - 1,
                   sending_at = NULL, worker_id = NULL, updated_at = ?
               WHERE id = ? AND state = ?""",
            [(_PENDING, to_text(now), i, _SENDING) for i in ids],
        )

    async def in_flight(
        self, conn: Connection, limit: int = 500, after_id: int = 0, *,
        worker_id: int | None = None,
    ) -> list[tuple[DeliveryJob, datetime | None]]:
        """Deliveries left in `sending`: after a crash their outcome is unknown. With
        `worker_id`, only that worker's."""
        as_worker(conn)
        owner = "" if worker_id is None else "AND d.worker_id = ? "
        async with conn.execute(
            f"SELECT {_JOB_COLUMNS}, d.sending_at {_JOB_JOINS} "
            f"WHERE {_IN_FLIGHT} {owner}AND d.id > ? ORDER BY d.id LIMIT ?",
            (after_id, limit) if worker_id is None else (worker_id, after_id, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [(_job(r), from_text(r["sending_at"]) if r["sending_at"] else None)
                for r in rows]

    async def in_flight_workers(self, conn: Connection) -> set[int | None]:
        """The workers with deliveries in `sending` (None: the one worker of the database)."""
        as_worker(conn)
        async with conn.execute(
            f"SELECT DISTINCT d.worker_id FROM deliveries d WHERE {_IN_FLIGHT}"  # noqa: S608
        ) as cur:
            return {None if row[0] is None else int(row[0]) for row in await cur.fetchall()}

    async def adopt(
        self, conn: Connection, dead: int | None, worker_id: int, now: datetime
    ) -> list[int]:
        """A dead worker's deliveries in `sending` become `worker_id`'s to resolve; returns
        their ids. One statement: two workers adopting at once never both get a delivery."""
        as_worker(conn)
        async with conn.execute(
            f"""UPDATE deliveries SET worker_id = ?, updated_at = ?
                WHERE state = '{_SENDING}' AND worker_id IS NOT DISTINCT FROM ?
                RETURNING id""",  # noqa: S608 - a constant (the partial index's own text)
            (worker_id, to_text(now), dead),
        ) as cur:
            return [int(row[0]) for row in await cur.fetchall()]

    async def has_open(self, conn: Connection, run_id: int) -> bool:
        """True while some delivery of the run is pending or in flight."""
        as_worker(conn)
        async with conn.execute(
            "SELECT 1 FROM deliveries WHERE run_id = ? AND state IN (?, ?) LIMIT 1",
            (run_id, _PENDING, _SENDING),
        ) as cur:
            return await cur.fetchone() is not None

    async def open_before(
        self, conn: Connection, run_id: int, position: int
    ) -> bool:
        as_worker(conn)
        async with conn.execute(
            """SELECT 1 FROM deliveries WHERE run_id = ? AND position <= ?
                   AND state IN (?, ?) LIMIT 1""",
            (run_id, position, _PENDING, _SENDING),
        ) as cur:
            return await cur.fetchone() is not None

    async def next_attempts(
        self, conn: Connection, run_id: int, channel: str
    ) -> dict[str, datetime]:
        """The earliest next attempt of pending deliveries, per recipient time zone."""
        as_worker(conn)
        async with conn.execute(
            """SELECT timezone, MIN(next_attempt_at) FROM deliveries
               WHERE run_id = ? AND channel = ? AND state = ? GROUP BY timezone""",
            (run_id, channel, _PENDING),
        ) as cur:
            return {row[0]: from_text(row[1]) for row in await cur.fetchall()}

    async def pending_channels(self, conn: Connection, run_id: int) -> list[str]:
        as_worker(conn)
        async with conn.execute(
            "SELECT DISTINCT channel FROM deliveries WHERE run_id = ? AND state = ?",
            (run_id, _PENDING),
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def pending_zones(
        self, conn: Connection, run_id: int, channel: str
    ) -> list[str]:
        as_worker(conn)
        async with conn.execute(
            """SELECT DISTINCT timezone FROM deliveries
               WHERE run_id = ? AND channel = ? AND state = ?""",
            (run_id, channel, _PENDING),
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def skip_open(
        self, conn: Connection, run_id: int, reason: str, now: datetime, *, scope: Scope
    ) -> int:
        """Cancel: every delivery of this institution's run not yet handed to a provider is
        skipped."""
        cur = await conn.execute(
            """UPDATE deliveries SET state = ?, reason = ?, updated_at = ?
               WHERE run_id = ? AND state = ? AND institution_id = ?""",
            (DeliveryState.SKIPPED, reason, to_text(now), run_id, _PENDING,
             institution_of(conn, scope)),
        )
        return cur.rowcount

    async def counts(
        self, conn: Connection, run_id: int, *, scope: Scope
    ) -> list[tuple[str, str, str | None, str | None, int]]:
        """(channel, state, provider status, reason, count) for progress reports; the status
        is the latest from the provider's callbacks (outbound_messages), else the receipt's."""
        async with conn.execute(
            """SELECT d.channel, d.state, COALESCE(o.status, d.provider_status) AS status,
                      d.reason, COUNT(*)
               FROM deliveries d LEFT JOIN outbound_messages o ON o.provider_id = d.provider_id
               WHERE d.run_id = ? AND d.institution_id = ?
               GROUP BY d.channel, d.state, COALESCE(o.status, d.provider_status), d.reason""",
            (run_id, institution_of(conn, scope)),
        ) as cur:
            return [(r[0], r[1], r[2], r[3], int(r[4])) for r in await cur.fetchall()]

    async def reminders_since(
        self, conn: Connection, respondent_ids: Sequence[int], week_start: datetime,
        season_start: datetime,
    ) -> dict[int, tuple[int, int]]:
        """Per respondent: reminders that went out (or may have) since each date, across every
        broadcast, for the reminder cap (outreach/cap.py)."""
        as_worker(conn)
        if not respondent_ids:
            return {}
        marks = ",".join("?" * len(respondent_ids))
        week, season = to_text(week_start), to_text(season_start)
        async with conn.execute(
            f"""SELECT respondent_id,
                       SUM(CASE WHEN COALESCE(sent_at, sending_at) >= ? THEN 1 ELSE 0 END),
                       SUM(CASE WHEN COALESCE(sent_at, sending_at) >= ? THEN 1 ELSE 0 END)
                FROM deliveries
                WHERE respondent_id IN ({marks}) AND state IN (?, ?, ?)
                  AND COALESCE(sent_at, sending_at) >= ?
                GROUP BY respondent_id""",  # noqa: S608 (only "?" marks are interpolated)
            [week, season, *respondent_ids, *REMINDED_STATES, min(week, season)],
        ) as cur:
            return {int(r[0]): (int(r[1]), int(r[2])) for r in await cur.fetchall()}
