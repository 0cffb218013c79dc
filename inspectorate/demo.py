"""A demo data set of three institutions (issue 15): one province and two of its regencies.

`spi-bot institutions demo` loads it in one transaction, and loading it again changes nothing.
Everything in it is obviously made up: institutions called "... Contoh ...", e-mail on the
reserved `.example` domain, people called "Contoh Responden NNNN", phone numbers in +62 840,
a prefix no Indonesian operator has been given (libphonenumber calls them invalid), so a
broadcast started by mistake in a demo can reach nobody.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import from_text, to_text
from storage.connection import Connection
from storage.queries import fetch_all, fetch_one


@dataclass(frozen=True)
class DemoInstitution:
    code: str
    name: str
    kind: str
    timezone: str
    phone: str
    email: str
    units: tuple[tuple[str, str], ...]  # (code, name)
    people: int


_SERVICES = ["Pelayanan umum", "Pengaduan"]
DEMO: tuple[DemoInstitution, ...] = (
    DemoInstitution(
        "DEMO-PROV", "Inspektorat Provinsi Contoh Sulawesi Makmur", "provinsi", "Asia/Makassar",
        "(0411) 5550100", "inspektorat@prov-contoh.example",
        (("DEMOPROV-RSUD", "RSUD Provinsi Contoh"), ("DEMOPROV-BAPENDA", "Bapenda Provinsi"),
         ("DEMOPROV-DPMPTSP", "DPMPTSP Provinsi"), ("DEMOPROV-DISHUB", "Dishub Provinsi"),
         ("DEMOPROV-BKD", "BKD Provinsi"), ("DEMOPROV-PBJ", "Biro PBJ Provinsi")),
        140),
    DemoInstitution(
        "DEMO-KAB", "Inspektorat Kabupaten Contoh Sukamaju", "kabupaten", "Asia/Makassar",
        "(0411) 5550101", "inspektorat@kab-contoh.example",
        (("DEMOKAB-RSUD", "RSUD Kabupaten Contoh"), ("DEMOKAB-DUKCAPIL", "Disdukcapil Kab."),
         ("DEMOKAB-DPMPTSP", "DPMPTSP Kabupaten"), ("DEMOKAB-DINKES", "Dinkes Kabupaten"),
         ("DEMOKAB-DISDIK", "Disdik Kabupaten"), ("DEMOKAB-PUPR", "Dinas PUPR Kabupaten"),
         ("DEMOKAB-PBJ", "Bagian PBJ Kabupaten"), ("DEMOKAB-KEC1", "Kecamatan Contoh Satu")),
        110),
    DemoInstitution(
        "DEMO-KAB2", "Inspektorat Kabupaten Contoh Sejahtera", "kabupaten", "Asia/Makassar",
        "(0411) 5550102", "inspektorat@kab2-contoh.example",
        (("DEMOKAB2-RSUD", "RSUD Sejahtera"), ("DEMOKAB2-DUKCAPIL", "Disdukcapil Sejahtera"),
         ("DEMOKAB2-DPMPTSP", "DPMPTSP Sejahtera"), ("DEMOKAB2-DISHUB", "Dishub Sejahtera"),
         ("DEMOKAB2-SAMSAT", "Samsat Sejahtera"), ("DEMOKAB2-PBJ", "Bagian PBJ Sejahtera")),
        60),
)
DEMO_PHONE_PREFIX = "+62840"  # not given to any operator: no real person has these numbers
FAQ_INTENTS = ("is_official", "duration", "already_participated", "")
VERDICTS = ("official", "suspicious", "manipulation", "unknown")


def demo_phone(institution_no: int, person: int) -> str:
    return f"{DEMO_PHONE_PREFIX}{institution_no:02d}{person:06d}"


@dataclass(frozen=True)
class Person:
    phone: str
    name: str
    unit_code: str
    category: str
    source: str  # bot | import
    status: str  # registered | verified
    opted_out: bool
    days_ago: int


def people_of(institution_no: int, inst: DemoInstitution) -> list[Person]:
    """The same people every time (a fixed seed per institution)."""
    rng = random.Random(f"spi-demo-{inst.code}")  # noqa: S311 - made-up data
    found = []
    for i in range(1, inst.people + 1):
        source = "bot" if rng.random() < 0.6 else "import"
        verified = source == "bot" and rng.random() < 0.75
        found.append(Person(
            demo_phone(institution_no, i), f"Contoh Responden {institution_no}{i:04d}",
            inst.units[rng.randrange(len(inst.units))][0],
            rng.choices(("internal", "external", "expert"), (3, 6, 1))[0], source,
            "verified" if verified else "registered", rng.random() < 0.08,
            rng.randrange(0, 14)))
    return found


@dataclass(frozen=True)
class DemoResult:
    institutions_added: int
    units_added: int
    respondents_added: int
    codes: tuple[str, ...]
    unit_clashes: tuple[str, ...]  # demo unit codes another institution already uses


async def load_demo(conn: Connection, now: datetime) -> DemoResult:
    """Insert what is missing of the demo data set; what is there stays as it is."""
    units = ", ".join("?" for d in DEMO for _u in d.units)
    codes = ", ".join("?" for _d in DEMO)
    clashes = await fetch_all(
        conn, "SELECT u.code FROM units u JOIN institutions i ON i.id = u.institution_id "  # noqa: S608 - placeholders only
              f"WHERE u.code IN ({units}) AND i.code NOT IN ({codes})",
        [code for d in DEMO for code, _name in d.units] + [d.code for d in DEMO])
    if clashes:
        return DemoResult(0, 0, 0, (), tuple(str(r[0]) for r in clashes))
    added_institutions = added_units = added_people = 0
    for number, inst in enumerate(DEMO, start=1):
        row = await fetch_one(conn, "SELECT id, created_at FROM institutions WHERE code = ?",
                              (inst.code,))
        if row is None:
            cur = await conn.execute(
                """INSERT INTO institutions (code, name, kind, timezone, contact_phone,
                       contact_email, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
                (inst.code, inst.name, inst.kind, inst.timezone, inst.phone, inst.email,
                 to_text(now), to_text(now)))
            institution_id, anchor = int((await cur.fetchone())[0]), now
            added_institutions += 1
        else:  # days are counted from the first load, so a reload writes the same rows
            institution_id, anchor = int(row["id"]), from_text(row["created_at"])
        added_units += await _units(conn, institution_id, inst, anchor)
        added_people += await _people(conn, institution_id, number, inst, anchor)
        await _daily_counts(conn, institution_id, number, anchor)
    return DemoResult(added_institutions, added_units, added_people,
                      tuple(d.code for d in DEMO), ())


async def _units(conn: Connection, institution_id: int, inst: DemoInstitution,
                 anchor: datetime) -> int:
    added = 0
    for code, name in inst.units:
        cur = await conn.execute(
            """INSERT INTO units (code, name, region, timezone, services, created_at, updated_at,
                   institution_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (code) DO NOTHING""",
            (code, name, inst.name.removeprefix("Inspektorat "), inst.timezone,
             json.dumps(_SERVICES, ensure_ascii=False), to_text(anchor), to_text(anchor),
             institution_id))
        added += max(cur.rowcount, 0)
    return added


async def _people(conn: Connection, institution_id: int, number: int, inst: DemoInstitution,
                  anchor: datetime) -> int:
    people = people_of(number, inst)
    batch_id = None
    if any(p.source == "import" for p in people):
        digest = hashlib.sha256(f"spi-demo-{inst.code}".encode()).hexdigest()
        found = await fetch_one(conn, "SELECT id FROM import_batches WHERE institution_id = ? "
                                      "AND file_sha256 = ?", (institution_id, digest))
        if found is None:
            imported = sum(p.source == "import" for p in people)
            cur = await conn.execute(
                """INSERT INTO import_batches (institution_id, file_name, file_sha256,
                       imported_at, actor, skip_invalid, rows_total, rows_added,
                       rows_unchanged, rows_rejected, rows_flagged)
                   VALUES (?, ?, ?, ?, 'demo', 0, ?, ?, 0, 0, 0) RETURNING id""",
                (institution_id, f"demo-{inst.code.lower()}.csv", digest, to_text(anchor),
                 imported, imported))
            batch_id = int((await cur.fetchone())[0])
        else:
            batch_id = int(found["id"])
    have = {str(r[0]) for r in await fetch_all(
        conn, "SELECT phone FROM respondents WHERE institution_id = ? AND phone LIKE ?",
        (institution_id, f"{DEMO_PHONE_PREFIX}%"))}
    rows: list[tuple[object, ...]] = []
    for p in people:
        if p.phone in have:
            continue
        at = to_text(anchor - timedelta(days=p.days_ago, minutes=len(rows)))
        bot = p.source == "bot"
        rows.append((institution_id, p.phone, p.name, p.unit_code, p.category, p.status,
                     p.source, at if bot else None, "demo" if bot else None,
                     at if p.opted_out else None, at, at, None if bot else batch_id))
    await conn.executemany(
        """INSERT INTO respondents (institution_id, phone, name, unit_code, category, status,
               source, consent_at, consent_version, opted_out_at, created_at, updated_at,
               import_batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
    return len(rows)


async def _daily_counts(conn: Connection, institution_id: int, number: int,
                        anchor: datetime) -> None:
    """A few days of FAQ and checker counts, different per institution; set, never added to."""
    rng = random.Random(f"spi-demo-counts-{number}")  # noqa: S311
    for back in range(3):
        day = (anchor - timedelta(days=back)).date().isoformat()
        for intent in FAQ_INTENTS:
            await conn.execute(
                """INSERT INTO faq_daily (institution_id, day, intent, count)
                   VALUES (?, ?, ?, ?) ON CONFLICT (institution_id, day, intent)
                   DO UPDATE SET count = excluded.count""",
                (institution_id, day, intent, rng.randrange(1, 12) * number))
        for verdict in VERDICTS:
            await conn.execute(
                """INSERT INTO check_daily (institution_id, day, verdict, count)
                   VALUES (?, ?, ?, ?) ON CONFLICT (institution_id, day, verdict)
                   DO UPDATE SET count = excluded.count""",
                (institution_id, day, verdict, rng.randrange(0, 6) + number))
