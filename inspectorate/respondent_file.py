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

from inspectorate.incoming_file import FileRefused, check_zip_limits, decode_text

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


class RespondentFileError(FileRefused):
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


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[Sequence[object]]:
    """The reader's rows; a broken line (a field past the csv module's limit) is refused
    with its line number instead of a traceback."""
    try:
        yield from reader
    except csv.Error as exc:
        line = getattr(reader, "line_num", 0)
        if "field larger than field limit" in str(exc):
            raise RespondentFileError(
                f"Baris {line}: ada sel lebih dari {csv.field_size_limit()} karakter "
                "(mungkin tanda kutip tidak ditutup). Perbaiki berkasnya.") from None
        raise RespondentFileError(f"Baris {line} tidak bisa dibaca sebagai CSV.") from None


def read_csv(data: bytes) -> SheetRows:
    try:
        text = decode_text(data)
    except FileRefused as exc:
        raise RespondentFileError(str(exc)) from None
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = _csv_rows(csv.reader(io.StringIO(text, newline=""), dialect))
    headers = next(rows, None)
    if not headers:
        raise RespondentFileError("Berkas kosong: baris pertama harus berisi judul kolom.")
    return SheetRows(list(headers), rows)


def read_excel(data: bytes, sheet: str | None = None) -> tuple[SheetRows, object]:
    """Rows of the first (or named) sheet; returns the workbook to close afterwards.

    python-calamine (Rust) reads 100,000 rows in about 1.5 s where openpyxl's read-only mode
    took 25 s here, in less memory, and also opens the older .xls and LibreOffice .ods. Zip
    based files are measured first (`check_zip_limits`): calamine trusts what it inflates.
    """
    from python_calamine import CalamineError, CalamineWorkbook  # noqa: PLC0415 - heavy

    if data.startswith(b"PK"):
        try:
            check_zip_limits(data)
        except FileRefused as exc:
            raise RespondentFileError(str(exc)) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as exc:
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
