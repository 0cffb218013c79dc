"""The composition root: builds the database, repositories, handlers and engine from Settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.catalog import build_catalog
from bot.engine.engine import Engine
from core.clock import Clock, SystemClock
from core.scope import DEFAULT_SCOPE
from core.settings import Settings
from handlers.admin_broadcast import BroadcastAdminEntry, BroadcastAdminFlow
from handlers.admin_delete import AdminDeleteEntry
from handlers.admin_stats import AdminStatsEntry
from handlers.check.chat import CheckEntry, CheckFlow
from handlers.check.checker import check_text
from handlers.check.registry import load_registry
from handlers.commands import GlobalCommands
from handlers.faq.chat import FaqEntry
from handlers.faq.embedding import warm
from handlers.faq.matcher import shipped_matcher
from handlers.menu import MenuEntry, NotUnderstood
from handlers.ocr import ImageEntry
from handlers.privacy import DeleteFlow, MyDataCommand, MyDataFlow
from handlers.registration import RegistrationEntry, RegistrationFlow
from handlers.registration_save import PendingNotice
from handlers.router import Router
from handlers.turn import Deps, Lazy
from inspectorate.institutions import parse_timezone, sync_first
from inspectorate.units_file import SAMPLE_FILE, read_units
from outreach.service import BroadcastService
from storage.database import Database, connect
from storage.errors import SchemaBehindError
from storage.migrate import migrate, schema_status
from storage.repositories.inbound import REDELIVERY_HORIZON, InboundRepository

logger = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    deps: Deps
    engine: Engine


def build_router() -> Router:
    """The order in which handlers see a message; first match wins."""
    return Router(
        commands=[PendingNotice(), ImageEntry(), GlobalCommands(), MyDataCommand()],
        flows=[RegistrationFlow(), DeleteFlow(), CheckFlow(), BroadcastAdminFlow(),
               MyDataFlow()],
        entries=[AdminStatsEntry(), BroadcastAdminEntry(), AdminDeleteEntry(),
                 RegistrationEntry(), MenuEntry(),
                 CheckEntry(), FaqEntry()],
        fallback=NotUnderstood(),
    )


def build_deps(settings: Settings, clock: Clock) -> Deps:
    """Everything handlers use, built here once. The FAQ index and the registry are read once
    per process (their builders cache them), so every app in a test run shares them."""
    return Deps(
        settings=settings, clock=clock, catalog=build_catalog(settings),
        broadcasts=BroadcastService(settings),
        matcher=Lazy(lambda: shipped_matcher(settings.faq_threshold, settings.faq_embedding)),
        registry=Lazy(lambda: load_registry(settings.registry_file)),
    )


async def load_units_if_empty(db: Database, deps: Deps) -> None:
    """A fresh database gets the configured units file, or the sample regency, so it works."""
    settings = deps.settings
    async with db.transaction() as conn:
        if await deps.units.count(conn, DEFAULT_SCOPE) > 0:
            return
        if settings.units_file is not None:
            path = settings.units_file
        elif settings.load_sample_units:
            path = SAMPLE_FILE
        else:
            logger.warning("Database belum berisi unit; impor dengan: spi-bot units import FILE")
            return
        units = read_units(path)
        for unit in units:
            await deps.units.save(conn, unit, deps.clock.now())
    logger.info("Database kosong: %d unit dimuat dari %s", len(units), path)


async def sync_institution_one(db: Database, settings: Settings, clock: Clock) -> None:
    """The SPI_INSPECTORATE_* settings describe institution 1 (issue 15): its row follows them at
    every start, so a single-institution deployment needs no extra step. Other institutions
    come from their rows (`spi-bot institutions add`)."""
    zone = parse_timezone(settings.inspectorate_timezone) \
        if settings.inspectorate_timezone.strip() else None
    if settings.inspectorate_timezone.strip() and zone is None:
        logger.warning("SPI_INSPECTORATE_TIMEZONE tidak dikenal; zona waktu instansi 1 tidak "
                       "diubah (Asia/Jakarta, Asia/Makassar, Asia/Jayapura atau WIB/WITA/WIT)")
    async with db.transaction() as conn:
        changed = await sync_first(conn, clock.now(), name=settings.inspectorate_name,
                                   phone=settings.inspectorate_phone,
                                   email=settings.inspectorate_email, timezone=zone)
    if changed:
        logger.info("Instansi 1 diselaraskan dengan pengaturan SPI_INSPECTORATE_*: %s",
                    ", ".join(changed))


def open_database(settings: Settings) -> Database:
    """The database the settings name (SPI_DATABASE_URL, else the SQLite file), not opened."""
    return connect(settings.database_url, settings.database_path,
                   pool_size=settings.database_pool_size)


async def check_or_migrate(db: Database, settings: Settings) -> None:
    """Bring the schema to this code's version, or with SPI_AUTO_MIGRATE=false refuse one that
    is behind; a schema newer than the code is always refused (SchemaTooNewError)."""
    if settings.auto_migrate:
        await migrate(db)
        return
    _, pending = await schema_status(db)
    if pending:
        raise SchemaBehindError(
            f"Migrasi belum diterapkan: {', '.join(str(m.version) for m in pending)}.")


@asynccontextmanager
async def open_app(settings: Settings, clock: Clock | None = None) -> AsyncIterator[App]:
    db = open_database(settings)
    await db.open()
    try:
        await check_or_migrate(db, settings)
        deps = build_deps(settings, clock or SystemClock())
        await sync_institution_one(db, settings, deps.clock)
        await load_units_if_empty(db, deps)
        async with db.transaction() as conn:  # ids older than any redelivery are dead weight
            await InboundRepository().prune(conn, deps.clock.now() - REDELIVERY_HORIZON)
        yield App(settings, db, deps, Engine(db, deps, build_router()))
    finally:
        await db.close()


def warm_up(settings: Settings) -> None:
    """Build the FAQ index, the registry and the suffix list now rather than on the first
    citizen's question (a long-running server calls this before freezing its heap)."""
    matcher = shipped_matcher(settings.faq_threshold, settings.faq_embedding)
    matcher.match("apakah survei spi wajib")
    warm(matcher)  # the embedding's second opinion loads in the background
    check_text("cek https://spi.kpk.go.id", load_registry(settings.registry_file),
               year=SystemClock().now().year)
