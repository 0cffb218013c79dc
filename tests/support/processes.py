"""Child processes and waiting, for the tests and benchmarks that run real `spi-bot` processes:
the loopback provider fakes in their own process, polling for a condition, a free port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def provider_fakes(*options: str, quiet: bool = False) -> Iterator[dict[str, str]]:
    """`python -m tests.fakes.broadcast_provider OPTIONS` running; yields the base URLs it
    prints (twilio, telegram, …)."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.broadcast_provider", *options],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            stderr=subprocess.DEVNULL if quiet else None)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def wait_until(condition: Callable[[], object], within: float, step: float = 0.02) -> bool:
    """True as soon as `condition()` is, polling every `step` s; False after `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
