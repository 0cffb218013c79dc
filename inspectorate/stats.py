"""Progress figures for staff: one small query per section, anonymous counts only.

Every figure is of one institution (its `Scope`), or, for the national view, totals across
all institutions only (`national_sections`): no unit, no institution and no single broadcast
is named there, and a count from 1 to SMALL_COUNT - 1 is shown as "<SMALL_COUNT", so a figure
of a handful of people cannot be traced back to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from core.clock import from_text
from core.scope import DEFAULT_SCOPE, NATIONAL, Scope
from inspectorate.cells import csv_cell
from storage.connection import Connection
from storage.states import BroadcastState, Category, CheckVerdict, DeliveryState, RespondentStatus

# The one place that names the categories for people; the KPK export writes them lower-case.
CATEGORY_LABELS: dict[str, str] = {Category.INTERNAL: "Internal", Category.EXTERNAL: "Eksternal",
                                   Category.EXPERT: "Eksper"}


@dataclass(frozen=True)
class Section:
    """One table of the statistics: a title, column headers and rows of plain values."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[object, ...]]


SMALL_COUNT = 5  # national cells from 1 to 4 are shown as "<5"


def _owned(scope: Scope, alias: str = "") -> tuple[str, tuple[object, ...]]:
    """The WHERE condition for this scope's rows: one institution's, or (national) all."""
    if scope.institution_id is None:
        return "1 = 1", ()
    return f"{alias}institution_id = ?", (scope.institution_id,)


async def _units(conn: Connection, scope: Scope) -> dict[str, tuple[str, str]]:
    where, params = _owned(scope)
    async with conn.execute(
        f"SELECT code, name, timezone FROM units WHERE {where} ORDER BY name",  # noqa: S608
        params,
    ) as cur:
        return {row[0]: (row[1], row[2]) for row in await cur.fetchall()}


@dataclass(frozen=True)
class UnitCounts:
    name: str
    by_category: dict[str, int]
    bot: int
    imported: int


async def unit_counts(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> list[UnitCounts]:
    """Everyone ever registered or imported (erased people still count), per unit."""
    units = await _units(conn, scope)
    where, params = _owned(scope)
    async with conn.execute(
        f"SELECT unit_code, category, source, COUNT(*) FROM respondents WHERE {where} "  # noqa: S608
        "GROUP BY unit_code, category, source", params,
    ) as cur:
        counts = {(r[0], r[1], r[2]): int(r[3]) for r in await cur.fetchall()}
    return [
        UnitCounts(
            name,
            {cat: sum(n for (u, c, _s), n in counts.items() if u == code and c == cat)
             for cat in CATEGORY_LABELS},
            sum(n for (u, _c, s), n in counts.items() if u == code and s == "bot"),
            sum(n for (u, _c, s), n in counts.items() if u == code and s == "import"),
        )
        for code, (name, _zone) in units.items()
    ]


async def registrations_by_unit(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> Section:
    rows: list[tuple[object, ...]] = [
        (u.name, *u.by_category.values(), u.bot, u.imported, u.bot + u.imported)
        for u in await unit_counts(conn, scope)]
    return Section("registrations_by_unit", "Calon responden per unit dan kategori",
                   ("Unit", *CATEGORY_LABELS.values(), "Lewat bot", "Impor", "Total"), rows)


async def daily_registrations(conn: Connection, scope: Scope = DEFAULT_SCOPE
                              ) -> list[tuple[date, str, int]]:
    """(day in the unit's own time zone, unit name, registrations through the bot); for the
    national view one line, NATIONAL_LINE, instead of one per unit."""
    units = await _units(conn, scope)
    zones = {code: ZoneInfo(zone) for code, (_name, zone) in units.items()}
    counts: Counter[tuple[date, str]] = Counter()
    where, params = _owned(scope)
    async with conn.execute(
        f"SELECT unit_code, created_at FROM respondents WHERE source = 'bot' AND {where}",  # noqa: S608
        params,
    ) as cur:
        async for unit_code, created_at in cur:
            zone = zones.get(unit_code, ZoneInfo("Asia/Jakarta"))
            name = (NATIONAL_LINE if scope.is_national
                    else units.get(unit_code, (unit_code, ""))[0])
            counts[(from_text(created_at).astimezone(zone).date(), name)] += 1
    return sorted((day, unit, n) for (day, unit), n in counts.items())


async def registrations_by_day(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> Section:
    rows: list[tuple[object, ...]] = [
        (day.isoformat(), unit, n) for day, unit, n in await daily_registrations(conn, scope)]
    return Section("registrations_by_day", "Pendaftaran lewat bot per hari",
                   ("Tanggal", "Unit", "Jumlah"), rows)


@dataclass(frozen=True)
class StatusCounts:
    verified: int
    pending: int
    opted_out: int
    erased: int


async def status_counts(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> StatusCounts:
    """Verified versus pending, opt-outs and deletions."""
    where, params = _owned(scope)
    async with conn.execute(
        f"""SELECT
               COUNT(*) FILTER (WHERE status = ?),
               COUNT(*) FILTER (WHERE status = ?),
               COUNT(*) FILTER (WHERE status != ? AND opted_out_at IS NOT NULL),
               COUNT(*) FILTER (WHERE status = ?)
           FROM respondents WHERE {where}""",  # noqa: S608
        (RespondentStatus.VERIFIED, RespondentStatus.REGISTERED, RespondentStatus.ERASED,
         RespondentStatus.ERASED, *params),
    ) as cur:
        row = await cur.fetchone()
    return StatusCounts(*(int(v or 0) for v in (row or (0, 0, 0, 0))))


async def respondent_status(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> Section:
    counts = await status_counts(conn, scope)
    return Section("respondent_status", "Status calon responden", ("Status", "Jumlah"), [
        ("Nomor terverifikasi", counts.verified),
        ("Menunggu verifikasi (termasuk impor)", counts.pending),
        ("Berhenti menerima pesan (STOP)", counts.opted_out),
        ("Data dihapus (HAPUS DATA, petugas, retensi)", counts.erased),
    ])


async def faq_counts(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> dict[str, int]:
    """Questions per FAQ intent, most asked first; '' counts those the bot could not answer."""
    where, params = _owned(scope)
    async with conn.execute(
        f"SELECT intent, SUM(count) AS n FROM faq_daily WHERE {where} "  # noqa: S608
        "GROUP BY intent ORDER BY n DESC, intent", params,
    ) as cur:
        return {intent: int(n) for intent, n in await cur.fetchall()}


async def faq_by_intent(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> Section:
    rows: list[tuple[object, ...]] = [
        (intent or "(tidak terjawab)", n)
        for intent, n in (await faq_counts(conn, scope)).items()]
    return Section("faq_by_intent", "Pertanyaan FAQ per topik", ("Topik", "Jumlah"), rows)


# Every checker verdict has a row, `manipulation` (an employer-style ask) its own.
VERDICT_LABELS: dict[str, str] = {
    CheckVerdict.OFFICIAL: "Resmi", CheckVerdict.SUSPICIOUS: "Mencurigakan",
    CheckVerdict.MANIPULATION: "Melanggar aturan SPI",
    CheckVerdict.UNKNOWN: "Tidak dapat dipastikan"}


async def check_counts(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> dict[str, int]:
    """Authenticity checks per verdict (every verdict present); anonymous daily counts only."""
    where, params = _owned(scope)
    async with conn.execute(
        f"SELECT verdict, SUM(count) FROM check_daily WHERE {where} GROUP BY verdict",  # noqa: S608
        params,
    ) as cur:
        found = {verdict: int(n) for verdict, n in await cur.fetchall()}
    return {verdict: found.get(verdict, 0) for verdict in VERDICT_LABELS}


async def checks_by_verdict(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> Section:
    counts = await check_counts(conn, scope)
    rows: list[tuple[object, ...]] = [
        (label, counts.get(verdict, 0)) for verdict, label in VERDICT_LABELS.items()]
    return Section("checks_by_verdict", "Cek keaslian per hasil", ("Hasil", "Jumlah"), rows)


@dataclass(frozen=True)
class BroadcastOutcome:
    broadcast_id: int
    state: str
    runs: int
    sent: int
    delivered: int  # the provider reported delivered or read (WhatsApp status callbacks)
    failed: int
    skipped: int  # opted out, erased or no longer verified at send time
    waiting: int  # pending, being sent, or unknown after a crash


async def broadcast_outcomes(conn: Connection, scope: Scope = DEFAULT_SCOPE
                             ) -> list[BroadcastOutcome]:
    """Each broadcast's delivery outcomes; provider statuses come from outbound_messages."""
    where, params = _owned(scope, "b.")
    async with conn.execute(
        f"""SELECT b.id, b.state,
                  (SELECT COUNT(*) FROM broadcast_runs r WHERE r.broadcast_id = b.id),
                  COUNT(*) FILTER (WHERE d.state = ?),
                  COUNT(*) FILTER (WHERE o.status IN ('delivered', 'read')),
                  COUNT(*) FILTER (WHERE d.state = ?),
                  COUNT(*) FILTER (WHERE d.state = ?),
                  COUNT(*) FILTER (WHERE d.state IN (?, ?, ?))
           FROM broadcasts b
           LEFT JOIN deliveries d ON d.broadcast_id = b.id
           LEFT JOIN outbound_messages o ON o.provider_id = d.provider_id
                                        AND o.channel = d.channel
           WHERE {where}
           GROUP BY b.id ORDER BY b.id""",  # noqa: S608
        (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED,
         DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.UNKNOWN, *params),
    ) as cur:
        return [BroadcastOutcome(int(bid), str(state), *(int(v) for v in counts))
                for bid, state, *counts in await cur.fetchall()]


BROADCAST_STATES: dict[str, str] = {
    BroadcastState.ACTIVE: "aktif", BroadcastState.PAUSED: "dijeda",
    BroadcastState.COMPLETED: "selesai", BroadcastState.CANCELLED: "dibatalkan"}


async def broadcasts_section(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> Section:
    rows: list[tuple[object, ...]] = [
        (f"#{b.broadcast_id}", BROADCAST_STATES.get(b.state, b.state), b.runs, b.sent,
         b.delivered, b.failed, b.skipped, b.waiting)
        for b in await broadcast_outcomes(conn, scope)]
    return Section("broadcasts", "Siaran pengingat dan hasil pengirimannya",
                   ("Siaran", "Status", "Putaran", "Terkirim", "Diterima", "Gagal", "Dilewati",
                    "Menunggu"), rows)


SECTIONS = (registrations_by_unit, registrations_by_day, respondent_status, faq_by_intent,
            checks_by_verdict, broadcasts_section)


async def collect(conn: Connection, scope: Scope = DEFAULT_SCOPE) -> list[Section]:
    """This institution's tables, or for the national scope `national_sections`."""
    if scope.is_national:
        return await national_sections(conn)
    return [await section(conn, scope) for section in SECTIONS]


# The national view ------------------------------------------------------------------------------

NATIONAL_LINE = "Semua instansi"


def small(n: int) -> object:
    """A national cell: the count, or "<5" for 1 to 4 people."""
    return f"<{SMALL_COUNT}" if 0 < n < SMALL_COUNT else n


async def national_sections(conn: Connection) -> list[Section]:
    """Totals across all institutions only: never a unit, an institution or one broadcast."""
    async with conn.execute(
        "SELECT (SELECT COUNT(*) FROM institutions), (SELECT COUNT(*) FROM units), "
        "(SELECT COUNT(DISTINCT institution_id) FROM respondents)"
    ) as cur:
        row = await cur.fetchone()
    institutions, units, active = (int(v or 0) for v in (row or (0, 0, 0)))
    scope_rows: list[tuple[object, ...]] = [
        ("Instansi", institutions), ("Instansi dengan calon responden", active),
        ("Unit layanan", units)]
    per_unit = await unit_counts(conn, NATIONAL)
    by_category = {cat: sum(u.by_category[cat] for u in per_unit) for cat in CATEGORY_LABELS}
    bot = sum(u.bot for u in per_unit)
    imported = sum(u.imported for u in per_unit)
    status = await status_counts(conn, NATIONAL)
    faq = await faq_counts(conn, NATIONAL)
    checks = await check_counts(conn, NATIONAL)
    outcomes = await broadcast_outcomes(conn, NATIONAL)
    return [
        Section("national_scope", "Cakupan nasional", ("Jumlah", "Nilai"), scope_rows),
        Section("national_registrations", "Calon responden, semua instansi",
                (" ", *CATEGORY_LABELS.values(), "Lewat bot", "Impor", "Total"),
                [(NATIONAL_LINE, *(small(n) for n in by_category.values()), small(bot),
                  small(imported), small(bot + imported))]),
        Section("national_status", "Status calon responden, semua instansi",
                ("Status", "Jumlah"), [
                    ("Nomor terverifikasi", small(status.verified)),
                    ("Menunggu verifikasi (termasuk impor)", small(status.pending)),
                    ("Berhenti menerima pesan (STOP)", small(status.opted_out)),
                    ("Data dihapus (HAPUS DATA, petugas, retensi)", small(status.erased))]),
        Section("national_faq", "Pertanyaan FAQ per topik, semua instansi", ("Topik", "Jumlah"),
                [(intent or "(tidak terjawab)", small(n)) for intent, n in faq.items()]),
        Section("national_checks", "Cek keaslian per hasil, semua instansi", ("Hasil", "Jumlah"),
                [(label, small(checks.get(verdict, 0)))
                 for verdict, label in VERDICT_LABELS.items()]),
        Section("national_broadcasts", "Siaran pengingat, semua instansi",
                ("Siaran", "Terkirim", "Diterima", "Gagal", "Dilewati", "Menunggu"),
                [(small(len(outcomes)), *(small(sum(getattr(o, field) for o in outcomes))
                                          for field in ("sent", "delivered", "failed",
                                                        "skipped", "waiting")))]),
    ]


def format_table(section: Section) -> str:
    """A plain-text table: first column left-aligned, numbers right-aligned."""
    header = tuple(section.headers)
    body = [tuple(str(v) for v in row) for row in section.rows]
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = [section.title, "-" * len(section.title)]
    for row in [header, *body]:
        lines.append("  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                               for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    if not body:
        lines.append("(belum ada data)")
    return "\n".join(lines)


def csv_rows(sections: Sequence[Section]) -> list[list[object]]:
    """All sections in one sheet: each starts with its own header row; unit names and
    labels as inert text cells (inspectorate/cells.py)."""
    rows: list[list[object]] = []
    for section in sections:
        rows.append([csv_cell(v) for v in ("bagian", *section.headers)])
        rows.extend([csv_cell(v) for v in (section.title, *row)] for row in section.rows)
    return rows
