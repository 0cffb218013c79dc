"""Onboarding an institution (issue 15): the checks on what staff type, and its counts.

An institution is the data controller for its own citizens; what is stored about it here is
public (its name, kind, time zone and the inspectorate's contact shown to citizens). `show`
gives counts only, never anyone's personal data.
"""

from __future__ import annotations

import re
import time
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import phonenumbers

from core.clock import to_text
from core.emails import normalize_email
from core.phones import to_e164, to_mobile_e164
from core.scope import Scope
from core.text_safety import has_controls
from storage.connection import Connection, Row
from storage.queries import fetch_all, fetch_one
from storage.repositories.units import Unit, UnitRepository

KINDS: dict[str, str] = {
    "kementerian_lembaga": "Kementerian/Lembaga",
    "provinsi": "Provinsi",
    "kabupaten": "Kabupaten",
    "kota": "Kota",
}
# What people type for a kind, besides its own name.
_KIND_ALIASES = {"kementerian": "kementerian_lembaga", "lembaga": "kementerian_lembaga",
                 "kl": "kementerian_lembaga", "k/l": "kementerian_lembaga",
                 "prov": "provinsi", "province": "provinsi", "kab": "kabupaten",
                 "regency": "kabupaten", "city": "kota", "kotamadya": "kota"}
_ZONE_LABELS = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
INDONESIAN_ZONES = frozenset(_ZONE_LABELS.values())

CODE = re.compile(r"^[A-Z0-9_-]{2,20}$")
_TELEGRAM_BOT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,30}[Bb][Oo][Tt]$")
NAME_MAX = 120


@dataclass(frozen=True, slots=True)
class NewInstitution:
    """What `institutions add` stores, already checked and normalised."""

    code: str
    name: str
    kind: str
    timezone: str
    contact_phone: str  # national display format, e.g. (0411) 5550198
    contact_email: str
    whatsapp_sender: str | None  # E.164
    telegram_bot: str | None  # username without @


@dataclass(frozen=True, slots=True)
class Institution:
    id: int
    code: str
    name: str
    kind: str
    timezone: str
    contact_phone: str
    contact_email: str
    whatsapp_sender: str | None
    telegram_bot: str | None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalise_code(text: str) -> str:
    return text.strip().upper()


def code_problem(code: str) -> str | None:
    if not CODE.match(code):
        return (f"Kode instansi '{code[:40]}' tidak valid: 2–20 karakter huruf A-Z, angka, "
                "garis bawah (_) atau tanda hubung (-), mis. KAB-SUKAMAJU.")
    return None


def parse_kind(text: str) -> str | None:
    word = text.strip().lower().replace(" ", "_")
    return word if word in KINDS else _KIND_ALIASES.get(word)


def parse_timezone(text: str) -> str | None:
    """An IANA zone name (Asia/Makassar) or WIB/WITA/WIT; None when it is neither."""
    raw = text.strip()
    if raw.upper() in _ZONE_LABELS:
        return _ZONE_LABELS[raw.upper()]
    return raw if raw in _zones() else None


def _display_phone(e164: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(e164),
                                      phonenumbers.PhoneNumberFormat.NATIONAL)


def check_new(*, code: str, name: str, kind: str, timezone: str, phone: str | None,
              email: str | None, whatsapp: str | None, telegram: str | None
              ) -> NewInstitution | list[str]:
    """The institution to store, or every problem found (in polite Indonesian)."""
    problems: list[str] = []
    code = normalise_code(code)
    if (problem := code_problem(code)) is not None:
        problems.append(problem)
    clean_name = " ".join(name.split())
    if has_controls(name) or not clean_name.isprintable():
        problems.append("Nama instansi memuat karakter kendali; tulis sebagai teks biasa.")
    elif not 3 <= len(clean_name) <= NAME_MAX:
        problems.append(f"Nama instansi 3–{NAME_MAX} karakter (sekarang {len(clean_name)}), "
                        "mis. \"Inspektorat Kabupaten Sukamaju\".")
    found_kind = parse_kind(kind)
    if found_kind is None:
        problems.append(f"Jenis instansi '{kind[:40]}' tidak dikenal. Pilih salah satu: "
                        + ", ".join(KINDS) + ".")
    zone = parse_timezone(timezone)
    if zone is None:
        problems.append(f"Zona waktu '{timezone[:60]}' tidak dikenal. Pakai nama IANA "
                        "(Asia/Jakarta, Asia/Makassar, Asia/Jayapura) atau WIB/WITA/WIT.")
    contact_phone = ""
    if phone:
        e164 = to_e164(phone)
        if e164 is None:
            problems.append(f"Nomor kontak '{phone[:40]}' bukan nomor telepon yang valid, "
                            "mis. (0411) 555-0198.")
        else:
            contact_phone = _display_phone(e164)
    contact_email = ""
    if email:
        normal = normalize_email(email)
        if normal is None:
            problems.append(f"E-mail kontak '{email[:80]}' tidak valid, "
                            "mis. inspektorat@sukamajukab.go.id.")
        else:
            contact_email = normal
    if not (phone or email):
        problems.append("Sebutkan kontak inspektorat untuk warga: --phone dan/atau --email.")
    sender = None
    if whatsapp:
        sender = to_mobile_e164(whatsapp)
        if sender is None:
            problems.append(f"Nomor pengirim WhatsApp '{whatsapp[:40]}' bukan nomor seluler "
                            "yang valid (format +62…).")
    bot = None
    if telegram:
        bot = telegram.strip().removeprefix("@")
        if not _TELEGRAM_BOT.match(bot):
            problems.append(f"Nama bot Telegram '{telegram[:40]}' tidak valid: 5–32 huruf, "
                            "angka atau _, diakhiri 'bot', mis. InspektoratSukamajuBot.")
    if problems or found_kind is None or zone is None:
        return problems
    return NewInstitution(code, clean_name, found_kind, zone, contact_phone, contact_email,
                          sender, bot)


_COLUMNS = ("id, code, name, kind, timezone, contact_phone, contact_email, whatsapp_sender, "
            "telegram_bot")


def _institution(r: Row) -> Institution:
    return Institution(int(r["id"]), r["code"], r["name"], r["kind"], r["timezone"],
                       r["contact_phone"], r["contact_email"], r["whatsapp_sender"],
                       r["telegram_bot"])


async def by_code(conn: Connection, code: str) -> Institution | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM institutions WHERE code = ?",  # noqa: S608
                          (normalise_code(code),))
    return _institution(row) if row is not None else None


async def list_all(conn: Connection) -> list[Institution]:
    rows = await fetch_all(conn, f"SELECT {_COLUMNS} FROM institutions ORDER BY code")  # noqa: S608
    return [_institution(r) for r in rows]


async def conflicts(conn: Connection, new: NewInstitution) -> list[str]:
    """What another institution already uses: its code, its own WhatsApp sender or bot."""
    problems = []
    if await by_code(conn, new.code) is not None:
        problems.append(f"Kode instansi {new.code} sudah dipakai. Lihat: spi-bot institutions "
                        "list")
    if new.whatsapp_sender and await fetch_one(
            conn, "SELECT 1 FROM institutions WHERE whatsapp_sender = ?",
            (new.whatsapp_sender,)):
        problems.append("Nomor pengirim WhatsApp itu sudah dipakai instansi lain.")
    if new.telegram_bot and await fetch_one(
            conn, "SELECT 1 FROM institutions WHERE lower(telegram_bot) = ?",
            (new.telegram_bot.lower(),)):
        problems.append("Bot Telegram itu sudah dipakai instansi lain.")
    return problems


async def add(conn: Connection, new: NewInstitution, now: datetime) -> int:
    cur = await conn.execute(
        """INSERT INTO institutions (code, name, kind, timezone, contact_phone, contact_email,
               whatsapp_sender, telegram_bot, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (new.code, new.name, new.kind, new.timezone, new.contact_phone, new.contact_email,
         new.whatsapp_sender, new.telegram_bot, to_text(now), to_text(now)))
    return int((await cur.fetchone())[0])


@dataclass(frozen=True, slots=True)
class InstitutionCounts:
    """Counts only: how far an institution is, never who."""

    units: int
    respondents: dict[str, int]  # by status
    staff: dict[str, int]  # active staff by role


async def counts(conn: Connection, institution_id: int) -> InstitutionCounts:
    units = await fetch_one(conn, "SELECT COUNT(*) FROM units WHERE institution_id = ?",
                            (institution_id,))
    people = await fetch_all(
        conn, "SELECT status, COUNT(*) FROM respondents WHERE institution_id = ? "
              "GROUP BY status ORDER BY status", (institution_id,))
    staff = await fetch_all(
        conn, "SELECT role, COUNT(*) FROM staff WHERE institution_id = ? AND disabled_at IS NULL "
              "GROUP BY role ORDER BY role", (institution_id,))
    return InstitutionCounts(int(units[0]) if units else 0,
                             {str(r[0]): int(r[1]) for r in people},
                             {str(r[0]): int(r[1]) for r in staff})


async def unit_owners(conn: Connection) -> dict[str, int]:
    """Unit code -> its institution (unit codes are unique across institutions)."""
    rows = await fetch_all(conn, "SELECT code, institution_id FROM units")
    return {str(r[0]): int(r[1]) for r in rows}


async def save_units(conn: Connection, repository: UnitRepository, units: list[Unit],
                     scope: Scope, now: datetime) -> int:
    """Save a units file's units for the scope's institution, all or none; returns how many
    were new. A code another institution already uses refuses the whole file
    (UnitFileError, before the first scoped statement: under PostgreSQL's row-level
    security the other institution's units are invisible after it); one taken meanwhile
    raises UnitTaken from the repository."""
    from inspectorate.units_file import UnitFileError  # noqa: PLC0415

    owners = await unit_owners(conn)
    mine = scope.institution_id
    taken = [u.code for u in units if owners.get(u.code, mine) != mine]
    if taken:
        raise UnitFileError(
            "kode unit " + ", ".join(taken[:10]) + (" …" if len(taken) > 10 else "")
            + " sudah dipakai instansi lain. Kode unit berlaku di seluruh pemasangan "
            "(tertera di kode QR); pakai kode lain, mis. dengan awalan kode instansi.")
    added = 0
    for unit in units:
        added += await repository.save(conn, unit, now, scope=scope)
    return added


async def by_id(conn: Connection, institution_id: int) -> Institution | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM institutions WHERE id = ?",  # noqa: S608
                          (institution_id,))
    return _institution(row) if row is not None else None



async def sync_first(conn: Connection, now: datetime, *, name: str, phone: str, email: str,
                     timezone: str | None) -> list[str]:
    """Institution 1 is what the SPI_INSPECTORATE_* settings describe: copy each one that is set
    (non-empty) into its row, so a single-institution deployment needs no extra step. Returns
    the columns changed (none when the row already says the same)."""
    wanted = {"name": " ".join(name.split()), "contact_phone": phone.strip(),
              "contact_email": email.strip()}
    if timezone:
        wanted["timezone"] = timezone
    row = await fetch_one(conn, "SELECT name, contact_phone, contact_email, timezone "
                                "FROM institutions WHERE id = 1")
    if row is None:
        return []
    changed = [column for column, value in wanted.items() if value and row[column] != value]
    if changed:
        sets = ", ".join(f"{column} = ?" for column in changed)
        await conn.execute(f"UPDATE institutions SET {sets}, updated_at = ? WHERE id = 1",  # noqa: S608 - fixed column names
                           (*(wanted[c] for c in changed), to_text(now)))
    return changed


class InstitutionDirectory:
    """Every institution by id, for conversations: the few rows change rarely and are read on
    every citizen's turn of a deployment with several, so reads are served from a copy at most
    `max_age` seconds old; an id the copy does not know reads the table again."""

    def __init__(self, max_age: float = 30.0) -> None:
        self._max_age = max_age
        self._copy: dict[int, Institution] | None = None
        self._copied_at = 0.0

    async def _all(self, conn: Connection, *, fresh: bool = False) -> dict[int, Institution]:
        if fresh or self._copy is None or time.monotonic() - self._copied_at > self._max_age:
            rows = await fetch_all(conn, f"SELECT {_COLUMNS} FROM institutions")  # noqa: S608
            self._copy = {int(r["id"]): _institution(r) for r in rows}
            self._copied_at = time.monotonic()
        return self._copy

    async def several(self, conn: Connection) -> bool:
        """Whether the deployment has more than one institution."""
        return len(await self._all(conn)) > 1

    async def get(self, conn: Connection, institution_id: int) -> Institution | None:
        found = (await self._all(conn)).get(institution_id)
        if found is None:
            found = (await self._all(conn, fresh=True)).get(institution_id)
        return found
