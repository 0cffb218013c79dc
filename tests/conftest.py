from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App, open_app
from core.settings import Settings, load_settings
from tests.support import postgres, redis_server
from tests.support.clock import FakeClock

pytest_plugins = ["tests.fakes.fixtures"]

# The FAQ's embedding second opinion loads in a background thread and answers only once it is
# ready: tests get the word matcher alone, deterministically; tests/test_faq_embedding.py opts in.
os.environ.setdefault("SPI_FAQ_EMBEDDING", "off")
# The broadcast integrity check's learned second opinion (outreach/integrity_model.py): the rule
# tests measure the rules alone; tests/test_broadcast_integrity_model.py switches it on.
os.environ.setdefault("SPI_BROADCAST_MODEL", "off")

BACKENDS = ("sqlite", "postgresql")
_skipped_postgres = 0
_skipped_redis = 0


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_backends` run once on SQLite and once on PostgreSQL."""
    if metafunc.definition.get_closest_marker("both_backends") and \
            "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend of this test: SQLite unless the test runs on both."""
    global _skipped_postgres  # noqa: PLW0603 - counted for the one-line summary
    name: str = getattr(request, "param", "sqlite")
    if name == "postgresql":
        reason = postgres.unreachable_reason()
        if reason:
            if postgres.REQUIRED:
                pytest.fail(f"{reason} (SPI_CI is set: PostgreSQL must be reachable)")
            _skipped_postgres += 1
            pytest.skip(postgres.HOW_TO)
    return name


@pytest.fixture
def database_url(backend: str) -> Iterator[str | None]:
    """None for SQLite; for PostgreSQL, a URL into a fresh schema of the test server."""
    if backend != "postgresql":
        yield None
        return
    with postgres.fresh_schema() as url:
        yield url


@pytest.fixture
def redis_env() -> Iterator[dict[str, str]]:
    """SPI_REDIS_URL and a fresh SPI_REDIS_KEY_PREFIX for this test (a real Redis server)."""
    global _skipped_redis  # noqa: PLW0603 - counted for the one-line summary
    reason = redis_server.unreachable_reason()
    if reason:
        if redis_server.REQUIRED:
            pytest.fail(f"{reason} (SPI_CI is set: Redis must be reachable)")
        _skipped_redis += 1
        pytest.skip(redis_server.HOW_TO)
    assert redis_server.TEST_URL is not None
    with redis_server.fresh_prefix() as prefix:
        yield {"SPI_REDIS_URL": redis_server.TEST_URL, "SPI_REDIS_KEY_PREFIX": prefix}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_redis:
        why = redis_server.HOW_TO if redis_server.TEST_URL is None else \
            f"Redis tests skipped: {redis_server.unreachable_reason()}"
        terminalreporter.write_line(f"{_skipped_redis} {why}")
    if _skipped_postgres:
        why = postgres.HOW_TO if postgres.TEST_URL is None else \
            f"PostgreSQL tests skipped: {postgres.unreachable_reason()}"
        terminalreporter.write_line(f"{_skipped_postgres} {why}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         database_url=database_url)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    async with open_app(settings, clock) as opened:
        yield opened
