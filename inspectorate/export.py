"""The clean respondent list for KPK, in the column layout a mapping file asks for."""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from core.scope import DEFAULT_SCOPE, Scope
from inspectorate.cells import write_csv_rows, xlsx_row
from inspectorate.incoming_file import FileRefused, decode_text, read_limited
from inspectorate.stats import CATEGORY_LABELS
from storage.connection import Connection, Row
from storage.scoping import institution_of
from storage.states import RespondentSource, RespondentStatus

EXPORT_CATEGORY = {value: label.lower() for value, label in CATEGORY_LABELS.items()}

_FIELDS: Mapping[str, Callable[[Row], str]] = {
    "name": lambda r: r["name"] or "",
    "phone": lambda r: r["phone"] or "",
    "phone_local": lambda r: "0" + r["phone"][3:] if r["phone"] else "",
    "phone_digits": lambda r: r["phone"][1:] if r["phone"] else "",
    "email": lambda r: r["email"] or "",
    "unit_code": lambda r: r["unit_code"],
    "unit_name": lambda r: r["unit_name"],
    "category": lambda r: EXPORT_CATEGORY.get(r["category"], r["category"]),
    "started_on": lambda r: r["started_on"] or "",
    "respondent_type": lambda r: r["respondent_type"] or "",
    "service": lambda r: r["service"] or "",
    "service_month": lambda r: r["service_month"] or "",
    "source": lambda r: "impor" if r["source"] == "import" else "bot",
    "consent": lambda r: "ya" if r["consent_at"] else "tidak",
    "registered_on": lambda r: str(r["created_at"])[:10],
}
FIELD_NAMES = tuple(_FIELDS)
_MAPPING_MAX = 1024 * 1024


class MappingError(Exception):
    """The mapping file is wrong; the message says where."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str


def load_mapping(path: Path | None) -> list[Column]:
    """The columns from a mapping file, or the shipped default layout."""
    try:
        text = (decode_text(read_limited(path, _MAPPING_MAX)) if path is not None else
                resources.files("inspectorate.data").joinpath("export-default.toml").read_text("utf-8"))
        data: dict[str, Any] = tomllib.loads(text)
    except FileRefused as exc:
        raise MappingError(str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"Berkas pemetaan tidak bisa dibaca: {exc}") from exc
    columns = []
    for i, item in enumerate(data.get("columns", []), start=1):
        if not isinstance(item, dict) or item.get("field") not in _FIELDS:
            raise MappingError(
                f"Kolom ke-{i}: field harus salah satu dari {', '.join(FIELD_NAMES)}")
        columns.append(Column(str(item.get("header") or item["field"]), item["field"]))
    if not columns:
        raise MappingError("Berkas pemetaan tidak berisi kolom (columns = [...]).")
    return columns


# A number typed in a chat other than its own WhatsApp (Telegram without a shared contact, the
# web chat) is not proven to belong to the person who typed it: such rows stay out of the list
# for KPK unless staff ask for them. The inspectorate's own imports are its own lists.
_UNPROVEN = " AND NOT (r.source = ? AND r.status = ?)"


async def clean_rows(conn: Connection, unit_code: str | None,
                     columns: list[Column], *,
                     include_unverified: bool = False,
                     scope: Scope = DEFAULT_SCOPE) -> Iterator[list[str]]:
    """Rows of this institution's clean list (not erased, numbers proven unless asked),
    shaped to the mapping."""
    sql = """SELECT r.*, u.name AS unit_name FROM respondents r
             JOIN units u ON u.code = r.unit_code
             WHERE r.institution_id = ? AND r.status != ? AND r.phone IS NOT NULL"""
    params: tuple[object, ...] = (institution_of(conn, scope), RespondentStatus.ERASED)
    if not include_unverified:
        sql += _UNPROVEN
        params += (RespondentSource.BOT, RespondentStatus.REGISTERED)
    if unit_code is not None:
        sql += " AND r.unit_code = ?"
        params += (unit_code,)
    sql += " ORDER BY u.name, r.name"
    async with conn.execute(sql, params) as cur:
        rows = await cur.fetchall()
    getters = [_FIELDS[c.field] for c in columns]
    return ([get(row) for get in getters] for row in rows)


async def unproven_count(conn: Connection, unit_code: str | None, *,
                         scope: Scope = DEFAULT_SCOPE) -> int:
    """Chat registrations left out of the export because their number is not proven."""
    sql = ("SELECT COUNT(*) FROM respondents r WHERE r.institution_id = ?"
           " AND r.phone IS NOT NULL AND r.source = ? AND r.status = ?")
    params: tuple[object, ...] = (institution_of(conn, scope), RespondentSource.BOT,
                                  RespondentStatus.REGISTERED)
    if unit_code is not None:
        sql += " AND r.unit_code = ?"
        params += (unit_code,)
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


def write_csv(path: Path, columns: list[Column], rows: Iterator[list[str]]) -> int:
    """The list as CSV, every cell as inert text (see inspectorate/cells.py)."""
    return write_csv_rows(path, itertools.chain([[c.header for c in columns]], rows)) - 1


def write_xlsx(path: Path, columns: list[Column], rows: Iterator[list[str]]) -> int:
    """The list as `.xlsx`: text cells (phone numbers keep their leading 0), never formulas."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy, only for Excel output

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Responden")
    sheet.append(xlsx_row(sheet, [c.header for c in columns]))
    count = 0
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
        count += 1
    book.save(path)
    return count
