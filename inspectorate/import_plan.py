"""Planning an import: every row checked field by field (inspectorate/import_rules.py),
duplicates found within the file and against what is stored; nothing is written here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from core.text_safety import has_controls
from inspectorate import import_rules as rules
from inspectorate.respondent_file import (
    FIELDS,
    REQUIRED,
    RespondentFileError,
    SheetRows,
    cell_text,
    header_key,
    map_headers,
)
from storage.repositories.imports import BatchCounts, NewRespondent, StoredContact
from storage.repositories.units import Unit


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


class _Checker:
    """Checks rows one by one and remembers what it saw, to find duplicates."""

    def __init__(self, units: Sequence[Unit], stored: Sequence[StoredContact], today: date,
                 options: ImportOptions, *, columns: Mapping[str, int],
                 headers: Sequence[object]) -> None:
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
        self.columns = columns
        self.headers = {f: cell_text(headers[i]) or f for f, i in columns.items()}
        self.seen_phones: dict[str, int] = {}
        self.seen_emails: dict[str, tuple[str, int]] = {}

    def check(self, plan: ImportPlan, line: int, values: Sequence[object]) -> None:
        kinds: list[str] = []
        details: list[str] = []
        size = len(values)
        cells: dict[str, str | None] = dict.fromkeys(FIELDS, "")
        for field_name, index in self.columns.items():
            if index < size:
                value = values[index]
                cells[field_name] = value.strip() if isinstance(value, str) else cell_text(value)
        try:
            whole = "".join(cast("Sequence[str]", values))  # CSV rows: all text
        except TypeError:  # Excel rows also hold numbers and dates
            whole = "".join([v for v in values if isinstance(v, str)])
        # isprintable() is the quick all-clear; what it flags (even a no-break space) is
        # looked at closely, cell by cell, only then
        if len(whole) > rules.CELL_MAX or (not whole.isprintable() and has_controls(whole)):
            self._refuse_cells(cells, kinds, details)
        name, found = rules.name(cells["name"] or "")
        kinds += found
        phone = email = unit_code = category = started_on = None
        if (text := cells["phone"]) is not None:
            phone, found = rules.phone(text)
            kinds += found
        if (text := cells["email"]) is not None:
            email, found = rules.email(text)
            kinds += found
        if (text := cells["unit"]) is not None:
            unit_code, found = rules.unit(text or self.options.default_unit or "", self.units)
            kinds += found
        if (text := cells["category"]) is not None:
            category, found = rules.category(text or self.options.default_category or "")
            kinds += found
        if (text := cells["started_on"]) is not None:
            started_on, found = rules.started_on(text, self.today)
            kinds += found

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
        if kinds or phone is None or unit_code is None or category is None:
            self._problem(plan, line, kinds=kinds, details=details, unit_code=unit_code or "",
                          values=values, refused=True)
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

    def _refuse_cells(self, cells: dict[str, str | None], kinds: list[str],
                      details: list[str]) -> None:
        """Marks unusable cells (None) with their reason; the name has its own rule."""
        for field_name, text in cells.items():
            problem = rules.check_cell(text) if text and field_name != "name" else None
            if problem is not None:
                cells[field_name] = None
                kinds.append(problem)
                details.append(f"kolom {self.headers[field_name]}")

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
        reason = "; ".join(rules.REASONS[k] for k in kinds)
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
    checker = _Checker(units, stored, today, options, columns=columns, headers=sheet.headers)
    for line, values in enumerate(sheet.rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue  # blank rows at the end of spreadsheets
        plan.total += 1
        checker.check(plan, line, values)
    return plan
