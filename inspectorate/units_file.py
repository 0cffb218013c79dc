"""Reading units (service points) from the CSV file staff keep."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from core.text_safety import has_controls
from inspectorate.cells import formula_like
from inspectorate.incoming_file import FileRefused, decode_text, read_limited
from storage.repositories.units import LABEL_TIMEZONES, TIMEZONE_LABELS, Unit

SAMPLE_FILE = Path(__file__).parent / "data" / "units-sample.csv"
_FILE_MAX = 4 * 1024 * 1024  # thousands of units; a regency has a few dozen
_CELL_MAX = 1000
_CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
_HEADERS = {
    "code": ("kode", "code", "kode unit"),
    "name": ("nama", "name", "nama unit"),
    "region": ("wilayah", "region", "daerah"),
    "timezone": ("zona_waktu", "zona waktu", "timezone", "zona"),
    "services": ("layanan", "services", "jenis layanan"),
}


class UnitFileError(FileRefused, ValueError):
    """The file cannot be used; the message lists every problem with its line number."""


def _column_map(header: list[str]) -> dict[str, int]:
    seen = [h.strip().casefold() for h in header]
    columns: dict[str, int] = {}
    for field, names in _HEADERS.items():
        for index, name in enumerate(seen):
            if name in names:
                columns[field] = index
    missing = [field for field in _HEADERS if field not in columns]
    if missing:
        wanted = ", ".join(_HEADERS[field][0] for field in missing)
        raise UnitFileError(f"Kolom yang wajib tidak ada: {wanted}")
    return columns


def parse_units(text: str) -> list[Unit]:
    """All units of the file, or UnitFileError naming every bad line (nothing half-read)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise UnitFileError(f"baris {reader.line_num}: tidak bisa dibaca sebagai CSV ("
                            + ("ada sel yang terlalu panjang" if "field limit" in str(exc)
                               else "baris rusak") + ")") from None
    if not rows:
        raise UnitFileError("Berkas kosong")
    columns = _column_map(rows[0])
    units: list[Unit] = []
    problems: list[str] = []
    codes: set[str] = set()
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        code = cells["code"].upper()
        zone = cells["timezone"].upper()
        services = tuple(s.strip() for s in cells["services"].split(";") if s.strip())
        errors = []
        if any(has_controls(cell) for cell in row):
            errors.append("berisi karakter kendali (mis. NUL, tab atau baris baru di dalam sel)")
        if any(len(cell) > _CELL_MAX for cell in row):
            errors.append(f"ada sel lebih dari {_CELL_MAX} karakter")
        if formula_like(cells["name"]) or (cells["region"] != "-" and formula_like(
                cells["region"])) or any(
                formula_like(s) for s in services):
            errors.append("nama, wilayah atau layanan diawali =, +, - atau @ (dijalankan "
                          "sebagai rumus oleh spreadsheet)")
        if errors:
            problems.append(f"baris {line_no}: " + "; ".join(errors))
            continue
        if not _CODE.match(code):
            errors.append("kode harus 2–32 huruf/angka/_/- tanpa spasi")
        elif code in codes:
            errors.append(f"kode {code} ganda")
        if not cells["name"]:
            errors.append("nama kosong")
        if zone not in LABEL_TIMEZONES and cells["timezone"] not in TIMEZONE_LABELS:
            errors.append("zona_waktu harus WIB, WITA atau WIT")
        if not services:
            errors.append("layanan kosong (pisahkan dengan ;)")
        if errors:
            problems.append(f"baris {line_no}: " + "; ".join(errors))
            continue
        codes.add(code)
        units.append(Unit(code, cells["name"], cells["region"] or "-",
                          LABEL_TIMEZONES.get(zone, cells["timezone"]), services))
    if problems:
        raise UnitFileError("\n".join(problems))
    if not units:
        raise UnitFileError("Tidak ada unit di berkas")
    return units


def read_units(path: Path) -> list[Unit]:
    try:
        text = decode_text(read_limited(path, _FILE_MAX))
    except FileRefused as exc:
        raise UnitFileError(str(exc)) from None
    return parse_units(text)
