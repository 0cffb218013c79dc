from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, open_app
from core.settings import Settings, load_settings
from tests.support.clock import FakeClock

pytest_plugins = ["tests.fakes.fixtures"]

# The FAQ's embedding second opinion loads in a background thread and answers only once it is
# ready: tests get the word matcher alone, deterministically; tests/test_faq_embedding.py opts in.
os.environ.setdefault("SPI_FAQ_EMBEDDING", "off")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db")


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    async with open_app(settings, clock) as opened:
        yield opened
