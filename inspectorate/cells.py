"""Cells written to files staff open in a spreadsheet (exports, import reports, statistics).

Every cell is text, never a formula, and carries no control character:
- CSV has no types, so a cell whose first character would start a formula in Excel,
  LibreOffice or Google Sheets (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading
  apostrophe, the form OWASP recommends and every spreadsheet shows as plain text. A plain
  signed number (`+6281234567890`, `-5`) cannot run anything and is left alone, so E.164
  phone numbers stay as KPK expects them.
- Excel cells are written as strings; those with a formula-like start also get the
  `quotePrefix` style, so editing the cell later does not turn it into a formula either.
- Control characters (NUL breaks the Excel writer) are written as visible escapes such as
  `\\x00`, the same form the CLI shows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from core.text_safety import escape_controls

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def _text(value: object) -> str:
    return "" if value is None else escape_controls(str(value))


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as the start of a formula?"""
    return text.startswith(_FORMULA_START) and _PLAIN_NUMBER.fullmatch(text) is None


def csv_cell(value: object) -> str:
    text = _text(value)
    return "'" + text if formula_like(text) else text


def write_csv_rows(path: Path, rows: Iterable[Sequence[object]]) -> int:
    """Rows as a UTF-8 CSV with BOM (Excel opens it right); returns how many were written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])
            count += 1
    return count


def xlsx_row(sheet: Any, row: Sequence[object]) -> list[object]:
    """A row for an openpyxl write-only sheet with every cell stored as a string."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - heavy, only for Excel output

    cells: list[object] = []
    for value in row:
        text = _text(value)
        if formula_like(text):
            cell = WriteOnlyCell(sheet, text)
            cell.data_type = "s"
            cell.quotePrefix = True
            cells.append(cell)
        else:
            cells.append(text)  # openpyxl stores a str as a string unless it starts with "="
    return cells
