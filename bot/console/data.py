"""Everything the staff console reads or writes, in one place, through the existing services.

Every tenant read and write takes the `Scope` built from the logged-in staff member
(`scope_of`) and hands it to the repositories and services (issue 15), which filter by the
institution and, on PostgreSQL, switch the transaction to its row-level security. Staff of an
institution see and change that institution's units, respondents, lists, broadcasts, audit
entries and colleagues only; another institution's row asked for by id is "not found" (404).
The national scope reaches aggregates only (`storage.scoping.ScopeRefused` from any method
on one institution's data; the routes already refuse it by role, core/roles.py).

`AccountStore` keeps the console's own rows (migration 0022): credentials, sessions, one-time
links and uploads waiting for confirmation; nothing there names a respondent.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from zoneinfo import ZoneInfo

from bot.app import App
from bot.console.auth import (
    IDLE,
    LINK_VALID,
    LOCK_AFTER,
    LOCK_FOR,
    MAX_AGE,
    StaffMember,
    new_token,
    token_hash,
)
from core.clock import from_text, to_text
from core.roles import StaffRole
from core.scope import NATIONAL, Scope
from inspectorate.import_plan import ImportOptions, ImportPlan, plan_import
from inspectorate.incoming_file import MAX_FILE_BYTES, FileRefused
from inspectorate.quality import UnitQuality, quality_by_unit
from inspectorate.respondent_import import ImportResult, import_file, read_sheet, write_report
from inspectorate.stats import (
    Section,
    collect,
    csv_rows,
    daily_registrations,
    small,
    status_counts,
)
from outreach.notify import STAFF_ALERT
from outreach.progress import RunProgress
from outreach.service import (
    AudienceCount,
    BroadcastRequest,
    BroadcastService,
    Preview,
)
from storage.connection import Connection, Row
from storage.personal_data import PersonalRecord, erase_respondent, record_of
from storage.queries import fetch_all, fetch_one, fetch_value
from storage.repositories.audit import AuditEntry, AuditRepository
from storage.repositories.broadcasts import Broadcast, BroadcastRepository
from storage.repositories.imports import ImportRepository
from storage.repositories.units import Unit, UnitTaken

if TYPE_CHECKING:
    from inspectorate.institutions import Institution
from storage.scoping import institution_of
from storage.states import BroadcastState, RespondentSource, RespondentStatus

T = TypeVar("T")
UPLOAD_KEPT = timedelta(hours=1)
PAGE_SIZE = 50
_WIB = ZoneInfo("Asia/Jakarta")


def scope_of(member: StaffMember) -> Scope:
    """The one place a staff member becomes a Scope."""
    return NATIONAL if member.role == StaffRole.NATIONAL else Scope(member.institution_id)


class NotFound(Exception):
    """Not there, or not this institution's: the console answers 404 either way."""


# --- accounts ----------------------------------------------------------------------------------

_MEMBER = """SELECT s.id, s.institution_id, i.code AS institution_code,
                    i.name AS institution_name, s.role, s.username, s.display_name,
                    c.totp_secret IS NOT NULL AS has_totp
             FROM staff s LEFT JOIN institutions i ON i.id = s.institution_id
             LEFT JOIN staff_credentials c ON c.staff_id = s.id"""


def _member(row: Row) -> StaffMember:
    return StaffMember(int(row["id"]), row["institution_id"], row["institution_code"],
                       row["institution_name"], StaffRole(row["role"]), row["username"],
                       row["display_name"], bool(row["has_totp"]))


@dataclass(frozen=True, slots=True)
class Credentials:
    member: StaffMember
    password_hash: str | None
    totp_secret: str | None
    totp_last_step: int | None
    failed_attempts: int
    locked_until: datetime | None
    disabled: bool


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    member: StaffMember
    form_token: str
    second_factor: bool  # password right, TOTP code still owed
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class StaffRow:
    member: StaffMember
    created_at: str
    disabled_at: str | None
    password_set: bool
    sessions: int


@dataclass(frozen=True, slots=True)
class Upload:
    id: int
    staff_id: int
    file_name: str
    sha256: str
    data: bytes
    options: ImportOptions
    created_at: datetime


class AccountStore:
    """Staff accounts, credentials, sessions, links and staged uploads (migration 0022)."""

    async def institution(self, conn: Connection, code: str) -> tuple[int, str] | None:
        row = await fetch_one(conn, "SELECT id, name FROM institutions WHERE code = ?",
                              (code.strip().upper(),))
        return (int(row["id"]), row["name"]) if row else None

    async def add_staff(self, conn: Connection, *, institution_id: int | None, role: StaffRole,
                        username: str, display_name: str, now: datetime) -> int:
        cur = await conn.execute(
            """INSERT INTO staff (institution_id, role, username, display_name, created_at)
               VALUES (?, ?, ?, ?, ?) RETURNING id""",
            (institution_id, role, username, display_name, to_text(now)))
        staff_id = int((await cur.fetchone())[0])
        await conn.execute(
            "INSERT INTO staff_credentials (staff_id, updated_at) VALUES (?, ?)",
            (staff_id, to_text(now)))
        return staff_id

    async def username_taken(self, conn: Connection, username: str) -> bool:
        return await fetch_one(conn, "SELECT 1 FROM staff WHERE username = ?",
                               (username,)) is not None

    async def issue_link(self, conn: Connection, staff_id: int, now: datetime) -> str:
        """A one-time link token to set the password; earlier unused links stop working."""
        await conn.execute(
            "UPDATE staff_tokens SET used_at = ? WHERE staff_id = ? AND used_at IS NULL",
            (to_text(now), staff_id))
        token = new_token()
        await conn.execute(
            """INSERT INTO staff_tokens (token_hash, staff_id, purpose, created_at, expires_at)
               VALUES (?, ?, 'set_password', ?, ?)""",
            (token_hash(token), staff_id, to_text(now), to_text(now + LINK_VALID)))
        return token

    async def link_owner(self, conn: Connection, token: str, now: datetime) -> StaffMember | None:
        """Whose one-time link this is, while it is unused, unexpired and the account on."""
        row = await fetch_one(
            conn, f"""{_MEMBER} JOIN staff_tokens t ON t.staff_id = s.id
                      WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ?
                        AND s.disabled_at IS NULL""",
            (token_hash(token), to_text(now)))
        return _member(row) if row else None

    async def use_link(self, conn: Connection, token: str, password_hash: str,
                       now: datetime) -> StaffMember | None:
        member = await self.link_owner(conn, token, now)
        if member is None:
            return None
        await conn.execute("UPDATE staff_tokens SET used_at = ? WHERE token_hash = ?",
                           (to_text(now), token_hash(token)))
        await self.set_password(conn, member.id, password_hash, now)
        return member

    async def set_password(self, conn: Connection, staff_id: int, password_hash: str,
                           now: datetime) -> None:
        await conn.execute(
            """UPDATE staff_credentials SET password_hash = ?, password_set_at = ?,
                   failed_attempts = 0, locked_until = NULL, updated_at = ?
               WHERE staff_id = ?""",
            (password_hash, to_text(now), to_text(now), staff_id))

    async def credentials(self, conn: Connection, username: str) -> Credentials | None:
        row = await fetch_one(
            conn, f"""{_MEMBER.replace("SELECT ", "SELECT c.password_hash, c.totp_secret, "
                                        "c.totp_last_step, c.failed_attempts, c.locked_until, "
                                        "s.disabled_at, ", 1)}
                      WHERE s.username = ?""",
            (username,))
        if row is None:
            return None
        return Credentials(
            _member(row), row["password_hash"], row["totp_secret"], row["totp_last_step"],
            int(row["failed_attempts"] or 0),
            from_text(row["locked_until"]) if row["locked_until"] else None,
            row["disabled_at"] is not None)

    async def credentials_of(self, conn: Connection, staff_id: int) -> Credentials | None:
        name = await fetch_value(conn, "SELECT username FROM staff WHERE id = ?", (staff_id,))
        return await self.credentials(conn, name) if name else None

    async def failed_login(self, conn: Connection, staff_id: int, now: datetime) -> bool:
        """Counts a wrong password; the fifth in a row locks the account. True when locked."""
        cur = await conn.execute(
            """UPDATE staff_credentials SET failed_attempts = failed_attempts + 1,
                   updated_at = ? WHERE staff_id = ? RETURNING failed_attempts""",
            (to_text(now), staff_id))
        row = await cur.fetchone()
        if row is None or int(row[0]) < LOCK_AFTER:
            return False
        await conn.execute(
            """UPDATE staff_credentials SET failed_attempts = 0, locked_until = ?
               WHERE staff_id = ?""", (to_text(now + LOCK_FOR), staff_id))
        return True

    async def login_succeeded(self, conn: Connection, staff_id: int, now: datetime,
                              new_hash: str | None = None) -> None:
        await conn.execute(
            """UPDATE staff_credentials SET failed_attempts = 0, locked_until = NULL,
                   password_hash = COALESCE(?, password_hash), updated_at = ?
               WHERE staff_id = ?""", (new_hash, to_text(now), staff_id))

    async def accept_totp(self, conn: Connection, staff_id: int, step: int) -> None:
        await conn.execute("UPDATE staff_credentials SET totp_last_step = ? WHERE staff_id = ?",
                           (step, staff_id))

    async def set_totp(self, conn: Connection, staff_id: int, secret: str | None,
                       step: int | None, now: datetime) -> None:
        await conn.execute(
            """UPDATE staff_credentials SET totp_secret = ?, totp_last_step = ?, updated_at = ?
               WHERE staff_id = ?""", (secret, step, to_text(now), staff_id))

    # Sessions ---------------------------------------------------------------------------------

    async def open_session(self, conn: Connection, staff_id: int, now: datetime, *,
                           second_factor: bool) -> str:
        """A new session; returns the cookie value (only its hash is stored)."""
        token = new_token()
        await conn.execute(
            """INSERT INTO staff_sessions (token_hash, staff_id, form_token, second_factor,
                   created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (token_hash(token), staff_id, new_token(), int(second_factor), to_text(now),
             to_text(now), to_text(now + MAX_AGE)))
        return token

    async def session(self, conn: Connection, token: str, now: datetime) -> SessionInfo | None:
        """The live session of this cookie: not revoked, not idle past IDLE, not expired, its
        staff member not disabled."""
        row = await fetch_one(
            conn, f"""{_MEMBER.replace("SELECT ", "SELECT x.id AS session_id, x.form_token, "
                                        "x.second_factor, x.last_seen_at, ", 1)}
                      JOIN staff_sessions x ON x.staff_id = s.id
                      WHERE x.token_hash = ? AND x.revoked_at IS NULL AND x.expires_at > ?
                        AND x.last_seen_at > ? AND s.disabled_at IS NULL""",
            (token_hash(token), to_text(now), to_text(now - IDLE)))
        if row is None:
            return None
        return SessionInfo(int(row["session_id"]), _member(row), row["form_token"],
                           bool(row["second_factor"]), from_text(row["last_seen_at"]))

    async def touch(self, conn: Connection, session_id: int, now: datetime) -> None:
        await conn.execute("UPDATE staff_sessions SET last_seen_at = ? WHERE id = ?",
                           (to_text(now), session_id))

    async def second_factor_done(self, conn: Connection, session_id: int) -> str:
        """The session is complete; it gets a new form token (a fresh start after login)."""
        token = new_token()
        await conn.execute(
            "UPDATE staff_sessions SET second_factor = 0, form_token = ? WHERE id = ?",
            (token, session_id))
        return token

    async def revoke(self, conn: Connection, session_id: int, now: datetime) -> None:
        await conn.execute(
            "UPDATE staff_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (to_text(now), session_id))

    async def revoke_all(self, conn: Connection, staff_id: int, now: datetime, *,
                         keep: int | None = None) -> int:
        cur = await conn.execute(
            """UPDATE staff_sessions SET revoked_at = ?
               WHERE staff_id = ? AND revoked_at IS NULL AND id IS DISTINCT FROM ?""",
            (to_text(now), staff_id, keep))
        return cur.rowcount

    async def disable(self, conn: Connection, staff_id: int, now: datetime) -> None:
        await conn.execute("UPDATE staff SET disabled_at = ? WHERE id = ?",
                           (to_text(now), staff_id))
        await self.revoke_all(conn, staff_id, now)

    async def staff(self, conn: Connection, scope: Scope | None, now: datetime
                    ) -> list[StaffRow]:
        """Staff of one institution (scope), the national staff (NATIONAL), or all (None)."""
        where, params = "", ()  # type: tuple[str, tuple[object, ...]]
        if scope is not None:
            where = "WHERE s.institution_id IS NOT DISTINCT FROM ?"
            params = (scope.institution_id,)
        rows = await fetch_all(
            conn, f"""{_MEMBER.replace("SELECT ", "SELECT s.created_at, s.disabled_at, "
                                        "c.password_hash IS NOT NULL AS password_set, "
                                        "(SELECT COUNT(*) FROM staff_sessions x "
                                        "WHERE x.staff_id = s.id AND x.revoked_at IS NULL "
                                        "AND x.expires_at > ? AND x.last_seen_at > ?) "
                                        "AS sessions, ", 1)}
                      {where} ORDER BY s.institution_id, s.username""",  # noqa: S608
            (to_text(now), to_text(now - IDLE), *params))
        return [StaffRow(_member(r), r["created_at"], r["disabled_at"], bool(r["password_set"]),
                         int(r["sessions"])) for r in rows]

    async def sessions_of(self, conn: Connection, staff_id: int, now: datetime
                          ) -> list[tuple[int, str, str]]:
        """(id, created at, last seen) of this staff member's live sessions."""
        rows = await fetch_all(
            conn, """SELECT id, created_at, last_seen_at FROM staff_sessions
                     WHERE staff_id = ? AND revoked_at IS NULL AND expires_at > ?
                       AND last_seen_at > ? ORDER BY id DESC""",
            (staff_id, to_text(now), to_text(now - IDLE)))
        return [(int(r["id"]), r["created_at"], r["last_seen_at"]) for r in rows]

    async def session_owner(self, conn: Connection, session_id: int) -> int | None:
        value = await fetch_value(conn, "SELECT staff_id FROM staff_sessions WHERE id = ?",
                                  (session_id,))
        return int(value) if value is not None else None

    async def member(self, conn: Connection, staff_id: int) -> StaffMember | None:
        row = await fetch_one(conn, f"{_MEMBER} WHERE s.id = ?", (staff_id,))
        return _member(row) if row else None

    # Uploads waiting for confirmation ----------------------------------------------------------

    async def stage_upload(self, conn: Connection, scope: Scope, staff_id: int, *,
                           file_name: str, sha256: str, data: bytes, options: ImportOptions,
                           now: datetime) -> int:
        """A list waiting for confirmation, kept an hour, under its institution (0023); stale
        ones of every institution go first (before the connection is scoped)."""
        await conn.execute("DELETE FROM staff_uploads WHERE created_at < ?",
                           (to_text(now - UPLOAD_KEPT),))
        institution = institution_of(conn, scope)
        cur = await conn.execute(
            """INSERT INTO staff_uploads (staff_id, file_name, file_sha256, data, options,
                   created_at, institution_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (staff_id, file_name, sha256, data,
             json.dumps({"unit": options.default_unit, "category": options.default_category,
                         "sheet": options.sheet}), to_text(now), institution))
        return int((await cur.fetchone())[0])

    async def upload(self, conn: Connection, scope: Scope, upload_id: int, staff_id: int,
                     now: datetime) -> Upload | None:
        """Only the staff member who uploaded it, in that institution, may see or confirm
        it, within the hour."""
        row = await fetch_one(
            conn, """SELECT * FROM staff_uploads WHERE id = ? AND staff_id = ?
                     AND institution_id = ? AND created_at >= ?""",
            (upload_id, staff_id, institution_of(conn, scope), to_text(now - UPLOAD_KEPT)))
        if row is None:
            return None
        options = json.loads(row["options"])
        return Upload(int(row["id"]), int(row["staff_id"]), row["file_name"],
                      row["file_sha256"], bytes(row["data"]),
                      ImportOptions({}, options.get("unit"), options.get("category"),
                                    options.get("sheet")), from_text(row["created_at"]))

    async def drop_upload(self, conn: Connection, scope: Scope, upload_id: int) -> None:
        await conn.execute("DELETE FROM staff_uploads WHERE id = ? AND institution_id = ?",
                           (upload_id, institution_of(conn, scope)))


# --- tenant data -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Home:
    week_registrations: object  # a count; nationally "<5" for 1 to 4 (inspectorate/stats.py)
    verified: object
    pending: object
    opted_out: object
    in_progress: list[Broadcast]
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    name: str | None
    phone: str | None
    unit_code: str
    category: str
    status: str
    source: str
    created_at: str


@dataclass
class PlannedUpload:
    upload_id: int | None
    file_name: str
    plan: ImportPlan | None
    already: tuple[int, str, str] | None = None
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class BroadcastView:
    broadcast: Broadcast
    runs: list[RunProgress]
    alerts: list[AuditEntry]


@dataclass
class AuditFilter:
    actor: str = ""
    action: str = ""
    day: str = ""  # YYYY-MM-DD (UTC)
    page: int = 1
    actions: list[str] = field(default_factory=list)


class AggregateCache:
    """The statistics tables per scope, at most `fresh` seconds old when served without work;
    an older copy is served while one refresh runs in the background (counts a minute old are
    fine for a dashboard; recounting 20,000 rows on every visit was not: ~0.9 s per visit on
    the loaded test VM, docs/benchmarks.md)."""

    def __init__(self, fresh: float = 60.0) -> None:
        self.fresh = fresh
        self._copies: dict[Hashable, tuple[float, Any]] = {}
        self._refreshing: dict[Hashable, asyncio.Task[Any]] = {}

    async def get(self, scope: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """`scope`: the scope and what is counted (one key per table set or chart)."""
        copy = self._copies.get(scope)
        if copy is not None and time.monotonic() - copy[0] < self.fresh:
            return cast("T", copy[1])
        task = self._refreshing.get(scope)
        if task is None:
            task = asyncio.create_task(self._refresh(scope, compute))
            self._refreshing[scope] = task
        if copy is not None:
            return cast("T", copy[1])  # stale but quick; the refresh lands for the next visit
        return cast("T", await asyncio.shield(task))

    async def _refresh(self, scope: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await compute()
            self._copies[scope] = (time.monotonic(), value)
            return value
        finally:
            self._refreshing.pop(scope, None)

    def forget(self) -> None:
        """After an import or a deletion the next visit counts again."""
        self._copies.clear()


PREVIEW_FRESH = 5.0  # seconds a live-check count is reused (scripts/bench_console.py sets 0)


class PreviewCache:
    """Audience counts for the composer's live check, per scope and audience filter, reused for
    `fresh` seconds (counted from when the count began) and never served older: a staff
    member changing the schedule, the canary or the text asks again for the same audience,
    and one evaluation costs tens of milliseconds on a quiet host with 20,000 respondents
    (more under load; docs/benchmarks.md). The key starts with the Scope, so one
    institution's count is never another's; the console's own imports and deletions empty
    it, and changes made elsewhere (registrations, opt-outs) show within `fresh` seconds.
    Creating a broadcast never reads it: `BroadcastService.create` counts afresh."""

    def __init__(self, fresh: float | None = None, size: int = 128,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.fresh = PREVIEW_FRESH if fresh is None else fresh
        self.size = size
        self._timer = timer
        self._copies: dict[Hashable, tuple[float, Any]] = {}
        self._counting: dict[Hashable, asyncio.Task[Any]] = {}

    async def get(self, scope: Scope, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        entry = (scope, key)
        copy = self._copies.get(entry)
        if copy is not None and self._timer() - copy[0] < self.fresh:
            return cast("T", copy[1])
        task = self._counting.get(entry)
        if task is None:  # one count at a time per entry; a second ask waits for it
            task = asyncio.create_task(self._count(entry, compute))
            self._counting[entry] = task
        return cast("T", await asyncio.shield(task))

    async def _count(self, entry: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        started = self._timer()
        try:
            value = await compute()
        finally:
            self._counting.pop(entry, None)
        self._copies[entry] = (started, value)
        if len(self._copies) > self.size:
            now = self._timer()
            for old in [k for k, (at, _) in self._copies.items() if now - at >= self.fresh]:
                del self._copies[old]
            while len(self._copies) > self.size:
                del self._copies[next(iter(self._copies))]
        return value

    def forget(self) -> None:
        self._copies.clear()


class ConsoleData:
    """The console's view of one institution's data (or, nationally, of the aggregates)."""

    def __init__(self, app: App, scope: Scope, aggregates: AggregateCache | None = None,
                 previews: PreviewCache | None = None) -> None:
        self.app = app
        self.scope = scope
        self.aggregates = aggregates or AggregateCache(fresh=0)
        self.previews = previews or PreviewCache(fresh=0)
        self.db = app.db
        self.deps = app.deps
        self.broadcasts = BroadcastService(app.settings)

    def _own(self) -> None:
        """Pages on one institution's data: the national scope has none (its role is refused
        these routes already; this keeps a slip from reaching the repositories)."""
        if self.scope.is_national:
            raise NotFound

    def now(self) -> datetime:
        return self.deps.clock.now()

    def forget_counts(self) -> None:
        """After an import, a deletion or a units file, the next visit counts again."""
        self.aggregates.forget()
        self.previews.forget()

    # Beranda ----------------------------------------------------------------------------------

    async def home(self, channel_state: dict[str, str]) -> Home:
        warnings: list[str] = []
        settings = self.app.settings
        if settings.survey_end_date is None:
            warnings.append("Tanggal akhir survei (SPI_SURVEY_END_DATE) belum diatur: data "
                            "pribadi dihapus menurut aturan bawaan (31 Oktober musim itu).")
        for channel, label in (("telegram", "Telegram"), ("whatsapp", "WhatsApp")):
            state = channel_state.get(channel)
            if state in ("off", "error"):
                warnings.append(f"Kanal {label} {'mati' if state == 'off' else 'bermasalah'}"
                                ": pesan dan siaran lewat kanal ini tidak terkirim.")
        if channel_state.get("broadcasts") == "off":
            warnings.append("Pengirim siaran tidak berjalan di proses ini.")
        now = self.now()
        week_sql = "SELECT COUNT(*) FROM respondents WHERE source = ? AND created_at >= ?"
        week_params: tuple[object, ...] = (RespondentSource.BOT, to_text(now - timedelta(days=7)))
        async with self.db.reading() as conn:
            in_progress: list[Broadcast] = []
            alerts: list[Row] = []
            if not self.scope.is_national:
                institution = institution_of(conn, self.scope)
                week_sql += " AND institution_id = ?"
                week_params += (institution,)
                in_progress = [b for b in await BroadcastRepository().list_recent(
                                   conn, 50, scope=self.scope)
                               if b.state in (BroadcastState.ACTIVE, BroadcastState.PAUSED)]
                alerts = await fetch_all(
                    conn, """SELECT at, subject, detail FROM audit_log WHERE action = ?
                             AND institution_id = ? AND at >= ? ORDER BY id DESC LIMIT 5""",
                    (STAFF_ALERT, institution, to_text(now - timedelta(days=7))))
            counts = await status_counts(conn, self.scope)
            week = int(await fetch_value(conn, week_sql, week_params) or 0)
        for row in alerts:
            detail = json.loads(row["detail"] or "{}")
            key = str(detail.pop("alert", ""))
            try:
                text = self.deps.catalog.text("id", key, **detail)
            except (KeyError, ValueError):
                text = key
            warnings.append(text)
        if self.scope.is_national:  # totals across institutions, small ones as "<5"
            return Home(small(week), small(counts.verified), small(counts.pending),
                        small(counts.opted_out), [], warnings)
        return Home(week, counts.verified, counts.pending, counts.opted_out, in_progress,
                    warnings)

    # Units and posters --------------------------------------------------------------------------

    async def units(self) -> list[Unit]:
        self._own()
        async with self.db.reading() as conn:
            return await self.deps.units.list_all(conn, scope=self.scope)

    async def unit(self, code: str) -> Unit:
        """This institution's unit (codes are global; another institution's is NotFound)."""
        self._own()
        async with self.db.reading() as conn:
            unit = await self.deps.units.get_by_code(conn, code)
        if unit is None or unit.institution_id != self.scope.institution_id:
            raise NotFound
        return unit

    async def institution(self) -> Institution:
        """This scope's institution (name, contact, own senders: posters)."""
        from inspectorate import institutions  # noqa: PLC0415

        self._own()
        async with self.db.reading() as conn:
            found = await institutions.by_id(conn, self.scope.institution_id or 0)
        if found is None:
            raise NotFound
        return found

    async def import_units(self, file_name: str, data: bytes, actor: str) -> tuple[int, int]:
        """(added, updated); UnitFileError with every problem when the file is refused."""
        from inspectorate.institutions import save_units  # noqa: PLC0415
        from inspectorate.units_file import UnitFileError, read_units  # noqa: PLC0415

        self._own()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "unit.csv"
            await asyncio.to_thread(path.write_bytes, data)
            units = await asyncio.to_thread(read_units, path)
        async with self.db.transaction() as conn:
            try:  # the whole file, as `spi-bot units import` (bot/commands/units.py)
                added = await save_units(conn, self.deps.units, units, self.scope, self.now())
            except UnitTaken as exc:  # taken meanwhile: nothing of the file is kept
                raise UnitFileError(str(exc)) from None
            await self.deps.audit.record(conn, self.now(), actor, "units.imported", file_name,
                                         scope=self.scope, added=added,
                                         updated=len(units) - added)
        self.forget_counts()
        return added, len(units) - added

    # Respondents --------------------------------------------------------------------------------

    async def quality(self) -> list[UnitQuality]:
        self._own()
        async with self.db.reading() as conn:
            return await quality_by_unit(conn, self.scope)

    async def people(self, unit_code: str, query: str, page: int) -> tuple[list[PersonRow], int]:
        """One page of a unit's respondents (not erased), by name or number; and the total."""
        self._own()
        where = "r.institution_id = ? AND r.status != ?"
        params: list[object] = [self.scope.institution_id, RespondentStatus.ERASED]
        if unit_code:
            where += " AND r.unit_code = ?"
            params.append(unit_code.upper())
        text = query.strip()
        if text:
            digits = "".join(ch for ch in text if ch.isdigit())
            if digits and len(digits) >= 4:
                where += " AND r.phone LIKE ?"
                params.append(f"%{digits.lstrip('0')}%")
            else:
                where += " AND LOWER(r.name) LIKE ?"
                params.append(f"%{text.lower()}%")
        async with self.db.reading() as conn:
            institution_of(conn, self.scope)  # PostgreSQL: this institution's rows only
            total = int(await fetch_value(
                conn, f"SELECT COUNT(*) FROM respondents r WHERE {where}", params) or 0)  # noqa: S608
            rows = await fetch_all(
                conn, f"""SELECT r.id, r.name, r.phone, r.unit_code, r.category, r.status,
                              r.source, r.created_at FROM respondents r WHERE {where}
                          ORDER BY r.id DESC LIMIT ? OFFSET ?""",  # noqa: S608
                (*params, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE))
        return [PersonRow(int(r["id"]), r["name"], r["phone"], r["unit_code"], r["category"],
                          r["status"], r["source"], r["created_at"]) for r in rows], total

    async def person(self, respondent_id: int, actor: str) -> PersonalRecord:
        """Everything stored about one person (an access request); the read is audited."""
        self._own()
        async with self.db.reading() as conn:
            found = await self.deps.respondents.get_by_id(conn, respondent_id, scope=self.scope)
            record = await record_of(conn, respondent_id) if found is not None else None
        if record is None or record.respondent["status"] == RespondentStatus.ERASED:
            raise NotFound
        async with self.db.transaction() as conn:
            await self.deps.audit.record(conn, self.now(), actor, "respondent.shown",
                                         f"respondent:{respondent_id}", scope=self.scope,
                                         via="console")
        return record

    async def erase(self, respondent_id: int, actor: str, reason: str) -> None:
        self._own()
        async with self.db.transaction() as conn:
            found = await self.deps.respondents.get_by_id(conn, respondent_id, scope=self.scope)
            if found is None or found.status == RespondentStatus.ERASED:
                raise NotFound
            await erase_respondent(conn, respondent_id, self.now(), actor=actor, via="console")
            await self.deps.audit.record(conn, self.now(), actor, "respondent.erase_reason",
                                         f"respondent:{respondent_id}", scope=self.scope,
                                         reason=reason)
        self.forget_counts()

    async def export(self, unit_code: str | None, suffix: str, include_unverified: bool,
                     actor: str) -> tuple[bytes, int, int]:
        """The list for KPK as CSV or Excel bytes: (file, rows, unproven left out)."""
        from inspectorate.export import (  # noqa: PLC0415
            clean_rows,
            load_mapping,
            unproven_count,
            write_csv,
            write_xlsx,
        )

        self._own()
        columns = load_mapping(None)
        async with self.db.reading() as conn:
            if unit_code:
                unit = await self.deps.units.get_by_code(conn, unit_code)
                if unit is None or unit.institution_id != self.scope.institution_id:
                    raise NotFound
                unit_code = unit.code
            rows = await clean_rows(conn, unit_code or None, columns,
                                    include_unverified=include_unverified, scope=self.scope)
            left_out = 0 if include_unverified else await unproven_count(
                conn, unit_code or None, scope=self.scope)
        writer = write_xlsx if suffix == ".xlsx" else write_csv
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"kpk{suffix}"
            count = await asyncio.to_thread(writer, path, columns, rows)
            data = await asyncio.to_thread(path.read_bytes)
        async with self.db.transaction() as conn:
            await self.deps.audit.record(conn, self.now(), actor, "respondents.exported",
                                         unit_code or "all", scope=self.scope, rows=count,
                                         columns=[c.field for c in columns],
                                         unproven_left_out=left_out, via="console")
        return data, count, left_out

    # Importing a list: upload, report, confirm ---------------------------------------------------

    async def plan_upload(self, member: StaffMember, file_name: str, data: bytes,
                          options: ImportOptions) -> PlannedUpload:
        """Check every row as `spi-bot respondents import` does, write nothing but the staged
        file, and return the quality report."""
        import hashlib  # noqa: PLC0415

        self._own()
        if len(data) > MAX_FILE_BYTES:
            return PlannedUpload(None, file_name, None, refused=(
                f"Berkas lebih dari {MAX_FILE_BYTES // (1024 * 1024)} MB. Pecah menjadi "
                "beberapa berkas (mis. per unit) lalu unggah satu per satu."))
        sha256 = hashlib.sha256(data).hexdigest()
        imports = ImportRepository()
        async with self.db.reading() as conn:
            units = await self.deps.units.list_all(conn, scope=self.scope)
            previous = await imports.batch_for_file(conn, sha256, scope=self.scope)
            if previous is not None:
                return PlannedUpload(None, file_name, None, already=previous)
            stored = await imports.stored_contacts(conn, scope=self.scope)
        try:
            plan = await asyncio.to_thread(
                functools.partial(_plan, file_name, sha256, data, options=options, units=units,
                                  stored=stored, today=self.now().astimezone(_WIB).date()))
        except FileRefused as exc:
            return PlannedUpload(None, file_name, None, refused=str(exc))
        async with self.db.transaction() as conn:
            upload_id = await AccountStore().stage_upload(
                conn, self.scope, member.id, file_name=file_name, sha256=sha256, data=data,
                options=options, now=self.now())
            # A list of people is now kept (staged) until confirmed or cancelled: audited as it
            # is kept, like the import, with counts only.
            await self.deps.audit.record(conn, self.now(), member.actor,
                                         "respondents.upload_staged", file_name,
                                         scope=self.scope, upload=upload_id,
                                         rows=plan.total)
        return PlannedUpload(upload_id, file_name, plan)

    async def staged(self, member: StaffMember, upload_id: int) -> Upload:
        self._own()
        async with self.db.reading() as conn:
            upload = await AccountStore().upload(conn, self.scope, upload_id, member.id,
                                                 self.now())
        if upload is None:
            raise NotFound
        return upload

    async def replan(self, member: StaffMember, upload_id: int) -> tuple[Upload, ImportPlan]:
        upload = await self.staged(member, upload_id)
        async with self.db.reading() as conn:
            units = await self.deps.units.list_all(conn, scope=self.scope)
            stored = await ImportRepository().stored_contacts(conn, scope=self.scope)
        plan = await asyncio.to_thread(functools.partial(
            _plan, upload.file_name, upload.sha256, upload.data, options=upload.options,
            units=units, stored=stored, today=self.now().astimezone(_WIB).date()))
        return upload, plan

    async def report_csv(self, member: StaffMember, upload_id: int) -> bytes:
        upload, plan = await self.replan(member, upload_id)
        # The report names the rows it judges (people's data leaves the server): audited.
        await self.record(member.actor, "respondents.upload_report_downloaded",
                          upload.file_name, upload=upload_id)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "laporan.csv"
            await asyncio.to_thread(write_report, plan, path)
            return await asyncio.to_thread(path.read_bytes)

    async def confirm_upload(self, member: StaffMember, upload_id: int,
                             skip_invalid: bool) -> ImportResult:
        """The import itself, by the same code as the CLI (all rows, or the valid ones)."""
        upload = await self.staged(member, upload_id)
        now = self.now()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / _safe_name(upload.file_name)
            await asyncio.to_thread(path.write_bytes, upload.data)
            result = await import_file(self.db, path, now=now,
                                       today=now.astimezone(_WIB).date(),
                                       skip_invalid=skip_invalid, options=upload.options,
                                       actor=member.actor, scope=self.scope)
        if result.batch_id is not None or result.already_imported is not None:
            await self.drop_upload(upload_id)
            self.forget_counts()
        return result

    async def drop_upload(self, upload_id: int, *, cancelled_by: str | None = None) -> None:
        """Forget a staged list: after its import, or cancelled by staff (audited then)."""
        self._own()
        async with self.db.transaction() as conn:
            await AccountStore().drop_upload(conn, self.scope, upload_id)
            if cancelled_by is not None:
                await self.deps.audit.record(conn, self.now(), cancelled_by,
                                             "respondents.upload_cancelled", None,
                                             scope=self.scope, upload=upload_id)

    # Broadcasts ---------------------------------------------------------------------------------

    async def broadcast_list(self) -> list[Broadcast]:
        self._own()
        async with self.db.reading() as conn:
            return await BroadcastRepository().list_recent(conn, 50, scope=self.scope)

    async def audience_counts(self, request: BroadcastRequest) -> Preview:
        """The live check: counts per channel and the rendered sample, the audience counted
        at most a few seconds ago for this scope (`PreviewCache`); BroadcastRefused says why
        not. Creating the broadcast counts again, exactly (`create_broadcast`)."""
        self._own()
        now = self.now()
        used, first_due = await self.broadcasts.check_off_loop(request, now)

        async def count() -> AudienceCount:
            async with self.db.reading() as conn:
                return await self.broadcasts.count_audience(conn, request.audience, now,
                                                            scope=self.scope)

        counted = await self.previews.get(self.scope, request.audience, count)
        return self.broadcasts.preview_of(request, used, first_due, counted)

    async def create_broadcast(self, request: BroadcastRequest, actor: str) -> Broadcast:
        self._own()
        async with self.db.transaction() as conn:
            broadcast, _ = await self.broadcasts.create(conn, request, actor, self.now(),
                                                        scope=self.scope)
        return broadcast

    async def broadcast(self, broadcast_id: int) -> BroadcastView:
        self._own()
        async with self.db.reading() as conn:
            found = await BroadcastRepository().get_by_id(conn, broadcast_id, scope=self.scope)
            if found is None:
                raise NotFound
            b, runs = await self.broadcasts.progress(conn, broadcast_id, self.now(),
                                                     scope=self.scope)
            alerts = await self.broadcasts.alerts(conn, broadcast_id, scope=self.scope)
        return BroadcastView(b, runs, alerts)

    async def control(self, broadcast_id: int, action: str, actor: str) -> int:
        """pause | resume | cancel; returns how many deliveries a cancel left unsent."""
        self._own()
        now = self.now()
        async with self.db.transaction() as conn:
            if await BroadcastRepository().get_by_id(conn, broadcast_id,
                                                     scope=self.scope) is None:
                raise NotFound
            if action == "pause":
                await self.broadcasts.pause(conn, broadcast_id, actor, now, scope=self.scope)
            elif action == "resume":
                await self.broadcasts.resume(conn, broadcast_id, actor, now, scope=self.scope)
            else:
                _, skipped = await self.broadcasts.cancel(conn, broadcast_id, actor, now,
                                                          scope=self.scope)
                return skipped
        return 0

    # Statistics ---------------------------------------------------------------------------------

    async def sections(self) -> list[Section]:
        """The tables of `spi-bot stats`: this institution's, or nationally the totals across
        institutions (`national_sections`: no unit, institution or broadcast named)."""

        async def count() -> list[Section]:
            async with self.db.reading() as conn:
                return await collect(conn, self.scope)

        return await self.aggregates.get((self.scope, "sections"), count)

    async def stats_csv(self) -> list[list[object]]:
        return csv_rows(await self.sections())

    async def chart(self) -> bytes:
        """Registrations per unit and day of this institution. Not nationally: a chart cannot
        show a count of 1 to 4 as "<5", and the national view names no unit."""
        from inspectorate.chart import registrations_chart  # noqa: PLC0415 - matplotlib

        self._own()

        async def draw() -> bytes:
            async with self.db.reading() as conn:
                daily = await daily_registrations(conn, self.scope)
            return await asyncio.to_thread(registrations_chart, daily)

        return await self.aggregates.get((self.scope, "chart"), draw)

    # Audit --------------------------------------------------------------------------------------

    async def audit(self, wanted: AuditFilter) -> tuple[list[AuditEntry], bool]:
        """This institution's entries (every entry records its institution, issue 15) newest
        first, filtered; (entries, whether there is a next page)."""
        self._own()
        where, params = "institution_id = ?", [self.scope.institution_id]  # type: tuple[str, list[object]]
        # the filter's list of actions: only those of entries this scope may read
        scoped, scoped_params = where, list(params)
        if wanted.actor:
            where += " AND actor = ?"
            params.append(wanted.actor.strip())
        if wanted.action:
            where += " AND action = ?"
            params.append(wanted.action.strip())
        if wanted.day:
            where += " AND at >= ? AND at < ?"
            params += [wanted.day, f"{wanted.day}T99"]
        offset = (max(wanted.page, 1) - 1) * PAGE_SIZE
        async with self.db.reading() as conn:
            institution_of(conn, self.scope)  # PostgreSQL: this institution's rows only
            rows = await fetch_all(
                conn, f"""SELECT at, actor, action, subject, detail FROM audit_log
                          WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?""",  # noqa: S608
                (*params, PAGE_SIZE + 1, offset))
            wanted.actions = [r[0] for r in await fetch_all(
                conn, f"SELECT DISTINCT action FROM audit_log WHERE {scoped} "  # noqa: S608
                      "ORDER BY action", scoped_params)]
        entries = [AuditEntry(from_text(r["at"]), r["actor"], r["action"], r["subject"],
                              json.loads(r["detail"] or "{}")) for r in rows[:PAGE_SIZE]]
        return entries, len(rows) > PAGE_SIZE

    # Accounts of this institution ---------------------------------------------------------------

    async def account_view(self, member: StaffMember, manage: bool
                           ) -> tuple[list[tuple[int, str, str]], list[StaffRow]]:
        """The member's own live sessions; with `manage`, the staff of their institution."""
        store = AccountStore()
        async with self.db.reading() as conn:
            sessions = await store.sessions_of(conn, member.id, self.now())
            staff = await store.staff(conn, self.scope, self.now()) if manage else []
        return sessions, staff

    async def _colleague(self, conn: Connection, staff_id: int) -> StaffMember:
        """A staff member of this scope's institution, else NotFound."""
        found = await AccountStore().member(conn, staff_id)
        if found is None or found.institution_id != self.scope.institution_id \
                or self.scope.is_national:
            raise NotFound
        return found

    async def change_password(self, member: StaffMember, session_id: int, old: str, new: str,
                              confirm: str) -> str | None:
        """None when changed (other sessions end); else why not."""
        from bot.console.auth import hash_password, password_matches, password_problem  # noqa: PLC0415

        store = AccountStore()
        async with self.db.reading() as conn:
            creds = await store.credentials_of(conn, member.id)
        if creds is None or not await asyncio.to_thread(password_matches,
                                                        creds.password_hash, old):
            return "Kata sandi lama salah."
        problem = password_problem(new, confirm, member.username)
        if problem:
            return problem
        hashed = await asyncio.to_thread(hash_password, new)
        async with self.db.transaction() as conn:
            await store.set_password(conn, member.id, hashed, self.now())
            await store.revoke_all(conn, member.id, self.now(), keep=session_id)
            await self.deps.audit.record(conn, self.now(), member.actor,
                                         "console.password_changed", scope=self.scope)
        return None

    async def revoke_session(self, member: StaffMember, session_id: int, manage: bool) -> None:
        store = AccountStore()
        async with self.db.transaction() as conn:
            owner = await store.session_owner(conn, session_id)
            if owner is None:
                raise NotFound
            if owner != member.id:
                if not manage:
                    raise NotFound
                await self._colleague(conn, owner)
            await store.revoke(conn, session_id, self.now())
            await self.deps.audit.record(conn, self.now(), member.actor, "console.session_revoked",
                                         f"staff:{owner}", scope=self.scope)

    async def end_staff_sessions(self, member: StaffMember, staff_id: int) -> int:
        store = AccountStore()
        async with self.db.transaction() as conn:
            await self._colleague(conn, staff_id)
            count = await store.revoke_all(conn, staff_id, self.now())
            await self.deps.audit.record(conn, self.now(), member.actor,
                                         "console.sessions_revoked", f"staff:{staff_id}",
                                         scope=self.scope, count=count)
        return count

    async def disable_staff(self, member: StaffMember, staff_id: int) -> None:
        store = AccountStore()
        async with self.db.transaction() as conn:
            await self._colleague(conn, staff_id)
            if staff_id == member.id:
                raise NotFound  # not oneself: an institution keeps at least the admin acting
            await store.disable(conn, staff_id, self.now())
            await self.deps.audit.record(conn, self.now(), member.actor, "staff.disabled",
                                         f"staff:{staff_id}", scope=self.scope)

    async def add_staff(self, member: StaffMember, username: str, name: str,
                        role: StaffRole) -> str:
        """`token:<one-time link token>` when added, else why not."""
        from bot.console.auth import username_problem  # noqa: PLC0415

        name = " ".join(name.split())
        problem = username_problem(username)
        if problem is None and not (1 <= len(name) <= 100 and name.isprintable()):
            problem = "Nama tampilan 1–100 karakter."
        if problem is not None or self.scope.institution_id is None:
            return problem or "Petugas nasional tidak menambah petugas."
        store = AccountStore()
        async with self.db.transaction() as conn:
            if await store.username_taken(conn, username):
                return f"Nama pengguna '{username}' sudah dipakai."
            staff_id = await store.add_staff(conn, institution_id=self.scope.institution_id,
                                             role=role, username=username, display_name=name,
                                             now=self.now())
            token = await store.issue_link(conn, staff_id, self.now())
            await self.deps.audit.record(conn, self.now(), member.actor, "staff.added",
                                         f"staff:{staff_id}", scope=self.scope,
                                         role=str(role), institution=self.scope.institution_id)
        return f"token:{token}"

    async def set_totp(self, member: StaffMember, secret: str | None, proof: str) -> str | None:
        """Turn the second factor on (`proof`: a code from the new secret) or off (`proof`:
        the password). None when done, else why not."""
        from bot.console.auth import password_matches, totp_step  # noqa: PLC0415

        store = AccountStore()
        step = None
        if secret is None:
            async with self.db.reading() as conn:
                creds = await store.credentials_of(conn, member.id)
            if creds is None or not await asyncio.to_thread(password_matches,
                                                            creds.password_hash, proof):
                return "Kata sandi salah; verifikasi dua langkah tetap aktif."
        else:
            step = totp_step(secret, proof, None, self.now().timestamp())
            if step is None:
                return "Kode tidak cocok. Periksa jam ponsel lalu ketik kode yang baru."
        async with self.db.transaction() as conn:
            await store.set_totp(conn, member.id, secret, step, self.now())
            await self.deps.audit.record(conn, self.now(), member.actor,
                                         "console.totp_on" if secret else "console.totp_off",
                                         scope=self.scope)
        return None

    async def record(self, actor: str, action: str, subject: str | None = None,
                     **detail: Any) -> None:
        async with self.db.transaction() as conn:
            await AuditRepository().record(conn, self.now(), actor, action, subject,
                                           scope=self.scope, **detail)


def _plan(file_name: str, sha256: str, data: bytes, *, options: ImportOptions,
          units: Sequence[Unit], stored: Any, today: Any) -> ImportPlan:
    """Read and check the file as the CLI import does (in a worker thread); a zip bomb is
    measured before the spreadsheet is opened (inspectorate/respondent_file.py)."""
    sheet, book = read_sheet(Path(_safe_name(file_name)), data, options)
    try:
        return plan_import(file_name, sha256, sheet, units=units, stored=stored, today=today,
                           options=options)
    finally:
        if book is not None:
            book.close()  # type: ignore[attr-defined]


def _safe_name(name: str) -> str:
    """A file name to write in a temporary folder: its last part, printable, short."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*') or "daftar"
    if base.startswith("."):
        base = "daftar" + base
    return base[-120:]


def zip_files(files: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()

