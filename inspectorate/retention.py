"""Retention: personal data is purged a set number of days after the survey season ends.

With SPI_SURVEY_END_DATE set, everyone is purged on that date plus the retention days. Without
it, each record belongs to the season it was recorded in: SPI fieldwork has closed on
31 October in 2023, 2024 and 2025 (docs: spi-facts), so a record belongs to the first
31 October on or after its creation and is purged the retention days after that. The date
never slides forward, so nothing is kept for ever because nobody filled in a setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from core.clock import Clock, to_text
from core.scope import Scope
from core.settings import Settings
from storage.database import Database
from storage.personal_data import expire_idle_conversations, purge_respondents
from storage.repositories.audit import AuditRepository
from storage.scoping import as_worker

logger = logging.getLogger(__name__)

SEASON_END = (10, 31)  # month, day: the usual last day of SPI fieldwork


@dataclass(frozen=True)
class PurgeRule:
    """What is due on a given day."""

    purge_on: date  # the first day this rule purges
    # Records created on or before this day go; None: every record (the survey end date set).
    created_until: date | None
    next_purge_on: date | None  # when the next season's records go (default rule only)

    def due(self, today: date) -> bool:
        return today >= self.purge_on


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did (or, in a dry run, would do)."""

    rule: PurgeRule
    due: bool
    dry_run: bool
    by_unit: dict[tuple[str, str], int] = field(default_factory=dict)  # (unit, source) -> n

    @property
    def purge_on(self) -> date:
        return self.rule.purge_on

    @property
    def count(self) -> int:
        return sum(self.by_unit.values())


def _season_end_on_or_before(day: date) -> date:
    end = date(day.year, *SEASON_END)
    return end if end <= day else date(day.year - 1, *SEASON_END)


def purge_rule(settings: Settings, today: date) -> PurgeRule:
    keep = timedelta(days=settings.retention_days_after_survey)
    if settings.survey_end_date is not None:
        return PurgeRule(settings.survey_end_date + keep, None, None)
    # The latest season whose retention has run out by today, and the one after it.
    last = _season_end_on_or_before(today - keep)
    following = date(last.year + 1, *SEASON_END)
    return PurgeRule(last + keep, last, following + keep)


def purge_day_of(settings: Settings, created: date) -> date:
    """The day a record created on `created` is purged at the latest."""
    keep = timedelta(days=settings.retention_days_after_survey)
    if settings.survey_end_date is not None:
        return settings.survey_end_date + keep
    end = date(created.year, *SEASON_END)
    return (end if created <= end else date(created.year + 1, *SEASON_END)) + keep


def describe_rule(settings: Settings, today: date) -> str:
    """One line for the start-up log and `spi-bot purge` (no personal data)."""
    rule = purge_rule(settings, today)
    days = settings.retention_days_after_survey
    if rule.created_until is None or rule.next_purge_on is None:
        return (f"data pribadi dihapus mulai {rule.purge_on.isoformat()} ({days} hari setelah "
                f"SPI_SURVEY_END_DATE {settings.survey_end_date})")
    return (f"SPI_SURVEY_END_DATE kosong, jadi berlaku bawaan: data pribadi dihapus {days} hari "
            f"setelah akhir musim survei (31 Oktober) tempat data itu dicatat; data yang "
            f"dicatat sampai {rule.created_until} sudah jatuh tempo, data sesudahnya dihapus "
            f"mulai {rule.next_purge_on.isoformat()}")


def _created_before(rule: PurgeRule) -> datetime | None:
    if rule.created_until is None:
        return None
    return datetime.combine(rule.created_until + timedelta(days=1), time(), tzinfo=UTC)


async def purge_expired_personal_data(
    db: Database, settings: Settings, now: datetime, *, dry_run: bool = False,
    actor: str = "system", scope: Scope | None = None,
) -> PurgeReport:
    """Erase the personal data whose retention period has passed: of the scope's institution
    (staff, `spi-bot purge --institution`), or of every institution (None: the daily job, a
    system action; each institution's share is audited under that institution).

    Safe to call every day (the scheduler does): before the purge date, and after everything
    due is erased, it changes nothing.
    """
    rule = purge_rule(settings, now.date())
    if not rule.due(now.date()):
        return PurgeReport(rule, False, dry_run)
    before = _created_before(rule)
    institution = None if scope is None else scope.institution_id
    if scope is not None and institution is None:
        raise PermissionError("Peran nasional tidak menghapus data instansi")
    query = """SELECT unit_code, source, COUNT(*), institution_id FROM respondents
               WHERE status != 'erased' AND (CAST(?1 AS TEXT) IS NULL OR created_at < ?1)
                 AND (CAST(?2 AS BIGINT) IS NULL OR institution_id = ?2)
               GROUP BY institution_id, unit_code, source
               ORDER BY institution_id, unit_code, source"""
    params = (to_text(before) if before else None, institution)
    if dry_run:
        async with db.reading() as conn:
            if scope is None:
                as_worker(conn)
            async with conn.execute(query, params) as cur:
                rows = await cur.fetchall()
        return PurgeReport(rule, True, True, {(r[0], r[1]): int(r[2]) for r in rows})
    async with db.transaction() as conn:
        if scope is None:
            as_worker(conn)  # every institution's: the system's role, not the owner's
        async with conn.execute(query, params) as cur:
            rows = await cur.fetchall()
        by_unit = {(r[0], r[1]): int(r[2]) for r in rows}
        per_institution: dict[int, int] = {}
        for r in rows:
            per_institution[int(r[3])] = per_institution.get(int(r[3]), 0) + int(r[2])
        await purge_respondents(conn, now, before, institution_id=institution)
        for purged, count in per_institution.items():
            await AuditRepository().record(
                conn, now, actor, "respondents.purged", None, scope=Scope(purged),
                count=count, purge_on=rule.purge_on.isoformat(),
                created_until=rule.created_until.isoformat() if rule.created_until else None)
    if by_unit:
        logger.info("Retensi: data pribadi %d responden dihapus", sum(by_unit.values()))
    return PurgeReport(rule, True, False, by_unit)


async def run_daily_purge(db: Database, settings: Settings, clock: Clock) -> None:
    """The broadcast worker's daily job: purge what is due and say so in the log."""
    report = await purge_expired_personal_data(db, settings, clock.now())
    if report.due:
        logger.info("Pembersihan data harian: data pribadi %d orang dihapus", report.count)
    else:
        logger.info("Pembersihan data harian: belum jatuh tempo (%s)",
                    describe_rule(settings, clock.now().date()))


async def expire_conversations(db: Database, settings: Settings, now: datetime,
                               batch: int = 2000) -> int:
    """Drop the dialogs idle past SPI_SESSION_IDLE_MINUTES (what was typed in them goes), a
    batch per transaction so chats wait for the write lock only milliseconds at a time."""
    idle_since = now - timedelta(minutes=settings.session_idle_minutes)
    total = 0
    while True:
        async with db.transaction() as conn:
            done = await expire_idle_conversations(conn, idle_since,
                                                   settings.default_language, batch)
        total += done
        if done < batch:
            return total
