#!/usr/bin/env python3
"""Broadcast throughput, pacing and memory: `python scripts/bench_broadcast.py`.

Each scenario runs in its own process on a fresh database (so peak memory is its own):
  pipeline  N recipients, an in-process sender that accepts at once: our own part
            (audience resolution, claiming, marking, settling) without any network.
  http      N WhatsApp recipients through the real sender (Twilio SDK, aiohttp) to the fake
            Twilio API in another process on loopback, no provider limit: end to end.
  limited   the fake Twilio API enforces 30 messages/s (429 above it); our limit is set to 30.
Options: --recipients N (default 100000), --limited-recipients M (default 900),
--scenario NAME (run one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import event_loop  # noqa: E402
from bot.app import App, open_app  # noqa: E402
from bot.channels.senders import open_senders  # noqa: E402
from bot.server.outreach import build_worker  # noqa: E402
from core.clock import to_text  # noqa: E402
from core.messages import Channel  # noqa: E402
from core.scope import DEFAULT_SCOPE, Scope  # noqa: E402
from core.sending import Outbound, Sender, SendReceipt  # noqa: E402
from core.settings import load_settings  # noqa: E402
from outreach.audience import AudienceFilter  # noqa: E402
from outreach.schedule import Schedule  # noqa: E402
from outreach.service import BroadcastRequest, BroadcastService  # noqa: E402

OUR_NUMBER = "+6281100000000"


class InstantSender:
    """Accepts every message at once and can look them up, like the WhatsApp sender."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.count = 0
        self._sids: dict[str, str] = {}

    async def send(self, message: Outbound) -> SendReceipt:
        self.count += 1
        sid = f"SM{self.count:032d}"
        self._sids[message.address] = sid
        return SendReceipt(sid, "queued")

    async def find_sent(self, message: Outbound, since: datetime) -> SendReceipt | None:
        sid = self._sids.get(message.address)
        return SendReceipt(sid, "queued") if sid else None


async def seed(app: App, recipients: int) -> None:
    """Verified respondents whose WhatsApp window is open (free text, no template)."""
    now = to_text(datetime.now(UTC))
    async with app.db.transaction() as conn:
        await conn.executemany(
            """INSERT INTO respondents (id, phone, name, unit_code, status, source, created_at,
                   updated_at) VALUES (?, ?, ?, 'DISDUKCAPIL', 'verified', 'bot', ?, ?)""",
            [(i, f"+62812{i:08d}", f"Responden {i}", now, now)
             for i in range(1, recipients + 1)])
        await conn.executemany(
            """INSERT INTO channel_identities (channel, address, respondent_id, last_inbound_at,
                   created_at) VALUES ('whatsapp', ?, ?, ?, ?)""",
            [(f"+62812{i:08d}", i, now, now) for i in range(1, recipients + 1)])


async def broadcast(app: App, senders: dict[str, Sender], limit: float | None,
                    audience: AudienceFilter | None = None, *, scope: Scope = DEFAULT_SCOPE,
                    text: str = "Halo {nama}, survei SPI berlangsung sampai 31 Oktober.",
                    ) -> tuple[float, int]:
    """Create (for `scope`'s institution), start and send one broadcast to everyone (or
    `audience`); (seconds, deliveries of this broadcast sent)."""
    limiters: dict[str, Any] = {}
    if limit is not None:
        from outreach.worker import build_limiters  # noqa: PLC0415

        app.settings.broadcast_whatsapp_rate = limit  # as SPI_BROADCAST_WHATSAPP_RATE=30
        limiters["whatsapp"] = build_limiters(app.settings)["whatsapp"]
    worker = build_worker(app, senders, limiters)
    now = app.deps.clock.now()
    request = BroadcastRequest(text=text, audience=audience or AudienceFilter(),
                               schedule=Schedule.now(now))
    async with app.db.transaction() as conn:
        created, _ = await BroadcastService(app.settings).create(conn, request, "bench", now,
                                                                 scope=scope)
    started = time.perf_counter()
    await worker.fire(created.id or 0)
    while (wake := await worker.dispatcher.send_due()) is not None:
        delay = (wake - app.deps.clock.now()).total_seconds()
        await asyncio.sleep(max(0.0, delay))
    seconds = time.perf_counter() - started
    async with app.db.reading() as conn, conn.execute(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? AND state = 'sent'",
        (created.id,)
    ) as cur:
        row = await cur.fetchone()
    return seconds, int(row[0]) if row else 0


def fake_stats(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_stats", timeout=10) as answer:  # noqa: S310
        return dict(json.loads(answer.read()))


def start_fake(scenario: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    command = [sys.executable, "-m", "tests.fakes.broadcast_provider"]
    if scenario == "limited":
        command += ["--rate", "30"]
    fake = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if fake.stdout is None:
        raise RuntimeError("the fake provider did not start")
    return fake, json.loads(fake.stdout.readline())


async def scenario_run(scenario: str, recipients: int, folder: Path,
                       info: dict[str, str] | None) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if info is not None:
        overrides = {"twilio_account_sid": info["twilio_account_sid"],
                     "twilio_auth_token": info["twilio_auth_token"],
                     "twilio_whatsapp_number": OUR_NUMBER,
                     "twilio_api_base_url": info["twilio"]}
    settings = load_settings(_env_file=None, database_path=folder / "bench.db",
                             broadcast_quiet_start="00:00", broadcast_quiet_end="00:00",
                             **overrides)
    async with open_app(settings) as app, AsyncExitStack() as stack:
        await seed(app, recipients)
        if info is None:
            senders: dict[str, Sender] = {"whatsapp": InstantSender(Channel.WHATSAPP)}
        else:
            opened = await stack.enter_async_context(open_senders(settings, app.deps.catalog))
            senders = {str(c): s for c, s in opened.items()}
        limit = 30.0 if scenario == "limited" else None
        seconds, sent = await broadcast(app, senders, limit)
    return {"scenario": scenario, "recipients": recipients, "sent": sent,
            "seconds": round(seconds, 2), "per_second": round(sent / seconds, 1)}


def run(scenario: str, recipients: int) -> dict[str, Any]:
    fake, info = start_fake(scenario) if scenario != "pipeline" else (None, None)
    try:
        with tempfile.TemporaryDirectory() as folder:
            result = event_loop.run(scenario_run(scenario, recipients, Path(folder), info))
        if info is not None:
            stats = fake_stats(info["twilio"])
            result["provider_accepted"] = stats["accepted"]
            result["provider_429"] = stats["refused_429"]
            result["provider_duplicates"] = stats["duplicates"]
            if stats["seconds"]:
                result["provider_rate"] = round((stats["accepted"] - 1) / stats["seconds"], 2)
    finally:
        if fake is not None:
            fake.terminate()
            fake.wait(10)
            if fake.stdout is not None:
                fake.stdout.close()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--limited-recipients", type=int, default=900)
    parser.add_argument("--scenario", choices=["pipeline", "http", "limited"])
    args = parser.parse_args()
    if args.scenario:
        count = args.limited_recipients if args.scenario == "limited" else args.recipients
        print(json.dumps(run(args.scenario, count)), flush=True)
        return 0
    for scenario in ("pipeline", "http", "limited"):
        out = subprocess.run([sys.executable, __file__, "--scenario", scenario,
                              "--recipients", str(args.recipients), "--limited-recipients",
                              str(args.limited_recipients)], check=True, capture_output=True,
                             text=True).stdout
        print(out.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
