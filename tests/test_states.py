"""States and labels live once, in storage/states.py: the migrations' CHECK constraints allow
exactly the enums' values, and the repositories' SQL names none of them as a literal."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import aiosqlite

from core.roles import StaffRole
from storage.migrate import migrate
from storage.states import (
    BroadcastState,
    Category,
    CheckVerdict,
    DeliveryState,
    InstitutionKind,
    RespondentSource,
    RespondentStatus,
    RunState,
    ScheduleKind,
)

ROOT = Path(__file__).resolve().parent.parent
ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("broadcasts", "state"): BroadcastState,
    ("broadcasts", "schedule_kind"): ScheduleKind,
    ("broadcast_runs", "state"): RunState,
    ("deliveries", "state"): DeliveryState,
    ("respondents", "status"): RespondentStatus,
    ("respondents", "source"): RespondentSource,
    ("respondents", "category"): Category,
    ("check_daily", "verdict"): CheckVerdict,
    ("institutions", "kind"): InstitutionKind,
    ("staff", "role"): StaffRole,
}
CHECK_IN = re.compile(r"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)", re.IGNORECASE)


async def test_every_check_constraint_allows_exactly_its_enum(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "schema.db") as conn:
        await migrate(conn)
        tables = await conn.execute_fetchall(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    found: dict[tuple[str, str], set[str]] = {}
    for name, sql in tables:
        for column, values in CHECK_IN.findall(sql):
            found[(name, column)] = {v.strip().strip("'") for v in values.split(",")}
    assert set(found) == set(ENUMS), "a CHECK constraint without its enum, or the reverse"
    for key, allowed in found.items():
        assert allowed == {member.value for member in ENUMS[key]}, key


def test_repositories_name_no_state_as_a_literal() -> None:
    values = {member.value for enum in ENUMS.values() for member in enum}
    literal = re.compile(r"'(" + "|".join(sorted(values)) + r")'")
    found = [f"{path.name}: {match}" for path in sorted((ROOT / "storage/repositories")
                                                         .glob("*.py"))
             for match in literal.findall(path.read_text(encoding="utf-8"))]
    assert found == []


def test_every_category_has_one_label_used_by_statistics_and_the_kpk_export() -> None:
    from inspectorate.export import EXPORT_CATEGORY
    from inspectorate.stats import CATEGORY_LABELS
    from storage.states import Category

    assert set(CATEGORY_LABELS) == set(Category)
    assert {c: CATEGORY_LABELS[c].lower() for c in Category} == EXPORT_CATEGORY
