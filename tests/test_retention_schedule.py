"""The daily retention purge is a scheduled job of the running worker."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_app
from bot.server.outreach import build_worker
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.settings import load_settings
from outreach.scheduler import purge_job
from tests.support.clock import FakeClock
from tests.support.dialog import User, register


async def test_the_worker_schedules_a_nightly_purge_that_erases_expired_data(
    tmp_path: Path,
) -> None:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             survey_end_date="2026-10-31", retention_days_after_survey=10)
    clock = FakeClock(datetime(2026, 11, 5, 3, 0, tzinfo=UTC))
    async with open_app(settings, clock) as app:
        await register(User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890"))
        async with build_worker(app, {}, {}) as worker:
            assert worker.scheduler.next_purge().astimezone(UTC).hour == 19  # 02:00 WIB

            await purge_job(worker.key)  # 5 Nov: retention runs until 10 Nov
            async with app.db.reading() as conn:
                assert await app.deps.respondents.count(conn, DEFAULT_SCOPE) == 1

            clock.set(datetime(2026, 11, 11, 19, 0, tzinfo=UTC))
            await purge_job(worker.key)
            async with app.db.reading() as conn:
                assert await app.deps.respondents.count(conn, DEFAULT_SCOPE) == 0
                rows = list(await conn.execute_fetchall(
                    "SELECT COUNT(*) FROM respondents WHERE phone IS NOT NULL "
                    "OR name IS NOT NULL"))
            assert next(iter(rows))[0] == 0
