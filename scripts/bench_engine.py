"""Benchmark: full registrations by many concurrent senders through the engine, on a real SQLite
file and (with a PostgreSQL URL) a real PostgreSQL server, side by side.

    .venv/bin/python scripts/bench_engine.py [--senders 200] [--rate 1000] [--seconds 10]
        [--backend sqlite|postgresql|both] [--database-url postgresql://...] [--rounds 1]
        [--pool 20]

The PostgreSQL URL defaults to SPI_BENCH_DATABASE_URL, else SPI_TEST_DATABASE_URL; the run
works in a fresh schema it drops afterwards.

Prints (1) closed loop: every sender sends its next message as soon as it has its reply —
the maximum throughput, with latency under that saturation (latency there is just queue
length / throughput); with both backends, `--rounds` closed loops alternate between them
(SQLite, PostgreSQL, SQLite, ...: neighbours' load hits both alike), each round with new
senders, then the ranges and the ratio; (2) open loop: the senders together offer `--rate`
messages/s with random (Poisson) gaps, as independent people do — handling latency at that
load. Each closed loop also gives the CPU time per message of this process and, on
PostgreSQL, of the server processes serving its connections (found by application name).

The FAQ's embedding model (on by default, SPI_FAQ_EMBEDDING) is loaded before the first
measured round, and its load is reported apart: the process CPU counts every thread, and a
cold load (no example cache in ~/.cache/spi-bot, or one any change to the FAQ's examples has
invalidated) embeds every example phrasing in a background thread for tens of seconds of CPU,
which used to land in the rounds (1.4-2.1 instead of 0.7-0.9 ms/msg on PostgreSQL). The
registration script's messages never reach the FAQ, so no model call is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from host_steal import StealMeter

from bot import event_loop
from bot.app import App, open_app, warm_up
from bot.heap import settle_heap
from core.messages import Channel, Inbound
from core.settings import Settings
from handlers.faq.embedding import HybridMatcher, warm
from handlers.faq.matcher import shipped_matcher
from tests.support.postgres import fresh_schema

SCRIPT = ["DAFTAR {unit}", "1", "Siti Aminah", "1", "1", "bulan lalu", "1", "lewati", "1",
          "1"]
UNITS = ("RSUD", "DISHUB", "PBJ", "BAPENDA", "DISDUKCAPIL")


def message(sender: int, step: int, run: str, units: Sequence[str] = UNITS) -> Inbound:
    phone = f"+62812{sender:07d}"
    return Inbound(Channel.WHATSAPP, phone,
                   SCRIPT[step].format(unit=units[sender % len(units)]),
                   provider_id=f"{run}-{sender}-{step}", sender_phone=phone)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else 0.0


async def closed_loop(app: App, senders: int, first: int = 0, run: str = "c",
                      units: Sequence[str] = UNITS) -> tuple[int, float, list[float]]:
    latencies: list[float] = []

    async def run_sender(i: int) -> None:
        for step in range(len(SCRIPT)):
            t0 = time.perf_counter()
            await app.engine.handle(message(i, step, run, units))
            latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(run_sender(first + i) for i in range(senders)))
    return len(latencies), time.perf_counter() - started, latencies


async def open_loop(
    app: App, senders: int, rate: float, seconds: float, units: Sequence[str] = UNITS
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
                await app.engine.handle(message(person, step, "o", units))
                latencies.append((time.perf_counter() - t0) * 1000)
            person += 1

    await asyncio.gather(*(run_sender(i) for i in range(senders)))
    return len(latencies), time.perf_counter() - started, latencies


def report(label: str, count: int, seconds: float, latencies: list[float]) -> None:
    print(f"{label}: {count} messages in {seconds:.2f} s = {count / seconds:,.0f} msg/s; "
          f"latency p50 {statistics.median(latencies):.2f} ms, p99 {pct(latencies, 99):.2f} ms, "
          f"max {max(latencies):.2f} ms")


def process_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Backend:
    name: str
    app: App
    server_pids: list[int] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)


def wait_for_faq_model(settings: Settings) -> None:
    """Wait until the FAQ's second opinion has loaded (once per process), so its load thread's
    CPU is not counted in a measured round; say what the load cost."""
    wall, cpu = time.perf_counter(), time.process_time()
    matcher = shipped_matcher(settings.faq_threshold, settings.faq_embedding)
    if not isinstance(matcher, HybridMatcher):
        print("FAQ embedding model off (SPI_FAQ_EMBEDDING)")
        return
    if warm(matcher, wait=True):
        waited, used = time.perf_counter() - wall, time.process_time() - cpu
        print(f"FAQ embedding model ready before the rounds (waited {waited:.1f} s, "
              f"{used:.1f} s CPU, not counted in the rounds)")


@asynccontextmanager
async def opened(name: str, args: argparse.Namespace) -> AsyncIterator[Backend]:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        url = None
        tag = f"spi_bench_{uuid.uuid4().hex[:8]}"
        if name == "postgresql":
            url = stack.enter_context(fresh_schema(args.database_url))
            url += f"&application_name={tag}"
        settings = Settings(_env_file=None, database_path=Path(tmp) / "bench.db",  # type: ignore[call-arg]
                            database_url=url, database_pool_size=args.pool)
        async with open_app(settings) as app:
            warm_up(settings)
            wait_for_faq_model(settings)
            backend = Backend(name, app)
            if url:  # fill the pool, then note the server processes serving it
                await closed_loop(app, args.pool, 9_000_000, "warm")
                with psycopg.connect(args.database_url) as conn:
                    backend.server_pids = [row[0] for row in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                        (tag,))]
            yield backend


async def closed_round(backend: Backend, senders: int, round_no: int) -> None:
    cpu0, server0 = time.process_time(), process_cpu(backend.server_pids)
    count, seconds, latencies = await closed_loop(
        backend.app, senders, first=round_no * senders, run=f"c{round_no}")
    client = (time.process_time() - cpu0) * 1000 / count
    server = (process_cpu(backend.server_pids) - server0) * 1000 / count
    backend.rates.append(count / seconds)
    backend.client_ms.append(client)
    backend.server_ms.append(server)
    cpu = f"; cpu ms/msg: this process {client:.2f}"
    if backend.server_pids:
        cpu += f", PostgreSQL {server:.2f} ({len(backend.server_pids)} connections)"
    report(f"[{backend.name}] closed loop, {senders} senders, round {round_no + 1}", count,
           seconds, latencies)
    print(f"    load average {os.getloadavg()[0]:.1f}{cpu}")


async def open_round(backend: Backend, args: argparse.Namespace) -> None:
    steal = StealMeter()
    report(f"[{backend.name}] open loop, {args.senders} senders at {args.rate:.0f} msg/s "
           "offered", *await open_loop(backend.app, args.senders, args.rate, args.seconds))
    print(f"    ({steal.text()} during the open loop: compare runs with similar steal)")
    async with backend.app.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT COUNT(*), COUNT(DISTINCT phone) FROM respondents")
    total, distinct = next(iter(rows))
    print(f"    respondents stored: {total}, distinct phones {distinct} (must be equal)")


def span(values: list[float], fmt: str = "{:,.0f}") -> str:
    low, high = min(values), max(values)
    return fmt.format(low) if low == high else f"{fmt.format(low)}–{fmt.format(high)}"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0, help="open loop (0: none)")
    parser.add_argument("--rounds", type=int, default=1, help="closed loops per backend")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=os.environ.get("SPI_BENCH_DATABASE_URL")
                        or os.environ.get("SPI_TEST_DATABASE_URL"))
    parser.add_argument("--pool", type=int, default=20, help="PostgreSQL connections")
    args = parser.parse_args()
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in names and not args.database_url:
        print("PostgreSQL skipped: give --database-url or set SPI_BENCH_DATABASE_URL")
        names.remove("postgresql")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    async with contextlib.AsyncExitStack() as stack:
        backends = [await stack.enter_async_context(opened(name, args)) for name in names]
        settle_heap()  # as `spi-bot run` does
        for round_no in range(args.rounds):
            for backend in backends:
                await closed_round(backend, args.senders, round_no)
        for backend in backends if args.seconds > 0 else ():
            await open_round(backend, args)
    print("\nclosed loop over the rounds:")
    for backend in backends:
        server = (f", PostgreSQL {span(backend.server_ms, '{:.2f}')}"
                  if backend.server_pids else "")
        print(f"  {backend.name}: {span(backend.rates)} msg/s; cpu ms/msg: this process "
              f"{span(backend.client_ms, '{:.2f}')}{server}")
    if len(backends) == 2:
        ratios = [a / b for a, b in zip(backends[0].rates, backends[1].rates, strict=True)]
        print(f"  SQLite / PostgreSQL, round by round: {span(ratios, '{:.1f}')}x")


if __name__ == "__main__":
    event_loop.run(main())  # as `spi-bot` runs
