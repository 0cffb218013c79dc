"""Respondents: people who may be sampled by KPK, unique by E.164 phone number."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.clock import from_text, to_text
from storage.connection import Connection, Row, lock_until_commit, write_soon
from storage.queries import fetch_one
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
    )


class RespondentRepository:
    async def get_by_id(self, conn: Connection, rid: int) -> Respondent | None:
        row = await fetch_one(conn, "SELECT * FROM respondents WHERE id = ?", (rid,))
        return _from_row(row) if row else None

    async def find_for_chat(
        self, conn: Connection, channel: str, address: str, phone: str | None, *,
        phone_first: bool,
    ) -> Respondent | None:
        """The respondent a chat belongs to, in one read: the one its channel identity links to
        (unless erased) or the one with `phone`; `phone_first` says which wins if both exist."""
        row = await fetch_one(
            conn,
            """SELECT r.* FROM respondents r
                WHERE (r.status != ?5 AND r.id = (SELECT respondent_id
                          FROM channel_identities WHERE channel = ?1 AND address = ?2))
                   OR r.phone = ?3
                ORDER BY (CASE WHEN r.phone IS NOT DISTINCT FROM ?3 THEN 1 ELSE 0 END) = ?4 DESC
                LIMIT 1""",
            (channel, address, phone, phone_first, RespondentStatus.ERASED))
        return _from_row(row) if row else None

    async def lock_phone(self, conn: Connection, phone: str) -> None:
        """Hold, until the transaction ends, the right to decide about this number: two chats
        saving the same number wait for each other, and the second then reads what the first
        committed. PostgreSQL runs such transactions side by side; SQLite's single writer
        already runs them one after the other. The lock is taken with the next statement."""
        lock_until_commit(conn, f"phone:{phone}")

    async def get_by_phone(self, conn: Connection, phone: str) -> Respondent | None:
        row = await fetch_one(conn, "SELECT * FROM respondents WHERE phone = ?", (phone,))
        return _from_row(row) if row else None

    async def save(self, conn: Connection, r: Respondent, now: datetime) -> Respondent:
        """Insert a new respondent or update an existing one (by id); returns it with its id."""
        values = (
            r.phone, r.name, r.email, r.unit_code, r.category, r.respondent_type, r.service,
            r.service_month, r.status, r.source, _txt(r.consent_at), r.consent_version,
            _txt(r.opted_out_at), _txt(r.erased_at),
        )
        if r.id is None:
            cur = await conn.execute(
                """INSERT INTO respondents (phone, name, email, unit_code, category,
                       respondent_type, service, service_month, status, source, consent_at,
                       consent_version, opted_out_at, erased_at, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (*values, to_text(now), to_text(now)),
            )
            return replace(r, id=int((await cur.fetchone())[0]), created_at=now,
                           updated_at=now)
        await write_soon(
            conn,
            """UPDATE respondents SET phone = ?, name = ?, email = ?, unit_code = ?, category = ?,
                   respondent_type = ?, service = ?, service_month = ?, status = ?, source = ?,
                   consent_at = ?, consent_version = ?, opted_out_at = ?, erased_at = ?,
                   updated_at = ?
               WHERE id = ?""",
            (*values, to_text(now), r.id),
        )
        return replace(r, updated_at=now)

    async def set_opted_out(
        self, conn: Connection, rid: int, now: datetime | None
    ) -> None:
        await conn.execute(
            "UPDATE respondents SET opted_out_at = ?, updated_at = ? WHERE id = ?",
            (_txt(now), to_text(now) if now else None, rid),
        )

    async def count(self, conn: Connection, *, include_erased: bool = False) -> int:
        sql = "SELECT COUNT(*) FROM respondents"
        params: tuple[str, ...] = ()
        if not include_erased:
            sql += " WHERE status != ?"
            params = (RespondentStatus.ERASED,)
        row = await fetch_one(conn, sql, params)
        return int(row[0]) if row else 0
