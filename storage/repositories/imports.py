"""Imported respondent lists: batches, their problem counts, and the rows they add."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.clock import to_text
from core.scope import DEFAULT_SCOPE, Scope
from storage.connection import Connection
from storage.scoping import institution_of
from storage.states import RespondentSource, RespondentStatus


@dataclass(frozen=True, slots=True)
class StoredContact:
    """What an import compares a row against: one stored respondent with a phone."""

    phone: str
    email: str | None
    name: str | None
    unit_code: str
    category: str
    started_on: str | None
    source: str
    file_name: str | None


@dataclass(frozen=True, slots=True)
class NewRespondent:
    phone: str
    name: str
    email: str | None
    unit_code: str
    category: str
    started_on: str | None


@dataclass(frozen=True, slots=True)
class BatchCounts:
    total: int
    added: int
    unchanged: int
    rejected: int
    flagged: int


class ImportRepository:
    """Every method works inside one institution (issue 15): a list is imported into the
    institution named, and compared (duplicates, shared e-mails) with that institution's
    respondents only; the same file may be imported by two institutions."""

    async def batch_for_file(
        self, conn: Connection, sha256: str, *, scope: Scope = DEFAULT_SCOPE
    ) -> tuple[int, str, str] | None:
        """(id, file name, imported at) of this institution's import of exactly these bytes."""
        async with conn.execute(
            "SELECT id, file_name, imported_at FROM import_batches "
            "WHERE institution_id = ? AND file_sha256 = ?",
            (institution_of(conn, scope), sha256),
        ) as cur:
            row = await cur.fetchone()
        return (row[0], row[1], row[2]) if row else None

    async def stored_contacts(self, conn: Connection, *,
                              scope: Scope = DEFAULT_SCOPE) -> list[StoredContact]:
        async with conn.execute(
            """SELECT r.phone, r.email, r.name, r.unit_code, r.category, r.started_on, r.source,
                      b.file_name
               FROM respondents r LEFT JOIN import_batches b ON b.id = r.import_batch_id
               WHERE r.institution_id = ? AND r.phone IS NOT NULL""",
            (institution_of(conn, scope),),
        ) as cur:
            return [StoredContact(*row) for row in await cur.fetchall()]

    async def add_batch(
        self, conn: Connection, *, file_name: str, sha256: str, now: datetime,
        actor: str, skip_invalid: bool, counts: BatchCounts,
        new_rows: Iterable[NewRespondent], issues: Iterable[tuple[str, str, int]],
        scope: Scope = DEFAULT_SCOPE,
    ) -> int:
        """Store the batch, its rows (one `executemany`) and its problem counts in this
        institution; returns its id."""
        institution = institution_of(conn, scope)
        cur = await conn.execute(
            """INSERT INTO import_batches (file_name, file_sha256, imported_at, actor,
                   skip_invalid, rows_total, rows_added, rows_unchanged, rows_rejected,
                   rows_flagged, institution_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (file_name, sha256, to_text(now), actor, int(skip_invalid), counts.total,
             counts.added, counts.unchanged, counts.rejected, counts.flagged, institution),
        )
        batch_id = int((await cur.fetchone())[0])
        stamp = to_text(now)
        await conn.executemany(
            """INSERT INTO respondents (phone, name, email, unit_code, category, started_on,
                   status, source, import_batch_id, created_at, updated_at, institution_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            ((r.phone, r.name, r.email, r.unit_code, r.category, r.started_on,
              RespondentStatus.REGISTERED, RespondentSource.IMPORT, batch_id, stamp, stamp,
              institution) for r in new_rows),
        )
        await conn.executemany(
            "INSERT INTO import_issues (batch_id, unit_code, kind, count, institution_id) "
            "VALUES (?, ?, ?, ?, ?)",
            ((batch_id, unit, kind, count, institution) for unit, kind, count in issues),
        )
        return batch_id

    async def issue_totals(self, conn: Connection, *, scope: Scope = DEFAULT_SCOPE
                           ) -> dict[tuple[str, str], int]:
        """(unit code, kind) -> rows with that problem over this institution's imports
        (quality report)."""
        async with conn.execute(
            "SELECT unit_code, kind, SUM(count) FROM import_issues WHERE institution_id = ? "
            "GROUP BY unit_code, kind", (institution_of(conn, scope),),
        ) as cur:
            return {(row[0], row[1]): int(row[2]) for row in await cur.fetchall()}
