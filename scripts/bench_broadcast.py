#!/usr/bin/env python3
"""Broadcast throughput and memory: `python scripts/bench_broadcast.py [--recipients N]`.

Scenarios (each on a fresh database in a temporary folder):
  pipeline  - N recipients, an in-process sender that accepts at once: what our own part
              (audience resolution, claiming, marking, settling) sustains.
Prints deliveries/s settled end to end and the process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App, open_app
from bot.channels.base import Outbound, SendReceipt
from bot.clock import to_text
from bot.messages import Channel
from bot.settings import load_settings
from outreach.audience import AudienceFilter
from outreach.schedule import Schedule
from outreach.service import BroadcastRequest, BroadcastService
from outreach.worker import OutreachWorker


class InstantSender:
    """Accepts every message at once; counts them."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.count = 0

    async def send(self, message: Outbound) -> SendReceipt:
        self.count += 1
        return SendReceipt(f"SM{self.count:032d}", "queued")


async def seed(app: App, recipients: int, channel: str) -> None:
    """Verified respondents with an open WhatsApp window (or a Telegram chat)."""
    now = to_text(datetime.now(UTC))
    async with app.db.transaction() as conn:
        await conn.executemany(
            """INSERT INTO respondents (id, phone, name, unit_code, status, source, created_at,
                   updated_at) VALUES (?, ?, ?, 'DISDUKCAPIL', 'verified', 'bot', ?, ?)""",
            [(i, f"+62812{i:08d}", f"Responden {i}", now, now)
             for i in range(1, recipients + 1)])
        await conn.executemany(
            """INSERT INTO channel_identities (channel, address, respondent_id, last_inbound_at,
                   created_at) VALUES (?, ?, ?, ?, ?)""",
            [(channel, f"+62812{i:08d}" if channel == "whatsapp" else str(i), i, now, now)
             for i in range(1, recipients + 1)])


async def pipeline(recipients: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(_env_file=None, database_path=Path(folder) / "bench.db",
                                 broadcast_quiet_start="00:00", broadcast_quiet_end="00:00",
                                 broadcast_batch_size=500)
        async with open_app(settings) as app:
            await seed(app, recipients, "whatsapp")
            sender = InstantSender(Channel.WHATSAPP)
            worker = OutreachWorker(app, {"whatsapp": sender}, {})
            now = app.deps.clock.now()
            request = BroadcastRequest(
                text="Halo {nama}, survei SPI berlangsung sampai 31 Oktober.",
                audience=AudienceFilter(), schedule=Schedule.now(now))
            async with app.db.transaction() as conn:
                broadcast, _ = await BroadcastService(settings).create(conn, request, "bench",
                                                                       now)
            started = time.perf_counter()
            await worker.fire(broadcast.id or 0)
            resolved = time.perf_counter()
            while await worker.dispatcher.send_due() is not None:
                pass
            finished = time.perf_counter()
            async with app.db.reading() as conn, conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'"
            ) as cur:
                row = await cur.fetchone()
            settled = int(row[0]) if row else 0
    total = finished - started
    print(f"pipeline: {recipients} recipients, audience resolved in {resolved - started:.2f} s, "
          f"{settled} settled as sent in {total:.2f} s = {settled / total:,.0f} deliveries/s; "
          f"sender called {sender.count} times")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(pipeline(args.recipients))
    print(f"peak memory (ru_maxrss): {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
