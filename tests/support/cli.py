"""Running `spi-bot` through its real entry point from an async test."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sys
from dataclasses import dataclass

import pytest

from bot.cli import main
from core.settings import Settings


@dataclass
class CliResult:
    code: int
    out: str


async def run_cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *argv: str,
                  stdin: str = "", env: dict[str, str] | None = None) -> CliResult:
    """`spi-bot ARGV` against the test database, in a thread with its own event loop."""
    monkeypatch.setenv("SPI_DATABASE_PATH", str(settings.database_path))
    if settings.database_url:
        monkeypatch.setenv("SPI_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("SPI_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPI_ADMINS", ",".join(settings.admins))
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.chdir(settings.database_path.parent)  # no developer .env leaks in
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = await asyncio.to_thread(main, list(argv))
    finally:
        root.handlers[:], root.level = handlers, level
    return CliResult(code, out.getvalue())
