"""Retention: personal data is purged a set number of days after the survey period ends."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.clock import Clock, to_text
from core.settings import Settings
from storage.database import Database
from storage.personal_data import forget_sessions
from storage.repositories.audit import AuditRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did (or, in a dry run, would do)."""

    purge_on: date | None  # None: SPI_SURVEY_END_DATE is not set
    due: bool
    dry_run: bool
    by_unit: dict[tuple[str, str], int] = field(default_factory=dict)  # (unit, source) -> n

    @property
    def count(self) -> int:
        return sum(self.by_unit.values())


def purge_date(settings: Settings) -> date | None:
    if settings.survey_end_date is None:
        return None
    return settings.survey_end_date + timedelta(days=settings.retention_days_after_survey)


async def purge_expired_personal_data(
    db: Database, settings: Settings, now: datetime, *, dry_run: bool = False,
    actor: str = "system",
) -> PurgeReport:
    """Erase every respondent's personal data once the retention period has passed.

    Safe to call every day (the scheduler does): before the purge date, and after everything
    is erased, it changes nothing.
    """
    purge_on = purge_date(settings)
    due = purge_on is not None and now.date() >= purge_on
    if not due:
        return PurgeReport(purge_on, False, dry_run)
    query = """SELECT unit_code, source, COUNT(*) FROM respondents WHERE status != 'erased'
               GROUP BY unit_code, source ORDER BY unit_code, source"""
    if dry_run:
        async with db.reading() as conn, conn.execute(query) as cur:
            rows = await cur.fetchall()
        return PurgeReport(purge_on, True, True, {(r[0], r[1]): int(r[2]) for r in rows})
    async with db.transaction() as conn:
        async with conn.execute(query) as cur:
            by_unit = {(r[0], r[1]): int(r[2]) for r in await cur.fetchall()}
        if by_unit:
            stamp = to_text(now)
            await forget_sessions(conn, None)
            await conn.execute(
                """UPDATE respondents SET phone = NULL, name = NULL, email = NULL,
                       service = NULL, service_month = NULL, started_on = NULL,
                       status = 'erased', erased_at = ?, updated_at = ?
                   WHERE status != 'erased'""", (stamp, stamp))
            await conn.execute(
                "DELETE FROM channel_identities WHERE respondent_id IN "
                "(SELECT id FROM respondents WHERE status = 'erased')")
            await conn.execute("UPDATE deliveries SET address = '' WHERE address != ''")
            await AuditRepository().record(
                conn, now, actor, "respondents.purged", None, count=sum(by_unit.values()),
                purge_on=purge_on.isoformat() if purge_on else None)
    if by_unit:
        logger.info("Retensi: data pribadi %d responden dihapus", sum(by_unit.values()))
    return PurgeReport(purge_on, True, False, by_unit)


async def run_daily_purge(db: Database, settings: Settings, clock: Clock) -> None:
    """The broadcast worker's daily job: purge what is due and say so in the log."""
    report = await purge_expired_personal_data(db, settings, clock.now())
    if report.due:
        logger.info("Pembersihan data harian: data pribadi %d orang dihapus", report.count)
    else:
        logger.info("Pembersihan data harian: belum jatuh tempo (tanggal hapus: %s)",
                    report.purge_on or "SPI_SURVEY_END_DATE belum diisi")
