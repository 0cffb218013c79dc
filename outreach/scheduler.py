"""APScheduler with a persistent job store (SQLAlchemyJobStore on SQLite) next to the database.

The job store lives in its own file (`spi-bot.jobs.db` beside `spi-bot.db`). Sharing the bot's
file deadlocks: APScheduler writes the store synchronously on the event-loop thread, so when it
waits for SQLite's write lock while an aiosqlite transaction of ours holds it, the loop that
would let our transaction commit is blocked (seen in tests: "database is locked" after the busy
timeout). A separate file has no writer but the scheduler.

One job per broadcast fires `fire_broadcast_job`, a module-level coroutine whose arguments are
plain ids (jobs are pickled into the store), which finds the running worker in a registry.
Misfire policy: APScheduler always runs an overdue job once (misfire_grace_time=None,
coalesce=True) and `BroadcastService.fire` decides, by our own grace period, whether the
occurrence still starts or is recorded as missed and reported to staff.

On PostgreSQL the jobs live in the database itself, and with several workers only the one
holding the scheduler's advisory lock runs a scheduler (outreach/worker.py). Jobs carry the
database's own name (`postgresql:<database>/<schema>`), the same on every machine; a worker
that starts scheduling puts every broadcast still to come in again and fires what fell due
meanwhile, and firing is idempotent (the broadcast's row lock and one run per occurrence), so
a job run by two schedulers for a moment, or by none, never starts an occurrence twice or
loses it.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC
from pathlib import Path
from typing import Any, Protocol

from outreach.firing import schedule_of
from storage.repositories.broadcasts import Broadcast

logger = logging.getLogger(__name__)


class Fires(Protocol):
    async def fire(self, broadcast_id: int) -> None: ...

    async def purge(self) -> None: ...


_RUNNING: dict[str, Fires] = {}


def register(key: str, worker: Fires) -> None:
    _RUNNING[key] = worker


def unregister(key: str) -> None:
    _RUNNING.pop(key, None)


def _running(worker_key: str) -> Fires | None:
    """The worker scheduling for this database; a job stored under another key (written
    before this database's key was known) goes to the one worker scheduling here."""
    worker = _RUNNING.get(worker_key)
    if worker is None and len(_RUNNING) == 1:
        worker = next(iter(_RUNNING.values()))
    return worker


async def fire_broadcast_job(worker_key: str, broadcast_id: int) -> None:
    """The scheduled job: start the broadcast's due occurrence in the running worker."""
    worker = _running(worker_key)
    if worker is None:
        logger.warning("Siaran %d jatuh tempo tetapi pengirim tidak berjalan", broadcast_id)
        return
    await worker.fire(broadcast_id)


async def purge_job(worker_key: str) -> None:
    """The daily job: erase personal data whose retention period has ended (UU 27/2022)."""
    worker = _running(worker_key)
    if worker is None:
        logger.warning("Pembersihan data harian jatuh tempo tetapi pengirim tidak berjalan")
        return
    await worker.purge()


PURGE_JOB_ID = "retention-purge"
# 19:00 UTC is 02:00 WIB, 03:00 WITA and 04:00 WIT: night everywhere in Indonesia.
PURGE_AT_UTC = {"hour": 19, "minute": 0}


def jobs_path(database_path: Path) -> Path:
    return database_path.with_name(f"{database_path.stem}.jobs{database_path.suffix or '.db'}")


def job_store_url(database_path: Path, database_url: str | None) -> str:
    """Where the jobs live: with the data in PostgreSQL (so a worker on any machine finds
    them), or in a SQLite file beside the database file."""
    if database_url:
        return f"postgresql+psycopg://{database_url.split('://', 1)[1]}"
    return f"sqlite:///{jobs_path(database_path)}"


def job_id(broadcast_id: int) -> str:
    return f"broadcast-{broadcast_id}"


class BroadcastScheduler:
    def __init__(self, database_path: Path, worker_key: str,
                 database_url: str | None = None) -> None:
        self._store_url = job_store_url(database_path, database_url)
        self.key = worker_key
        self._scheduler: Any = None

    def start(self) -> None:
        """Start on the running event loop (AsyncIOScheduler needs one)."""
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore  # noqa: PLC0415
        from apscheduler.schedulers.asyncio import AsyncIOScheduler  # noqa: PLC0415

        options = {} if self._store_url.startswith("postgresql") else {
            "connect_args": {"timeout": 15}}
        store = SQLAlchemyJobStore(url=self._store_url, engine_options=options)
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": store}, timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._scheduler.start()
        self._scheduler.add_job(
            purge_job, trigger="cron", timezone=UTC, args=[self.key], id=PURGE_JOB_ID,
            replace_existing=True, name="pembersihan data pribadi harian", **PURGE_AT_UTC,
        )

    def put(self, broadcast: Broadcast) -> None:
        """Add or replace the broadcast's job (explicit id: never a second copy)."""
        if broadcast.id is None:
            raise ValueError("an unsaved broadcast cannot be scheduled")
        self._scheduler.add_job(
            fire_broadcast_job, trigger=schedule_of(broadcast).trigger(),
            args=[self.key, broadcast.id], id=job_id(broadcast.id), replace_existing=True,
            name=f"siaran {broadcast.id}",
        )

    def remove(self, broadcast_id: int) -> None:
        from apscheduler.jobstores.base import JobLookupError  # noqa: PLC0415

        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id(broadcast_id))

    def jobs(self) -> list[tuple[str, Any]]:
        """The broadcast jobs and when each fires next."""
        return [(job.id, job.next_run_time) for job in self._scheduler.get_jobs()
                if job.id != PURGE_JOB_ID]

    def next_purge(self) -> Any:
        """When the daily retention purge runs next."""
        return self._scheduler.get_job(PURGE_JOB_ID).next_run_time

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            for store in self._scheduler._jobstores.values():
                engine = getattr(store, "engine", None)
                if engine is not None:
                    engine.dispose()
        self._scheduler = None
