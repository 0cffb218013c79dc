"""Importing a unit's respondent list: read the file within limits, plan it row by row
(inspectorate/import_plan.py), then store the whole file in one transaction, or nothing."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from core.scope import DEFAULT_SCOPE, Scope
from inspectorate.cells import write_csv_rows
from inspectorate.import_plan import ImportOptions, ImportPlan, plan_import
from inspectorate.incoming_file import FileRefused, read_limited
from inspectorate.respondent_file import (
    RespondentFileError,
    SheetRows,
    cell_text,
    is_excel,
    read_csv,
    read_excel,
)
from storage.database import Database
from storage.repositories.audit import AuditRepository
from storage.repositories.imports import ImportRepository
from storage.repositories.units import UnitRepository

logger = logging.getLogger(__name__)


def read_sheet(path: Path, data: bytes, options: ImportOptions) -> tuple[SheetRows, object]:
    if is_excel(path):
        return read_excel(data, options.sheet)
    return read_csv(data), None


def write_report(plan: ImportPlan, path: Path) -> None:
    """A CSV of refused and flagged rows, each with its reason in Indonesian; the rows' own
    cells are written as inert text like every export (inspectorate/cells.py)."""
    problems = sorted(plan.problems, key=lambda p: p.line)
    write_csv_rows(path, [
        ["baris", "status", "alasan", *(cell_text(h) for h in plan.headers)],
        *([p.line, "ditolak" if p.refused else "ditandai", p.reason,
           *(cell_text(v) for v in p.values)] for p in problems)])


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan | None
    batch_id: int | None
    already_imported: tuple[int, str, str] | None = None


async def import_file(
    db: Database, path: Path, *, now: datetime, today: date, skip_invalid: bool,
    options: ImportOptions, actor: str = "cli", scope: Scope = DEFAULT_SCOPE,
) -> ImportResult:
    """Import one file into the scope's institution: all rows, or (with skip_invalid) all
    valid rows, or nothing. Its rows are checked against that institution's units and
    compared with its own respondents only (the same number may be another institution's)."""
    try:
        data = await asyncio.to_thread(read_limited, path)
    except FileRefused as exc:
        raise RespondentFileError(str(exc)) from None
    sha256 = hashlib.sha256(data).hexdigest()
    imports = ImportRepository()
    async with db.reading() as conn:
        units = await UnitRepository().list_all(conn, scope=scope)
        previous = await imports.batch_for_file(conn, sha256, scope=scope)
        if previous is not None:
            return ImportResult(None, None, previous)
        stored = await imports.stored_contacts(conn, scope=scope)
    sheet, book = read_sheet(path, data, options)
    try:
        plan = plan_import(path.name, sha256, sheet, units=units, stored=stored, today=today,
                           options=options)
    finally:
        if book is not None:
            book.close()  # type: ignore[attr-defined]
    del data, stored
    if plan.rejected and not skip_invalid:
        return ImportResult(plan, None)
    issues = [(unit, kind, n) for (unit, kind), n in sorted(plan.issue_counts().items())]
    counts = plan.counts()
    async with db.transaction() as conn:
        batch_id = await imports.add_batch(
            conn, file_name=path.name, sha256=sha256, now=now, actor=actor,
            skip_invalid=skip_invalid, counts=counts, new_rows=plan.new_rows,
            issues=issues, scope=scope)
        await AuditRepository().record(
            conn, now, actor, "respondents.imported", f"import_batch:{batch_id}", scope=scope,
            file=path.name, added=counts.added, unchanged=counts.unchanged,
            rejected=counts.rejected, flagged=counts.flagged)
    logger.info("Impor %s: %d baru, %d tidak berubah, %d ditolak", path.name,
                counts.added, counts.unchanged, counts.rejected)
    return ImportResult(plan, batch_id)
