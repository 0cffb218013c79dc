"""A real PostgreSQL server for tests: found through SPI_TEST_DATABASE_URL, one fresh schema per
test (dropped afterwards), so tests never see each other's rows."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

TEST_URL = os.environ.get("SPI_TEST_DATABASE_URL") or None
# Under CI a PostgreSQL case that cannot run fails the run: a green CI must not hide a backend.
REQUIRED = os.environ.get("SPI_CI", "") not in ("", "0")
HOW_TO = ("PostgreSQL tests skipped: set SPI_TEST_DATABASE_URL=postgresql://user@host/db "
          "(a database the tests may create schemas in) to run them.")

_reachable: str | None = None  # "" when reachable, else why not


def unreachable_reason() -> str:
    """'' when the test server answers, else why not (asked once per run)."""
    global _reachable  # noqa: PLW0603 - one probe per test run
    if _reachable is None:
        if TEST_URL is None:
            _reachable = "SPI_TEST_DATABASE_URL is not set"
        else:
            import psycopg

            try:
                with psycopg.connect(TEST_URL, connect_timeout=5) as conn:
                    conn.execute("SELECT 1")
                _reachable = ""
            except psycopg.Error as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                _reachable = f"PostgreSQL at SPI_TEST_DATABASE_URL unreachable: {first}"
    return _reachable


def with_schema(url: str, schema: str) -> str:
    """The URL with `search_path` set to `schema` for every connection made from it."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-c search_path={schema}', safe='')}"


@contextmanager
def fresh_schema(url: str | None = None) -> Iterator[str]:
    """A database URL whose connections work in a new, empty schema (dropped afterwards), on
    `url` (the benchmarks' server) or the test server."""
    import psycopg

    server = url or TEST_URL
    assert server is not None
    schema = f"spi_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(server, schema)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def query(database: Path, url: str | None, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one read from another process's database (SQLite file or PostgreSQL URL)."""
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
    with sqlite3.connect(database) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]
