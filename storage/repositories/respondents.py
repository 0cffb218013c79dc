"""Respondents: people who may be sampled by KPK, unique by E.164 phone number."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.clock import from_text, to_text
from core.scope import DEFAULT_SCOPE, Scope
from storage.connection import Connection, Row, lock_until_commit, write_soon
from storage.queries import fetch_all, fetch_one
from storage.scoping import as_worker, institution_of
from storage.states import Category, RespondentStatus


@dataclass(frozen=True, slots=True)
class Respondent:
    id: int | None
    phone: str | None
    name: str | None
    email: str | None
    unit_code: str
    status: str  # registered | verified | erased
    category: str = Category.EXTERNAL
    respondent_type: str | None = None
    service: str | None = None
    service_month: str | None = None
    source: str = "bot"
    consent_at: datetime | None = None
    consent_version: str | None = None
    opted_out_at: datetime | None = None
    erased_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    institution_id: int = 1


def _dt(value: str | None) -> datetime | None:
    return from_text(value) if value else None


def _txt(value: datetime | None) -> str | None:
    return to_text(value) if value else None


def _from_row(row: Row) -> Respondent:
    return Respondent(
        id=row["id"], phone=row["phone"], name=row["name"], email=row["email"],
        unit_code=row["unit_code"], status=row["status"], category=row["category"],
        respondent_type=row["respondent_type"], service=row["service"],
        service_month=row["service_month"], source=row["source"],
        consent_at=_dt(row["consent_at"]), consent_version=row["consent_version"],
        opted_out_at=_dt(row["opted_out_at"]), erased_at=_dt(row["erased_at"]),
        created_at=_dt(row["created_at"]), updated_at=_dt(row["updated_at"]),
        institution_id=int(row["institution_id"]),
    )


class RespondentRepository:
    """Every method works inside one institution (`scope`, issue 15); `institutions_of_chat`
    is the citizen's own view across institutions (allow-listed in tests/test_scope_scan.py)."""

    async def get_by_id(self, conn: Connection, rid: int, *,
                        scope: Scope = DEFAULT_SCOPE) -> Respondent | None:
        institution = institution_of(conn, scope)
        row = await fetch_one(
            conn, "SELECT * FROM respondents WHERE id = ? AND institution_id = ?",
            (rid, institution))
        return _from_row(row) if row else None

    async def find_for_chat(
        self, conn: Connection, scope: Scope, channel: str, address: str, phone: str | None, *,
        phone_first: bool,
    ) -> Respondent | None:
        """The respondent a chat belongs to in this institution, in one read: the one its
        channel identity links to (unless erased) or the one with `phone`; `phone_first` says
        which wins if both exist."""
        institution = institution_of(conn, scope)
        row = await fetch_one(
            conn,
            """SELECT r.* FROM respondents r
                WHERE r.institution_id = ?6
                  AND ((r.status != ?5 AND r.id = (SELECT respondent_id
                          FROM channel_identities WHERE institution_id = ?6 AND channel = ?1
                           AND address = ?2))
                   OR r.phone = ?3)
                ORDER BY (CASE WHEN r.phone IS NOT DISTINCT FROM ?3 THEN 1 ELSE 0 END) = ?4 DESC
                LIMIT 1""",
            (channel, address, phone, phone_first, RespondentStatus.ERASED, institution))
        return _from_row(row) if row else None

    async def institutions_of_chat(self, conn: Connection, channel: str, address: str,
                                   phone: str | None) -> list[int]:
        """The institutions holding a record of this chat (its identity) or of its proven
        number: the citizen's own data, listed so DATA SAYA / HAPUS DATA can ask which."""
        rows = await fetch_all(
            conn,
            """SELECT DISTINCT institution_id FROM (
                   SELECT institution_id FROM channel_identities WHERE channel = ? AND address = ?
                   UNION ALL
                   SELECT institution_id FROM respondents WHERE phone = ? AND status != ?) x
               ORDER BY institution_id""",
            (channel, address, phone, RespondentStatus.ERASED))
        return [int(r[0]) for r in rows]

    async def lock_phone(self, conn: Connection, scope: Scope, phone: str) -> None:
        """Hold, until the transaction ends, the right to decide about this number in this
        institution: two chats saving the same number wait for each other, and the second then
        reads what the first committed. PostgreSQL runs such transactions side by side;
        SQLite's single writer already runs them one after the other. The lock is taken with
        the next statement."""
        lock_until_commit(conn, f"phone:{institution_of(conn, scope)}:{phone}")

    async def get_by_phone(self, conn: Connection, scope: Scope,
                           phone: str) -> Respondent | None:
        row = await fetch_one(
            conn, "SELECT * FROM respondents WHERE institution_id = ? AND phone = ?",
            (institution_of(conn, scope), phone))
        return _from_row(row) if row else None

    async def save(self, conn: Connection, scope: Scope, r: Respondent,
                   now: datetime) -> Respondent:
        """Insert a new respondent or update an existing one (by id) of this institution;
        returns it with its id."""
        institution = institution_of(conn, scope)
        values = (
            r.phone, r.name, r.email, r.unit_code, r.category, r.respondent_type, r.service,
            r.service_month, r.status, r.source, _txt(r.consent_at), r.consent_version,
            _txt(r.opted_out_at), _txt(r.erased_at),
        )
        if r.id is None:
            cur = await conn.execute(
                """INSERT INTO respondents (phone, name, email, unit_code, category,
                       respondent_type, service, service_month, status, source, consent_at,
                       consent_version, opted_out_at, erased_at, created_at, updated_at,
                       institution_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (*values, to_text(now), to_text(now), institution),
            )
            return replace(r, id=int((await cur.fetchone())[0]), created_at=now,
                           updated_at=now, institution_id=institution)
        await write_soon(
            conn,
            """UPDATE respondents SET phone = ?, name = ?, email = ?, unit_code = ?, category = ?,
                   respondent_type = ?, service = ?, service_month = ?, status = ?, source = ?,
                   consent_at = ?, consent_version = ?, opted_out_at = ?, erased_at = ?,
                   updated_at = ?
               WHERE id = ? AND institution_id = ?""",
            (*values, to_text(now), r.id, institution),
        )
        return replace(r, updated_at=now, institution_id=institution)

    async def set_opted_out(
        self, conn: Connection, scope: Scope, rid: int, now: datetime | None
    ) -> None:
        await conn.execute(
            "UPDATE respondents SET opted_out_at = ?, updated_at = ? "
            "WHERE id = ? AND institution_id = ?",
            (_txt(now), to_text(now) if now else None, rid, institution_of(conn, scope)),
        )

    async def opt_out_for_delivery(self, conn: Connection, rid: int, now: datetime) -> None:
        """The delivery worker's: a provider said this recipient opted out. Workers cross
        institutions and hold the respondent by id (allow-listed in tests/test_scope_scan.py)."""
        as_worker(conn)
        await conn.execute(
            "UPDATE respondents SET opted_out_at = ?, updated_at = ? WHERE id = ?",
            (to_text(now), to_text(now), rid))

    async def count(self, conn: Connection, scope: Scope, *,
                    include_erased: bool = False) -> int:
        sql = "SELECT COUNT(*) FROM respondents WHERE institution_id = ?"
        params: tuple[object, ...] = (institution_of(conn, scope),)
        if not include_erased:
            sql += " AND status != ?"
            params = (*params, RespondentStatus.ERASED)
        row = await fetch_one(conn, sql, params)
        return int(row[0]) if row else 0
