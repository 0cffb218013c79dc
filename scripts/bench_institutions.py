#!/usr/bin/env python3
"""Many institutions against one (issue 15): the engine and broadcast benchmarks, side by side
in one run.

    .venv/bin/python scripts/bench_institutions.py [--institutions 100] [--respondents 200000]
        [--senders 200] [--rounds 3] [--rate 300] [--seconds 5] [--recipients 20000]
        [--part engine|broadcast|both]

Two SQLite databases: *single*, a fresh single-institution deployment as today's
`bench_engine.py` runs it (institution 1 and the sample units); *many*, `--institutions`
institutions with 5 units each and `--respondents` verified respondents spread over them
(each with a WhatsApp identity), as a national operator would run.

Engine: the same registrations (`bench_engine.closed_loop`/`open_loop`) alternate between the
two, round by round (neighbours' load hits both alike); in *many* the senders scan units of
all institutions, so every registration is routed to its unit's institution. Broadcast:
`bench_broadcast`'s in-process pipeline (claiming, marking, settling, no network), one
broadcast of institution 1 to `--recipients` people; in *many* the other institutions hold the
rest of `--respondents`. Each broadcast runs in its own process (peak memory is its own).
Prints msg/s, latencies and deliveries/s for each and *many ÷ single* (target: ≥ 0.8).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_broadcast  # noqa: E402
import bench_engine  # noqa: E402

from bot import event_loop  # noqa: E402
from bot.app import App, open_app, warm_up  # noqa: E402
from bot.heap import settle_heap  # noqa: E402
from core.clock import to_text  # noqa: E402
from core.messages import Channel  # noqa: E402
from core.sending import Sender  # noqa: E402
from core.settings import Settings, load_settings  # noqa: E402
from outreach.audience import AudienceFilter  # noqa: E402

UNITS_EACH = 5


async def seed_institutions(app: App, institutions: int, respondents: int,
                            first_people: int = 0) -> list[str]:
    """Institutions 2..N (1 exists), 5 units each (institution 1 gets 5 more too), and
    `respondents` verified people with an open WhatsApp window spread evenly over institutions
    2..N (or all of them when there is only one); returns every unit code."""
    now = to_text(datetime.now(UTC))
    codes: list[str] = []
    async with app.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO institutions (id, code, name, kind, timezone, contact_phone, "
            "created_at, updated_at) VALUES (?, ?, ?, 'kabupaten', 'Asia/Makassar', "
            "'(0411) 5550198', ?, ?)",
            [(n, f"BENCH-{n:03d}", f"Inspektorat Bench {n}", now, now)
             for n in range(2, institutions + 1)])
        units = [(n, f"B{n:03d}-U{u}") for n in range(1, institutions + 1)
                 for u in range(UNITS_EACH)]
        await conn.executemany(
            "INSERT INTO units (code, name, region, timezone, services, created_at, updated_at,"
            " institution_id) VALUES (?, ?, 'Bench', 'Asia/Makassar', '[\"Umum\"]', ?, ?, ?)",
            [(code, f"Unit {code}", now, now, n) for n, code in units])
        codes = [code for _n, code in units]
        others = list(range(2, institutions + 1)) or [1]
        people = [(first_people + i, others[i % len(others)]) for i in range(1, respondents + 1)]
        for start in range(0, len(people), 20_000):
            chunk = people[start:start + 20_000]
            await conn.executemany(
                "INSERT INTO respondents (id, institution_id, phone, name, unit_code, status, "
                "source, consent_at, consent_version, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 'verified', 'bot', ?, '1', ?, ?)",
                [(pid, inst, f"+62813{pid:08d}", f"Responden {pid}",
                  f"B{inst:03d}-U{pid % UNITS_EACH}", now, now, now) for pid, inst in chunk])
            await conn.executemany(
                "INSERT INTO channel_identities (institution_id, channel, address, "
                "respondent_id, last_inbound_at, created_at) VALUES (?, 'whatsapp', ?, ?, ?, ?)",
                [(inst, f"+62813{pid:08d}", pid, now, now) for pid, inst in chunk])
    return codes


# Engine ------------------------------------------------------------------------------------------

@dataclass
class Side:
    name: str
    app: App
    units: list[str]
    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)


@asynccontextmanager
async def side(name: str, args: argparse.Namespace, folder: Path) -> AsyncIterator[Side]:
    settings = Settings(_env_file=None, database_path=folder / f"{name}.db")  # type: ignore[call-arg]
    async with open_app(settings) as app:
        warm_up(settings)
        if name == "many":
            started = time.perf_counter()
            units = await seed_institutions(app, args.institutions, args.respondents)
            async with app.db.transaction() as conn:
                await conn.execute("ANALYZE")
            print(f"[many] seeded {args.institutions} institutions, {len(units)} units, "
                  f"{args.respondents:,} respondents in {time.perf_counter() - started:.1f} s")
        else:
            units = list(bench_engine.UNITS)
        yield Side(name, app, units)


async def engine_part(args: argparse.Namespace) -> None:
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        async with contextlib.AsyncExitStack() as stack:
            sides = [await stack.enter_async_context(side(n, args, Path(tmp)))
                     for n in ("single", "many")]
            settle_heap()
            for round_no in range(args.rounds):
                for s in sides:
                    count, seconds, lat = await bench_engine.closed_loop(
                        s.app, args.senders, first=round_no * args.senders,
                        run=f"c{round_no}", units=s.units)
                    s.rates.append(count / seconds)
                    s.p50.append(statistics.median(lat))
                    s.p99.append(bench_engine.pct(lat, 99))
                    bench_engine.report(f"[{s.name}] closed loop, {args.senders} senders, "
                                        f"round {round_no + 1}", count, seconds, lat)
            open_results = {}
            for s in sides if args.seconds > 0 else ():
                count, seconds, lat = await bench_engine.open_loop(
                    s.app, args.senders, args.rate, args.seconds, units=s.units)
                bench_engine.report(f"[{s.name}] open loop at {args.rate:.0f} msg/s offered",
                                    count, seconds, lat)
                open_results[s.name] = (statistics.median(lat), bench_engine.pct(lat, 99))
            for s in sides:
                async with s.app.db.reading() as conn:
                    rows = await conn.execute_fetchall(
                        "SELECT COUNT(*), COUNT(DISTINCT institution_id) FROM respondents")
                total, institutions = next(iter(rows))
                print(f"    [{s.name}] respondents {total:,} in {institutions} institutions")
    single, many = sides
    print("\nengine, closed loop over the rounds (msg/s):")
    for s in sides:
        print(f"  {s.name:<6}: {' / '.join(f'{r:,.0f}' for r in s.rates)}  (median "
              f"{statistics.median(s.rates):,.0f}; p50 {statistics.median(s.p50):.1f} ms, "
              f"p99 {statistics.median(s.p99):.1f} ms)")
    ratios = [m / s for m, s in zip(many.rates, single.rates, strict=True)]
    print(f"  many / single, round by round: {' / '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f}")
    if len(open_results) == 2:
        (s50, s99), (m50, m99) = open_results["single"], open_results["many"]
        print(f"  open loop p50 {s50:.1f} vs {m50:.1f} ms, p99 {s99:.1f} vs {m99:.1f} ms "
              "(single vs many)")


# Broadcast ---------------------------------------------------------------------------------------

async def broadcast_run(kind: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    settings = load_settings(_env_file=None, database_path=folder / "bench.db",
                             broadcast_quiet_start="00:00", broadcast_quiet_end="00:00")
    async with open_app(settings) as app:
        started = time.perf_counter()
        await bench_broadcast.seed(app, args.recipients)  # institution 1's audience
        if kind == "many":
            await seed_institutions(app, args.institutions,
                                    max(0, args.respondents - args.recipients),
                                    first_people=args.recipients)
        async with app.db.transaction() as conn:
            await conn.execute("ANALYZE")
        seeded = time.perf_counter() - started
        senders: dict[str, Sender] = {
            "whatsapp": bench_broadcast.InstantSender(Channel.WHATSAPP)}
        # institution 1's people by their unit: the same audience on both sides, whether or
        # not the audience query is scoped to the institution yet
        seconds, sent = await bench_broadcast.broadcast(
            app, senders, None, AudienceFilter(units=("DISDUKCAPIL",)))
        async with app.db.reading() as conn:
            rows = await conn.execute_fetchall(
                "SELECT COUNT(*), COUNT(DISTINCT institution_id) FROM respondents")
        total, institutions = next(iter(rows))
    return {"kind": kind, "recipients": args.recipients, "sent": sent,
            "seconds": round(seconds, 2), "per_second": round(sent / seconds, 1),
            "respondents": total, "institutions": institutions, "seed_s": round(seeded, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def broadcast_part(args: argparse.Namespace) -> None:
    results: dict[str, list[dict[str, Any]]] = {"single": [], "many": []}
    for _round in range(args.broadcast_rounds):
        for kind in ("single", "many"):
            out = subprocess.run(
                [sys.executable, __file__, "--one-broadcast", kind, "--recipients",
                 str(args.recipients), "--institutions", str(args.institutions),
                 "--respondents", str(args.respondents)],
                check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            print(json.dumps(result), flush=True)
            results[kind].append(result)
    print("\nbroadcast pipeline, deliveries/s:")
    for kind, runs in results.items():
        print(f"  {kind:<6}: {' / '.join(str(r['per_second']) for r in runs)}")
    ratios = [m["per_second"] / s["per_second"]
              for s, m in zip(results["single"], results["many"], strict=True)]
    print(f"  many / single, run by run: {' / '.join(f'{r:.2f}' for r in ratios)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=100)
    parser.add_argument("--respondents", type=int, default=200_000)
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="closed loops per side")
    parser.add_argument("--rate", type=float, default=300.0, help="open loop, msg/s offered")
    parser.add_argument("--seconds", type=float, default=5.0, help="open loop (0: none)")
    parser.add_argument("--recipients", type=int, default=20_000,
                        help="institution 1's broadcast audience")
    parser.add_argument("--broadcast-rounds", type=int, default=2)
    parser.add_argument("--part", choices=("engine", "broadcast", "both"), default="both")
    parser.add_argument("--one-broadcast", choices=("single", "many"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_broadcast:
        with tempfile.TemporaryDirectory() as folder:
            result = event_loop.run(broadcast_run(args.one_broadcast, args, Path(folder)))
        print(json.dumps(result), flush=True)
        return 0
    print(f"{args.institutions} institutions, {args.respondents:,} respondents vs one "
          "institution")
    if args.part in ("engine", "both"):
        event_loop.run(engine_part(args))
    if args.part in ("broadcast", "both"):
        print()
        broadcast_part(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
