"""Crash test: a real `spi-bot broadcast worker` process sending a broadcast to the loopback
fake providers is killed with SIGKILL at random points and restarted; in the end every
recipient got the message exactly once (the fakes count) or is reported as unknown.

Bounded: each wait has a deadline; loopback only. The kill points are drawn from a seeded
random generator as "after K more messages were accepted", so kills land inside groups.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_app
from core.clock import to_text
from core.settings import load_settings
from outreach.dispatcher import DispatchConfig
from tests.support.postgres import query
from tests.support.processes import provider_fakes, wait_until

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parent.parent
SPI_BOT = str(Path(sys.executable).parent / "spi-bot")
WHATSAPP, TELEGRAM, KILLS = 240, 60, 6
OUR_NUMBER = "+6281100000000"


@pytest.fixture
def fakes() -> Iterator[dict[str, str]]:
    with provider_fakes() as info:
        yield info


def stats(base: str) -> dict[str, Any]:
    root = base.removesuffix("/bot")
    with urllib.request.urlopen(f"{root}/_stats?counts=1", timeout=5) as answer:  # noqa: S310
        return dict(json.loads(answer.read()))


def accepted(info: dict[str, str]) -> int:
    return int(stats(info["twilio"])["accepted"]) + int(stats(info["telegram"])["accepted"])


async def seed(database: Path, url: str | None) -> None:
    now = to_text(datetime.now(UTC))
    settings = load_settings(_env_file=None, database_path=database, database_url=url)
    async with open_app(settings) as app, \
            app.db.transaction() as conn:
        people = [(i, f"+62812{i:08d}", f"Responden {i}", now, now)
                  for i in range(1, WHATSAPP + TELEGRAM + 1)]
        await conn.executemany(
            """INSERT INTO respondents (id, phone, name, unit_code, status, source, created_at,
                   updated_at) VALUES (?, ?, ?, 'DISDUKCAPIL', 'verified', 'bot', ?, ?)""", people)
        await conn.executemany(
            """INSERT INTO channel_identities (channel, address, respondent_id, last_inbound_at,
                   created_at) VALUES (?, ?, ?, ?, ?)""",
            [("whatsapp" if i <= WHATSAPP else "telegram",
              phone if i <= WHATSAPP else str(700000 + i), i, now, now)
             for i, phone, _, _, _ in people])


def open_deliveries(database: Path, url: str | None) -> int:
    return int(query(database, url, "SELECT COUNT(*) FROM deliveries WHERE state IN "
                                     "('pending', 'sending')")[0][0])


def runs(database: Path, url: str | None) -> int:
    return int(query(database, url, "SELECT COUNT(*) FROM broadcast_runs")[0][0])


def worker_env(database: Path, url: str | None, fakes: dict[str, str]) -> dict[str, str]:
    """The environment of the `spi-bot` child processes: the fakes, either backend, and (the
    test runs at any hour) no quiet hours; fast enough to finish, slow enough to be killed in
    the middle."""
    env = {k: v for k, v in os.environ.items() if k != "SPI_DATABASE_URL"}
    env |= {"SPI_DATABASE_PATH": str(database), "SPI_LOG_LEVEL": "WARNING",
            "SPI_TELEGRAM_BOT_TOKEN": fakes["telegram_token"],
            "SPI_TELEGRAM_API_BASE_URL": fakes["telegram"],
            "SPI_TWILIO_ACCOUNT_SID": fakes["twilio_account_sid"],
            "SPI_TWILIO_AUTH_TOKEN": fakes["twilio_auth_token"],
            "SPI_TWILIO_WHATSAPP_NUMBER": OUR_NUMBER, "SPI_TWILIO_API_BASE_URL": fakes["twilio"],
            "SPI_BROADCAST_QUIET_START": "00:00", "SPI_BROADCAST_QUIET_END": "00:00",
            "SPI_BROADCAST_WHATSAPP_RATE": "120", "SPI_BROADCAST_TELEGRAM_RATE": "60"}
    if url:
        env["SPI_DATABASE_URL"] = url
    return env


def test_killed_worker_never_sends_anyone_twice(
    tmp_path: Path, fakes: dict[str, str], database_url: str | None
) -> None:
    database = tmp_path / "bot.db"
    asyncio.run(seed(database, database_url))
    env = worker_env(database, database_url, fakes)
    created = subprocess.run(
        [SPI_BOT, "broadcast", "create", "--text", "Halo {nama}, survei SPI resmi hanya "
         "dari spi.kpk.go.id", "--yes"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=60, check=False)
    assert created.returncode == 0, created.stdout + created.stderr
    rng = random.Random(20261121)
    kills = 0
    for _ in range(KILLS):
        worker = subprocess.Popen([SPI_BOT, "broadcast", "worker"], cwd=tmp_path, env=env)
        target = accepted(fakes) + rng.randint(3, 40)
        wait_until(lambda t=target, w=worker: accepted(fakes) >= t or w.poll() is not None,
                   30)
        time.sleep(rng.uniform(0, 0.03))  # anywhere inside a group
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        worker.wait(10)
    assert kills == KILLS
    assert accepted(fakes) < WHATSAPP + TELEGRAM  # every kill landed mid-broadcast
    worker = subprocess.Popen([SPI_BOT, "broadcast", "worker"], cwd=tmp_path, env=env)
    try:
        assert wait_until(lambda: open_deliveries(database, database_url) == 0, 60)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    twilio, telegram = stats(fakes["twilio"]), stats(fakes["telegram"])
    assert twilio["duplicates"] == 0 and telegram["duplicates"] == 0
    rows = query(database, database_url, "SELECT channel, address, state FROM deliveries")
    assert len(rows) == WHATSAPP + TELEGRAM
    for channel, address, state in rows:
        if channel == "whatsapp":  # looked up at Twilio: exactly once, always
            assert (state, twilio["counts"].get(f"whatsapp:{address}")) == ("sent", 1)
        else:  # Telegram cannot be asked: sent once, or unknown (once or not at all)
            count = telegram["counts"].get(address, 0)
            assert (state, count) in {("sent", 1), ("unknown", 1), ("unknown", 0)}
    unknown = sum(1 for _, _, state in rows if state == "unknown")
    # At most one claimed Telegram group (DispatchConfig.blind_group) per kill is in doubt.
    assert unknown <= KILLS * DispatchConfig().blind_group
    print(f"\ncrash test: {kills} kills; WhatsApp {WHATSAPP} sent exactly once; Telegram "
          f"{TELEGRAM - unknown} sent once, {unknown} reported unknown "
          f"({sum(telegram['counts'].values())} accepted by the fake in total)")


def test_a_standby_worker_takes_over_when_the_running_one_is_killed(
    tmp_path: Path, fakes: dict[str, str], database_url: str | None
) -> None:
    """Two worker processes on one database: the second waits (`--standby`); SIGKILL the
    first mid-broadcast and the second takes over, nobody is sent the message twice, and each
    occurrence has one run."""
    database = tmp_path / "bot.db"
    asyncio.run(seed(database, database_url))
    env = worker_env(database, database_url, fakes)

    def create(text: str) -> None:
        created = subprocess.run(
            [SPI_BOT, "broadcast", "create", "--text", text, "--force", "--yes"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
        assert created.returncode == 0, created.stdout + created.stderr

    create("Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id")
    first = subprocess.Popen([SPI_BOT, "broadcast", "worker"], cwd=tmp_path, env=env)
    standby: subprocess.Popen[bytes] | None = None
    try:
        # The standby starts once the first one holds the lock and sends: started together,
        # either could win the lock, and a plain worker that finds it taken exits.
        assert wait_until(lambda: accepted(fakes) >= 1, 30)
        standby = subprocess.Popen([SPI_BOT, "broadcast", "worker", "--standby"],
                                   cwd=tmp_path, env=env)
        assert wait_until(lambda: accepted(fakes) >= 20, 30)  # the first one is sending
        assert standby.poll() is None and first.poll() is None
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert wait_until(lambda: open_deliveries(database, database_url) == 0, 60)
        # A new broadcast is fired by the standby's scheduler (everyone was reminded this week
        # already, so the reminder cap settles every delivery as skipped).
        create("Pengingat SPI untuk {nama}: isi hanya di spi.kpk.go.id")
        assert wait_until(lambda: runs(database, database_url) == 2
                          and open_deliveries(database, database_url) == 0, 60)
    finally:
        for process in (first, standby):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(30)
    twilio = stats(fakes["twilio"])
    assert twilio["duplicates"] == 0 and stats(fakes["telegram"])["duplicates"] == 0
    assert runs(database, database_url) == 2
    whatsapp_sent = query(database, database_url, "SELECT COUNT(*) FROM deliveries "
                                                  "WHERE channel = 'whatsapp' AND state = 'sent'")
    assert whatsapp_sent[0][0] == WHATSAPP  # looked up at Twilio: exactly once each
    assert twilio["accepted"] == WHATSAPP
