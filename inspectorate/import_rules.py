"""The import's rules, one check per field of a respondent list: each takes the cell's text
and returns the stored value and the reason codes (keys of REASONS) that refuse the row."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from core.names import check_name
from core.text_safety import has_controls
from inspectorate.bulk_validation import classify_phone, normalize_email_fast
from inspectorate.respondent_file import header_key

# Why a row was refused or flagged, as staff read it in the report (Indonesian).
REASONS: Mapping[str, str] = {
    "name_missing": "nama kosong",
    "name_invalid": "nama tidak wajar (harus berisi huruf, boleh spasi dan . , ' -, tanpa "
                    "angka)",
    "name_too_long": "nama lebih dari 100 karakter",
    "name_formula": "nama diawali =, +, - atau @ (dijalankan sebagai rumus oleh spreadsheet)",
    "name_control": "nama berisi karakter kendali (mis. NUL) atau karakter tak terlihat",
    "cell_control": "sel berisi karakter kendali (mis. NUL, tab atau baris baru)",
    "cell_too_long": "sel terlalu panjang",
    "phone_missing": "nomor HP kosong",
    "phone_invalid": "nomor HP tidak valid",
    "phone_not_mobile": "nomor bukan nomor HP Indonesia (WhatsApp butuh nomor HP)",
    "email_invalid": "alamat e-mail tidak valid",
    "email_formula": "e-mail diawali =, +, - atau @ (dijalankan sebagai rumus oleh spreadsheet)",
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
CATEGORIES: Mapping[str, str] = {
    **dict.fromkeys(("internal", "intern", "pegawai", "asn", "staf"), "internal"),
    **dict.fromkeys(("external", "eksternal", "ekstern", "penggunalayanan", "masyarakat",
                     "mitra", "pelakuusaha"), "external"),
    **dict.fromkeys(("expert", "eksper", "ekspert", "ahli", "pakar"), "expert"),
}
# A cell other than the name longer than this is not data (the longest valid e-mail is 254).
CELL_MAX = 320
_FORMULA_PREFIXES = ("=", "+", "-", "@")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%Y-%m-%d %H:%M:%S")
_OLDEST = date(1950, 1, 1)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")

Checked = tuple[str | None, tuple[str, ...]]  # the value, and () when it is fine


def check_cell(text: str) -> str | None:
    """What makes any cell unusable whatever its field: control characters, absurd length."""
    if len(text) > CELL_MAX:
        return "cell_too_long"
    if has_controls(text):
        return "cell_control"
    return None


def name(text: str) -> tuple[str, tuple[str, ...]]:
    """The chat's own rule (core/names.py): an import accepts no name the chat refuses."""
    checked, problem = check_name(text)
    return checked, () if problem is None else (problem.value,)


def phone(text: str) -> Checked:
    if not text:
        return None, ("phone_missing",)
    e164, error = classify_phone(text)
    return e164, () if error is None else (error,)


def email(text: str) -> Checked:
    if not text:
        return None, ()
    address = normalize_email_fast(text)
    if address is None:
        return None, ("email_invalid",)
    if address.startswith(_FORMULA_PREFIXES):  # valid RFC 5322, but a formula in a sheet
        return None, ("email_formula",)
    return address, ()


def unit(text: str, units: Mapping[str, str]) -> Checked:
    """The unit's code from its code or name in any spelling; `units` maps both to codes."""
    if not text:
        return None, ("unit_missing",)
    code = units.get(text) or units.get(header_key(text))
    return (code, ()) if code else (None, ("unit_unknown",))


def category(text: str) -> Checked:
    if not text:
        return None, ("category_missing",)
    value = CATEGORIES.get(text) or CATEGORIES.get(header_key(text))
    return (value, ()) if value else (None, ("category_invalid",))


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


def started_on(text: str, today: date) -> Checked:
    """The ISO date work or service started (optional)."""
    if not text:
        return None, ()
    started = parse_date(text)
    if started is None:
        return None, ("date_invalid",)
    if started > today:
        return None, ("date_future",)
    if started < _OLDEST:
        return None, ("date_too_old",)
    return started.isoformat(), ()
