"""Reading respondent lists as units send them: CSV (any common delimiter) or Excel `.xlsx`,
with columns found by their Indonesian or English header."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

FIELDS = ("name", "phone", "email", "unit", "category", "started_on")
REQUIRED = ("name", "phone")

# Header spellings seen in units' files; compared after lower-casing and dropping everything
# that is not a letter or digit, so "No. HP / WA" and "no_hp_wa" are the same header.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "name": ("nama", "namalengkap", "name", "fullname", "namaresponden", "namapegawai",
             "namapengguna", "namapenggunalayanan"),
    "phone": ("telepon", "notelepon", "nomortelepon", "nohp", "nomorhp", "hp", "nohpwa", "wa",
              "nowa", "nomorwa", "nomorwhatsapp", "nowhatsapp", "whatsapp", "ponsel",
              "phone", "phonenumber", "mobile", "mobilenumber", "telp", "notelp"),
    "email": ("email", "surel", "alamatemail", "alamatsurel", "emailaddress", "mail"),
    "unit": ("unit", "kodeunit", "unitcode", "unitkerja", "unitlayanan", "kodeunitlayanan"),
    "category": ("kategori", "category", "kategoriresponden", "jenisresponden",
                 "respondentcategory", "jenis"),
    "started_on": ("tanggalmulai", "tglmulai", "mulaibekerja", "tanggalmulaibekerja",
                   "tmt", "tmtkerja", "tanggalmulaimenggunakanlayanan", "mulai",
                   "startdate", "startedon", "start", "servicestart", "employmentstart"),
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


class RespondentFileError(Exception):
    """The file cannot be read as a respondent list; the message says what to fix."""


def header_key(text: object) -> str:
    return _NON_ALNUM.sub("", str(text or "").lower())


def parse_map_option(values: list[str] | None) -> dict[str, str]:
    """`--map nama="Nama Lengkap"` (field=header, repeatable or comma-separated)."""
    mapping: dict[str, str] = {}
    for value in values or ():
        for item in value.split(","):
            field, sep, header = item.partition("=")
            field = field.strip().lower()
            field = {"nama": "name", "telepon": "phone", "hp": "phone", "surel": "email",
                     "kategori": "category", "tanggal_mulai": "started_on"}.get(field, field)
            if not sep or field not in FIELDS or not header.strip():
                raise RespondentFileError(
                    f"--map '{item}' tidak dikenali; bentuknya kolom=Judul Kolom, kolom salah "
                    f"satu dari: {', '.join(FIELDS)}")
            mapping[field] = header.strip()
    return mapping


def map_headers(headers: list[object], overrides: Mapping[str, str]) -> dict[str, int]:
    """field -> column index; unknown columns are ignored, ambiguous ones refused."""
    keys = [header_key(h) for h in headers]
    found: dict[str, int] = {}
    for field, header in overrides.items():
        wanted = header_key(header)
        if wanted not in keys:
            raise RespondentFileError(
                f"Kolom '{header}' (untuk {field}) tidak ada di berkas. Kolom yang ada: "
                + ", ".join(str(h) for h in headers if h not in (None, "")))
        found[field] = keys.index(wanted)
    for field, aliases in ALIASES.items():
        if field in found:
            continue
        matches = [i for i, key in enumerate(keys) if key in aliases and i not in found.values()]
        if len(matches) > 1:
            raise RespondentFileError(
                f"Lebih dari satu kolom cocok untuk {field}: "
                + ", ".join(str(headers[i]) for i in matches) + ". Pilih dengan --map.")
        if matches:
            found[field] = matches[0]
    return found


@dataclass
class SheetRows:
    headers: list[object]
    rows: Iterator[Sequence[object]]  # data rows in file order, first one is row 2


def cell_text(value: object) -> str:
    """A cell as text: Excel stores phone numbers as numbers and drops nothing we need."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RespondentFileError("Berkas CSV tidak bisa dibaca: simpan ulang sebagai CSV UTF-8.")


def read_csv(data: bytes) -> SheetRows:
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headers = next(reader, None)
    if not headers:
        raise RespondentFileError("Berkas kosong: baris pertama harus berisi judul kolom.")
    return SheetRows(list(headers), reader)


def read_excel(path: Path, sheet: str | None = None) -> tuple[SheetRows, object]:
    """Rows of the first (or named) sheet; returns the workbook to close afterwards.

    python-calamine (Rust) reads 100,000 rows in about 1.5 s where openpyxl's read-only mode
    took 25 s here, in less memory, and also opens the older .xls and LibreOffice .ods.
    """
    from python_calamine import CalamineError, CalamineWorkbook  # noqa: PLC0415 - heavy

    try:
        book = CalamineWorkbook.from_path(path)
    except (CalamineError, OSError) as exc:
        raise RespondentFileError(f"Berkas Excel tidak bisa dibuka: {exc}") from exc
    if sheet is not None and sheet not in book.sheet_names:
        book.close()
        raise RespondentFileError(
            f"Lembar '{sheet}' tidak ada. Lembar yang ada: {', '.join(book.sheet_names)}")
    try:
        rows: Iterator[Sequence[object]] = (
            book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)).iter_rows()
    except CalamineError as exc:
        book.close()
        raise RespondentFileError(f"Lembar tidak bisa dibaca: {exc}") from exc
    headers = next(rows, None)
    if not headers:
        book.close()
        raise RespondentFileError("Lembar kosong: baris pertama harus berisi judul kolom.")
    return SheetRows(list(headers), rows), book


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods")
