"""Importing a unit's respondent list: validate every row, find duplicates, then store the
whole file in one transaction, or nothing at all."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from inspectorate.bulk_validation import classify_phone, normalize_email_fast
from inspectorate.respondent_file import (
    REQUIRED,
    RespondentFileError,
    SheetRows,
    cell_text,
    header_key,
    is_excel,
    map_headers,
    read_csv,
    read_excel,
)
from storage.database import Database
from storage.repositories.audit import AuditRepository
from storage.repositories.imports import (
    BatchCounts,
    ImportRepository,
    NewRespondent,
    StoredContact,
)
from storage.repositories.units import Unit, UnitRepository

logger = logging.getLogger(__name__)

# Why a row was refused or flagged, as staff read it in the report (Indonesian).
REASONS: Mapping[str, str] = {
    "name_missing": "nama kosong",
    "name_invalid": "nama tidak wajar (harus 2–100 karakter dan berisi huruf)",
    "phone_missing": "nomor HP kosong",
    "phone_invalid": "nomor HP tidak valid",
    "phone_not_mobile": "nomor bukan nomor HP Indonesia (WhatsApp butuh nomor HP)",
    "email_invalid": "alamat e-mail tidak valid",
    "unit_missing": "unit kosong",
    "unit_unknown": "unit tidak dikenal",
    "category_missing": "kategori kosong",
    "category_invalid": "kategori harus internal, eksternal atau eksper",
    "date_invalid": "tanggal mulai tidak terbaca (contoh benar: 2021-03-15 atau 15/03/2021)",
    "date_future": "tanggal mulai ada di masa depan",
    "date_too_old": "tanggal mulai sebelum 1950",
    "duplicate_in_file": "duplikat: nomor HP sama dengan baris lain di berkas ini",
    "duplicate_stored": "duplikat: nomor HP sudah tersimpan",
    "email_shared": "e-mail sama dipakai nomor HP lain",
}
FLAG_KINDS = frozenset({"email_shared"})
CATEGORIES: Mapping[str, str] = {
    **dict.fromkeys(("internal", "intern", "pegawai", "asn", "staf"), "internal"),
    **dict.fromkeys(("external", "eksternal", "ekstern", "penggunalayanan", "masyarakat",
                     "mitra", "pelakuusaha"), "external"),
    **dict.fromkeys(("expert", "eksper", "ekspert", "ahli", "pakar"), "expert"),
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%Y-%m-%d %H:%M:%S")
_OLDEST = date(1950, 1, 1)
_NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class Problem:
    """A row that was refused (or imported with a flag), with its reasons."""

    line: int
    kinds: tuple[str, ...]
    reason: str
    unit_code: str
    values: tuple[object, ...]
    refused: bool


@dataclass
class ImportPlan:
    file_name: str
    sha256: str
    headers: list[object]
    total: int = 0
    new_rows: list[NewRespondent] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.refused]

    @property
    def flagged(self) -> list[Problem]:
        return [p for p in self.problems if not p.refused]

    def issue_counts(self) -> Counter[tuple[str, str]]:
        counts: Counter[tuple[str, str]] = Counter()
        for problem in self.problems:
            for kind in problem.kinds:
                counts[(problem.unit_code, kind)] += 1
        return counts

    def counts(self) -> BatchCounts:
        return BatchCounts(self.total, len(self.new_rows), self.unchanged, len(self.rejected),
                           len(self.flagged))


@dataclass(frozen=True)
class ImportOptions:
    column_map: Mapping[str, str] = field(default_factory=dict)
    default_unit: str | None = None
    default_category: str | None = None
    sheet: str | None = None


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(text: str) -> date | None:
    """`2021-03-15`, `15/03/2021`, `15-03-2021`, `15.03.2021`, `2021/03/15`."""
    iso = _ISO_DATE.match(text)
    dmy = None if iso else _DMY_DATE.match(text)
    if iso or dmy:  # the common shapes without strptime's locale machinery
        year, month, day = (int(v) for v in (iso.groups() if iso else dmy.groups()[::-1]))  # type: ignore[union-attr]
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


_TWO_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]")


def _name_ok(name: str) -> bool:
    return len(name) <= _NAME_MAX and _TWO_LETTERS.search(name) is not None


class _Checker:
    """Validates rows one by one and remembers what it saw, to find duplicates."""

    def __init__(self, units: Sequence[Unit], stored: Sequence[StoredContact], today: date,
                 options: ImportOptions) -> None:
        self.units: dict[str, str] = {}
        for unit in units:
            self.units[unit.code] = unit.code  # exact spelling first: no normalising needed
            self.units[header_key(unit.code)] = unit.code
            self.units.setdefault(header_key(unit.name), unit.code)
        self.stored = {s.phone: s for s in stored}
        self.stored_emails: dict[str, str] = {}
        for s in stored:
            if s.email:
                self.stored_emails.setdefault(s.email.lower(), s.phone)
        self.today = today
        self.options = options
        self.seen_phones: dict[str, int] = {}
        self.seen_emails: dict[str, tuple[str, int]] = {}

    def check(self, plan: ImportPlan, line: int, values: Sequence[object],
              columns: Mapping[str, int]) -> None:
        size = len(values)

        def get(name: str) -> str:
            index = columns.get(name, size)
            if index >= size:
                return ""
            value = values[index]
            return value.strip() if isinstance(value, str) else cell_text(value)

        kinds: list[str] = []
        details: list[str] = []
        name = " ".join(get("name").split())
        if not name:
            kinds.append("name_missing")
        elif not _name_ok(name):
            kinds.append("name_invalid")
        raw_phone = get("phone")
        phone: str | None = None
        if not raw_phone:
            kinds.append("phone_missing")
        else:
            phone, phone_error = classify_phone(raw_phone)
            if phone_error:
                kinds.append(phone_error)
        raw_email = get("email")
        email = normalize_email_fast(raw_email) if raw_email else None
        if raw_email and email is None:
            kinds.append("email_invalid")
        raw_unit = get("unit") or self.options.default_unit or ""
        unit_code = self.units.get(raw_unit) or self.units.get(header_key(raw_unit), "")
        if not raw_unit:
            kinds.append("unit_missing")
        elif not unit_code:
            kinds.append("unit_unknown")
        raw_category = get("category") or self.options.default_category or ""
        category = CATEGORIES.get(raw_category) or CATEGORIES.get(header_key(raw_category))
        if not raw_category:
            kinds.append("category_missing")
        elif category is None:
            kinds.append("category_invalid")
        raw_date = get("started_on")
        started: date | None = None
        if raw_date:
            started = parse_date(raw_date)
            if started is None:
                kinds.append("date_invalid")
            elif started > self.today:
                kinds.append("date_future")
            elif started < _OLDEST:
                kinds.append("date_too_old")
        started_on = started.isoformat() if started else None

        if phone is not None:
            first = self.seen_phones.get(phone)
            stored = self.stored.get(phone)
            if first is not None:
                kinds.append("duplicate_in_file")
                details.append(f"sama dengan baris {first}")
            elif stored is not None and not (
                    stored.source == "import" and stored.name == name
                    and (stored.email or None) == email and stored.unit_code == unit_code
                    and stored.category == category and stored.started_on == started_on):
                kinds.append("duplicate_stored")
                details.append(
                    f"terdaftar lewat bot untuk unit {stored.unit_code}" if stored.source == "bot"
                    else f"dari impor berkas {stored.file_name} untuk unit {stored.unit_code}")
        if kinds:
            self._problem(plan, line, kinds=kinds, details=details, unit_code=unit_code,
                          values=values, refused=True)
            return
        if phone is None or category is None:  # cannot happen without a problem kind
            return
        self.seen_phones[phone] = line
        if phone in self.stored:  # the same person with the same data: nothing to change
            plan.unchanged += 1
            return
        if email:
            shared = self._email_owner(email, phone)
            if shared:
                self._problem(plan, line, kinds=["email_shared"], details=[shared],
                              unit_code=unit_code, values=values, refused=False)
            self.seen_emails.setdefault(email.lower(), (phone, line))
        plan.new_rows.append(NewRespondent(phone, name, email, unit_code, category, started_on))

    def _email_owner(self, email: str, phone: str) -> str | None:
        key = email.lower()
        seen = self.seen_emails.get(key)
        if seen is not None and seen[0] != phone:
            return f"sama dengan baris {seen[1]}"
        owner = self.stored_emails.get(key)
        if owner is not None and owner != phone:
            return "sama dengan data yang sudah tersimpan"
        return None

    @staticmethod
    def _problem(plan: ImportPlan, line: int, *, kinds: list[str], details: list[str],
                 unit_code: str, values: Sequence[object], refused: bool) -> None:
        reason = "; ".join(REASONS[k] for k in kinds)
        if details:
            reason += f" ({'; '.join(details)})"
        plan.problems.append(Problem(line, tuple(kinds), reason, unit_code, tuple(values),
                                     refused))


def plan_import(file_name: str, sha256: str, sheet: SheetRows, *, units: Sequence[Unit],
                stored: Sequence[StoredContact], today: date,
                options: ImportOptions) -> ImportPlan:
    """Check every row of the file against the units and what is stored; writes nothing."""
    columns = map_headers(sheet.headers, options.column_map)
    missing = [f for f in REQUIRED if f not in columns]
    if "unit" not in columns and options.default_unit is None:
        missing.append("unit (atau --unit KODE)")
    if "category" not in columns and options.default_category is None:
        missing.append("category (atau --category internal|eksternal|eksper)")
    if missing:
        raise RespondentFileError(
            "Kolom wajib tidak ditemukan: " + ", ".join(missing) + ". Judul kolom yang ada: "
            + ", ".join(str(h) for h in sheet.headers if h not in (None, ""))
            + ". Tunjukkan kolomnya dengan --map, mis. --map name=\"Nama Lengkap\".")
    plan = ImportPlan(file_name, sha256, sheet.headers)
    checker = _Checker(units, stored, today, options)
    for line, values in enumerate(sheet.rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue  # blank rows at the end of spreadsheets
        plan.total += 1
        checker.check(plan, line, values, columns)
    return plan


def read_sheet(path: Path, data: bytes, options: ImportOptions) -> tuple[SheetRows, object]:
    if is_excel(path):
        return read_excel(path, options.sheet)
    return read_csv(data), None


def write_report(plan: ImportPlan, path: Path) -> None:
    """A CSV of refused and flagged rows, each with its reason in Indonesian."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["baris", "status", "alasan", *(cell_text(h) for h in plan.headers)])
        for problem in sorted(plan.problems, key=lambda p: p.line):
            writer.writerow([problem.line, "ditolak" if problem.refused else "ditandai",
                             problem.reason, *(cell_text(v) for v in problem.values)])


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan | None
    batch_id: int | None
    already_imported: tuple[int, str, str] | None = None


async def import_file(
    db: Database, path: Path, *, now: datetime, today: date, skip_invalid: bool,
    options: ImportOptions, actor: str = "cli",
) -> ImportResult:
    """Import one file: all rows, or (with skip_invalid) all valid rows, or nothing."""
    data = await asyncio.to_thread(path.read_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    imports = ImportRepository()
    async with db.reading() as conn:
        previous = await imports.batch_for_file(conn, sha256)
        if previous is not None:
            return ImportResult(None, None, previous)
        units = await UnitRepository().list_all(conn)
        stored = await imports.stored_contacts(conn)
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
    async with db.transaction() as conn:
        batch_id = await imports.add_batch(
            conn, file_name=path.name, sha256=sha256, now=now, actor=actor,
            skip_invalid=skip_invalid, counts=plan.counts(), new_rows=plan.new_rows,
            issues=issues)
        counts = plan.counts()
        await AuditRepository().record(
            conn, now, actor, "respondents.imported", f"import_batch:{batch_id}",
            file=path.name, added=counts.added, unchanged=counts.unchanged,
            rejected=counts.rejected, flagged=counts.flagged)
    logger.info("Impor %s: %d baru, %d tidak berubah, %d ditolak", path.name,
                counts.added, counts.unchanged, counts.rejected)
    return ImportResult(plan, batch_id)
