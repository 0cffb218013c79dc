#!/usr/bin/env python3
"""Several broadcast workers on one PostgreSQL database: `python scripts/bench_workers.py`.

For M = 1, 2, 4 (`--workers`), M real `spi-bot broadcast worker` processes (PostgreSQL and
Redis) send one broadcast to the fake providers (tests/fakes/broadcast_provider.py, another
process on loopback) answering each send after a fixed latency (`--latency`, 50 ms). Two
scenarios, each on a fresh schema and a fresh Redis key prefix:
  open      limits far above what the workers reach (1000/s per sender): what M processes
            get through (WhatsApp pipelined groups; Telegram, which cannot look messages up,
            one small group at a time per worker).
  limited   per-sender limits that bind (`--whatsapp-rate`, `--telegram-rate`): the workers
            together keep under each sender's limit in every rolling second.
Figures: settled deliveries per second (from the first send request arriving at the provider
to the moment every delivery is settled in the database, polled every 50 ms; process
start-up is not counted), per channel the send requests per second at the provider, the
ratio to one worker, duplicates at the provider, and per sender the most send requests that
arrived at the provider in any one-second window. Times are time.monotonic() of this host,
one clock for the fake and this script.

The PostgreSQL URL: --database-url, else SPI_BENCH_DATABASE_URL, else SPI_TEST_DATABASE_URL;
Redis: --redis-url, else SPI_TEST_REDIS_URL, else redis://127.0.0.1:6379/0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import redis
from host_steal import StealMeter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import open_app  # noqa: E402
from core.clock import to_text  # noqa: E402
from core.settings import load_settings  # noqa: E402
from tests.support.postgres import fresh_schema  # noqa: E402
from tests.support.processes import provider_fakes, wait_until  # noqa: E402
from tests.support.redis_server import fresh_prefix  # noqa: E402

SPI_BOT = str(Path(sys.executable).parent / "spi-bot")
OUR_NUMBER = "+6281100000000"


def fake_stats(base: str) -> dict[str, Any]:
    root = base.removesuffix("/bot")
    with urllib.request.urlopen(f"{root}/_stats?times=1", timeout=10) as answer:  # noqa: S310
        return dict(json.loads(answer.read()))


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


async def seed(url: str, whatsapp: int, telegram: int) -> None:
    now = to_text(datetime.now(UTC))
    settings = load_settings(_env_file=None, database_url=url)
    async with open_app(settings) as app, app.db.transaction() as conn:
        people = [(i, f"+62812{i:08d}", f"Responden {i}", now, now)
                  for i in range(1, whatsapp + telegram + 1)]
        await conn.executemany(
            """INSERT INTO respondents (id, phone, name, unit_code, status, source, created_at,
                   updated_at) VALUES (?, ?, ?, 'DISDUKCAPIL', 'verified', 'bot', ?, ?)""", people)
        await conn.executemany(
            """INSERT INTO channel_identities (channel, address, respondent_id, last_inbound_at,
                   created_at) VALUES (?, ?, ?, ?, ?)""",
            [("whatsapp" if i <= whatsapp else "telegram",
              phone if i <= whatsapp else str(700000 + i), i, now, now)
             for i, phone, _, _, _ in people])


def most_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    best, end = 0, 0
    for start, t in enumerate(times):
        while end < len(times) and times[end] < t + 1.0:
            end += 1
        best = max(best, end - start)
    return best


def live_workers(url: str, alone: bool) -> int:
    if alone:  # one worker without Redis holds the database's worker lock
        return int(query(url, """SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'
            AND granted AND objsubid = 2 AND classid = hashtext(current_schema())::oid
            AND objid = hashtext('spi:worker')::oid""")[0][0])
    return int(query(url, """SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'
        AND granted AND objsubid = 2
        AND classid = hashtext(current_schema() || '/spi-workers')::oid""")[0][0])


def run_one(args: argparse.Namespace, scenario: str, workers: int) -> dict[str, Any]:
    whatsapp, telegram = ((args.whatsapp, args.telegram) if scenario == "open"
                          else (args.limited_whatsapp, args.limited_telegram))
    rates = ({"whatsapp": 1000.0, "telegram": 1000.0} if scenario == "open"
             else {"whatsapp": args.whatsapp_rate, "telegram": args.telegram_rate})
    with fresh_schema(args.database_url) as url, fresh_prefix(args.redis_url) as prefix, \
            provider_fakes("--latency", str(args.latency), quiet=True) as info, \
            tempfile.TemporaryDirectory() as folder:
        asyncio.run(seed(url, whatsapp, telegram))
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
        env |= {"SPI_DATABASE_URL": url, "SPI_REDIS_URL": args.redis_url,
                "SPI_REDIS_KEY_PREFIX": prefix, "SPI_LOG_LEVEL": "WARNING",
                "SPI_TELEGRAM_BOT_TOKEN": info["telegram_token"],
                "SPI_TELEGRAM_API_BASE_URL": info["telegram"],
                "SPI_TWILIO_ACCOUNT_SID": info["twilio_account_sid"],
                "SPI_TWILIO_AUTH_TOKEN": info["twilio_auth_token"],
                "SPI_TWILIO_WHATSAPP_NUMBER": OUR_NUMBER,
                "SPI_TWILIO_API_BASE_URL": info["twilio"],
                "SPI_BROADCAST_QUIET_START": "00:00", "SPI_BROADCAST_QUIET_END": "00:00",
                "SPI_BROADCAST_CAP_PER_WEEK": "0", "SPI_BROADCAST_CAP_PER_SEASON": "0",
                "SPI_BROADCAST_WHATSAPP_RATE": str(rates["whatsapp"]),
                "SPI_BROADCAST_TELEGRAM_RATE": str(rates["telegram"])}
        if args.alone:
            env.pop("SPI_REDIS_URL")
        procs = [subprocess.Popen([SPI_BOT, "broadcast", "worker"], cwd=folder, env=env)
                 for _ in range(workers)]
        try:
            if not wait_until(lambda: live_workers(url, args.alone) == workers, 120):
                raise RuntimeError("the workers did not all start")
            steal, load = StealMeter(), os.getloadavg()[0]
            created = subprocess.run(
                [SPI_BOT, "broadcast", "create", "--text", "Halo {nama}, survei SPI resmi "
                 "hanya dari spi.kpk.go.id", "--yes"], cwd=folder, env=env,
                capture_output=True, text=True, timeout=120, check=False)
            if created.returncode != 0:
                raise RuntimeError(created.stdout + created.stderr)
            total = whatsapp + telegram
            done = wait_until(lambda: int(query(url, "SELECT COUNT(*) FROM deliveries WHERE "
                                                "state NOT IN ('pending', 'sending')")[0][0])
                              == total, 900)
            finished = time.monotonic()
            if not done:
                raise RuntimeError("the broadcast did not finish within 15 minutes")
            load = max(load, os.getloadavg()[0])
        finally:
            for proc in procs:
                proc.terminate()
            codes = [proc.wait(60) for proc in procs]
        senders = {row[0] for row in query(url, "SELECT DISTINCT worker_id FROM deliveries "
                                                "WHERE state = 'sent'")}
        sent = int(query(url, "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'")[0][0])
        twilio, tg = fake_stats(info["twilio"]), fake_stats(info["telegram"])
    arrivals = {"whatsapp": [t for ts in twilio["times"].values() for t in ts],
                "telegram": [t for ts in tg["times"].values() for t in ts]}
    first = min(min(ts) for ts in arrivals.values() if ts)
    per_channel = {channel: {"requests": len(ts), "per_second_at_provider": round(
        len(ts) / max(1e-3, max(ts) - min(ts)), 1)} for channel, ts in arrivals.items() if ts}
    return {
        "scenario": scenario, "workers": workers, "exit_codes": codes, "sent": sent,
        "workers_that_sent": len(senders), "limits_per_s": rates, "channels": per_channel,
        "seconds": round(finished - first, 2),
        "settled_per_s": round(total / (finished - first), 1),
        "duplicates": twilio["duplicates"] + tg["duplicates"],
        "refused_429": twilio["refused_429"] + tg["refused_429"],
        "most_in_any_second": {
            "whatsapp": max((most_in_a_second(t) for t in twilio["times"].values()), default=0),
            "telegram": max((most_in_a_second(t) for t in tg["times"].values()), default=0)},
        "load_avg_1min": round(load, 1), "steal": steal.text(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--scenario", choices=["open", "limited", "both"], default="both")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--alone", action="store_true",
                        help="one worker without Redis (the set-up before several workers)")
    parser.add_argument("--whatsapp", type=int, default=3000)
    parser.add_argument("--telegram", type=int, default=600)
    parser.add_argument("--limited-whatsapp", type=int, default=600)
    parser.add_argument("--limited-telegram", type=int, default=300)
    parser.add_argument("--whatsapp-rate", type=float, default=50.0)
    parser.add_argument("--telegram-rate", type=float, default=30.0)
    parser.add_argument("--database-url", default=os.environ.get("SPI_BENCH_DATABASE_URL")
                        or os.environ.get("SPI_TEST_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("SPI_TEST_REDIS_URL")
                        or "redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    if not args.database_url:  # `dev.py bench` goes on with the other benchmarks
        print("Several workers skipped: give --database-url or set SPI_BENCH_DATABASE_URL "
              "(PostgreSQL)")
        return 0
    try:
        with redis.Redis.from_url(args.redis_url, socket_connect_timeout=5) as client:
            client.ping()
    except (redis.RedisError, OSError) as exc:
        print(f"Several workers skipped: Redis at {args.redis_url} unreachable ({exc})")
        return 0
    scenarios = ["open", "limited"] if args.scenario == "both" else [args.scenario]
    counts = [1] if args.alone else [int(n) for n in args.workers.split(",")]
    for scenario in scenarios:
        base: float | None = None
        for workers in counts:
            result = run_one(args, scenario, workers)
            base = base or result["settled_per_s"]
            result["ratio_to_first"] = round(result["settled_per_s"] / base, 2)
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
