"""Crash test: `spi-bot run` is killed with SIGKILL while 200 signed WhatsApp webhooks are in
flight and their replies queue behind the pacing; after a restart (and Twilio's redelivery of
what got no 200) every message is answered exactly once, counted at the fake Twilio API.

Bounded: every wait has a deadline; loopback only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.twilio_webhooks import inbound_message, sign
from tests.support.postgres import query
from tests.support.processes import free_port, provider_fakes, wait_until

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parent.parent
SPI_BOT = str(Path(sys.executable).parent / "spi-bot")
PUBLIC_URL = "https://bot.sukamajukab.example"
PATH = "/twilio/whatsapp"
PEOPLE, EACH = 100, 2  # 200 messages, two from each person (identical replies, in order)


@pytest.fixture
def fakes() -> Iterator[dict[str, str]]:
    with provider_fakes() as info:
        yield info


def counts(twilio: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{twilio}/_stats?counts=1", timeout=5) as answer:  # noqa: S310
        return dict(json.loads(answer.read()))


def start(cwd: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    with (cwd / "server.log").open("ab") as log:
        server = subprocess.Popen([SPI_BOT, "run"], cwd=cwd, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    assert wait_until(lambda: healthy(port) or server.poll() is not None, 90)
    assert server.poll() is None, (cwd / "server.log").read_text()
    return server


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def post(port: int, token: str, params: dict[str, str]) -> int:
    """Twilio's request; the HTTP status, or 0 when the connection broke (the kill)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}", data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": sign(token, f"{PUBLIC_URL}{PATH}", params),
                 "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


def outbox(database: Path, url: str | None) -> int:
    return int(query(database, url, "SELECT COUNT(*) FROM reply_outbox")[0][0])


def test_killed_server_answers_every_acknowledged_message_exactly_once(
    tmp_path: Path, fakes: dict[str, str], database_url: str | None
) -> None:
    port = free_port()
    database = tmp_path / "bot.db"
    token = fakes["twilio_auth_token"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env |= {"SPI_DATABASE_PATH": str(database), "SPI_PORT": str(port),
            "SPI_LOG_LEVEL": "WARNING", "SPI_PUBLIC_URL": PUBLIC_URL,
            "SPI_TWILIO_ACCOUNT_SID": fakes["twilio_account_sid"],
            "SPI_TWILIO_AUTH_TOKEN": token, "SPI_TWILIO_WHATSAPP_NUMBER": "+14155238886",
            "SPI_TWILIO_API_BASE_URL": fakes["twilio"],
            # Replies are paced (as in production, where 8/s is the default), so most of them
            # are still queued when the process dies.
            "SPI_BROADCAST_WHATSAPP_RATE": "40"}
    if database_url:
        env["SPI_DATABASE_URL"] = database_url
    messages = [inbound_message(f"+62812{person:08d}", "halo")
                for _ in range(EACH) for person in range(PEOPLE)]
    server = start(tmp_path, env, port)
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(post, port, token, m) for m in messages]
        # Killed with about half the webhooks answered: the others are in flight or unsent.
        assert wait_until(lambda: sum(f.done() for f in futures) >= len(messages) // 2, 60)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        first = [f.result() for f in futures]
    answered_before = counts(fakes["twilio"])["accepted"]
    acknowledged = sum(1 for status in first if status == 200)
    assert acknowledged < len(messages)  # some webhooks were in flight
    assert answered_before < acknowledged  # acknowledged replies were still queued

    server = start(tmp_path, env, port)
    try:
        # Twilio delivers again what got no 200 (the MessageSid makes it harmless).
        again = [post(port, token, m) for m, status in zip(messages, first, strict=True)
                 if status != 200]
        assert all(status == 200 for status in again)
        total = PEOPLE * EACH
        assert wait_until(lambda: counts(fakes["twilio"])["accepted"] >= total
                          and outbox(database, database_url) == 0, 90)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
    stats = counts(fakes["twilio"])
    assert stats["accepted"] == total
    assert stats["counts"] == {f"whatsapp:+62812{p:08d}": EACH for p in range(PEOPLE)}
    processed = query(database, database_url, "SELECT COUNT(*) FROM processed_inbound")[0][0]
    assert processed == total
    print(f"\nreply crash test: {acknowledged} of {total} acknowledged before SIGKILL, "
          f"{answered_before} answered then; after restart all {total} answered exactly once")
