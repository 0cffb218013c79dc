"""A real Redis server for tests: found through SPI_TEST_REDIS_URL, one fresh key prefix per
test (its keys deleted afterwards), so tests never count each other's sends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

TEST_URL = os.environ.get("SPI_TEST_REDIS_URL") or None
# Under CI a Redis case that cannot run fails the run, as for PostgreSQL.
REQUIRED = os.environ.get("SPI_CI", "") not in ("", "0")
HOW_TO = ("Redis tests skipped: set SPI_TEST_REDIS_URL=redis://host:6379/0 (a server the "
          "tests may write keys to) to run them.")

_reachable: str | None = None  # "" when reachable, else why not


def unreachable_reason() -> str:
    """'' when the test server answers, else why not (asked once per run)."""
    global _reachable  # noqa: PLW0603 - one probe per test run
    if _reachable is None:
        if TEST_URL is None:
            _reachable = "SPI_TEST_REDIS_URL is not set"
        else:
            import redis

            try:
                with redis.Redis.from_url(TEST_URL, socket_connect_timeout=5) as client:
                    client.ping()
                _reachable = ""
            except (redis.RedisError, OSError) as exc:
                _reachable = f"Redis at SPI_TEST_REDIS_URL unreachable: {exc}"
    return _reachable


@contextmanager
def fresh_prefix(url: str | None = None) -> Iterator[str]:
    """A key prefix no other test (or benchmark) uses on `url` (default: the test server);
    its keys are deleted afterwards."""
    import redis

    server = url or TEST_URL
    assert server is not None
    prefix = f"spi-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        with redis.Redis.from_url(server) as client:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
