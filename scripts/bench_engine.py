"""Benchmark: full registrations by many concurrent senders through the engine, on a real SQLite
file and (with a PostgreSQL URL) a real PostgreSQL server, side by side.

    .venv/bin/python scripts/bench_engine.py [--senders 200] [--rate 1000] [--seconds 10]
        [--backend sqlite|postgresql|both] [--database-url postgresql://...]

The PostgreSQL URL defaults to SPI_BENCH_DATABASE_URL, else SPI_TEST_DATABASE_URL; the run
works in a fresh schema it drops afterwards.

Prints (1) closed loop: every sender sends its next message as soon as it has its reply —
the maximum throughput, with latency under that saturation (latency there is just queue
length / throughput); (2) open loop: the senders together offer `--rate` messages/s with
random (Poisson) gaps, as independent people do — handling latency at that load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from host_steal import StealMeter

from bot import event_loop
from bot.app import App, open_app, warm_up
from bot.heap import settle_heap
from core.messages import Channel, Inbound
from core.settings import Settings

SCRIPT = ["DAFTAR {unit}", "1", "Siti Aminah", "1", "1", "bulan lalu", "1", "lewati", "1",
          "1"]
UNITS = ("RSUD", "DISHUB", "PBJ", "BAPENDA", "DISDUKCAPIL")


def message(sender: int, step: int, run: str) -> Inbound:
    phone = f"+62812{sender:07d}"
    return Inbound(Channel.WHATSAPP, phone, SCRIPT[step].format(unit=UNITS[sender % 5]),
                   provider_id=f"{run}-{sender}-{step}", sender_phone=phone)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else 0.0


async def closed_loop(app: App, senders: int) -> tuple[int, float, list[float]]:
    latencies: list[float] = []

    async def run_sender(i: int) -> None:
        for step in range(len(SCRIPT)):
            t0 = time.perf_counter()
            await app.engine.handle(message(i, step, "c"))
            latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(run_sender(i) for i in range(senders)))
    return len(latencies), time.perf_counter() - started, latencies


async def open_loop(
    app: App, senders: int, rate: float, seconds: float
) -> tuple[int, float, list[float]]:
    """Each sender waits an exponential gap (mean senders/rate s) between its messages and
    registers again and again until `seconds` have passed."""
    latencies: list[float] = []
    mean_gap = senders / rate
    rng = random.Random(7)
    started = time.perf_counter()

    async def run_sender(i: int) -> None:
        person = 10_000 + i * 1000
        while time.perf_counter() - started < seconds:
            for step in range(len(SCRIPT)):
                await asyncio.sleep(rng.expovariate(1 / mean_gap))
                t0 = time.perf_counter()
                await app.engine.handle(message(person, step, "o"))
                latencies.append((time.perf_counter() - t0) * 1000)
            person += 1

    await asyncio.gather(*(run_sender(i) for i in range(senders)))
    return len(latencies), time.perf_counter() - started, latencies


def report(label: str, count: int, seconds: float, latencies: list[float]) -> None:
    print(f"{label}: {count} messages in {seconds:.2f} s = {count / seconds:,.0f} msg/s; "
          f"latency p50 {statistics.median(latencies):.2f} ms, p99 {pct(latencies, 99):.2f} ms, "
          f"max {max(latencies):.2f} ms")


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """`url` pointed at a new schema, dropped afterwards."""
    schema = f"spi_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        joiner = "&" if "?" in url else "?"
        yield f"{url}{joiner}options={quote(f'-c search_path={schema}', safe='')}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=os.environ.get("SPI_BENCH_DATABASE_URL")
                        or os.environ.get("SPI_TEST_DATABASE_URL"))
    parser.add_argument("--pool", type=int, default=20, help="PostgreSQL connections")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not args.database_url:
        print("PostgreSQL skipped: give --database-url or set SPI_BENCH_DATABASE_URL")
        backends.remove("postgresql")
    for backend in backends:
        print(f"--- {backend} ---")
        if backend == "sqlite":
            await bench(args, None)
        else:
            with fresh_schema(args.database_url) as url:
                await bench(args, url)


async def bench(args: argparse.Namespace, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database_path=Path(tmp) / "bench.db",  # type: ignore[call-arg]
                            database_url=url, database_pool_size=args.pool)
        async with open_app(settings) as app:
            warm_up(settings)
            settle_heap()  # as `spi-bot run` does
            report(f"closed loop, {args.senders} senders", *await closed_loop(app, args.senders))
            steal = StealMeter()
            report(f"open loop, {args.senders} senders at {args.rate:.0f} msg/s offered",
                   *await open_loop(app, args.senders, args.rate, args.seconds))
            print(f"({steal.text()} during the open loop: compare runs with similar steal)")
            async with app.db.reading() as conn:
                rows = await conn.execute_fetchall(
                    "SELECT COUNT(*), COUNT(DISTINCT phone) FROM respondents")
            total, distinct = next(iter(rows))
            print(f"respondents stored: {total}, distinct phones {distinct} (must be equal)")


if __name__ == "__main__":
    event_loop.run(main())  # as `spi-bot` runs
