#!/usr/bin/env python3
"""Many institutions against one (issue 15): the engine and broadcast benchmarks, side by side
in one run, alternating round by round.

    .venv/bin/python scripts/bench_institutions.py [--backend sqlite|postgresql]
        [--institutions 100] [--respondents 200000] [--recipients 20000] [--senders 200]
        [--rounds 9] [--broadcast-rounds 5] [--database-url postgresql://...] [--pool 20]

Two databases of the same backend, open at once in this process:

- *single*: a single-institution deployment (institution 1, `UTAMA`) with its 5 units and
  `--recipients` verified respondents with an open WhatsApp window.
- *many*: the same institution 1 plus `--institutions` - 1 more, 5 units each, and
  `--respondents` in all (institution 1 keeps its `--recipients`, the others share the rest).

Both are built through the scoped code a deployment uses: institutions with
`inspectorate.institutions.check_new`/`add`, units with `UnitRepository.save(scope=...)`, and
each institution's respondents and chat identities written in a transaction scoped to it
(`institution_of`: on PostgreSQL the `spi_app` role with row-level security, whose policies
refuse a row of another institution). PostgreSQL works in a fresh schema dropped afterwards
(URL: `--database-url`, else SPI_BENCH_DATABASE_URL, else SPI_TEST_DATABASE_URL).

Engine: `bench_engine.closed_loop` (200 senders, full registrations) alternating single, many,
single, ... ; in *many* the senders scan units of all institutions, so each conversation is
routed to its unit's institution (the per-turn institution lookup runs since there are several).
Broadcast (run before the engine, whose registrations would join the audiences):
`bench_broadcast`'s in-process pipeline (audience, claiming, marking, settling; an
instant sender, no network), alternating too: one broadcast of institution 1 to everyone of it
(scoped, no unit filter), so in *many* 180,000 other people sit beside the audience; after each,
the run checks that every delivery reached institution 1's people only. Once, in *many*, a
broadcast of another institution is sent and checked the same way.

Prints every round, then medians, min-max and *many ÷ single* (target: >= 0.8 on throughput),
with CPU ms per message of this process (less sensitive to neighbours' load than msg/s) and
the load average before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

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
from core.scope import Scope  # noqa: E402
from core.sending import Sender  # noqa: E402
from core.settings import load_settings  # noqa: E402
from inspectorate import institutions as institution_rules  # noqa: E402
from storage.repositories.units import Unit, UnitRepository  # noqa: E402
from storage.scoping import institution_of  # noqa: E402
from tests.support.postgres import fresh_schema  # noqa: E402

UNITS_EACH = 5
CHUNK = 5_000


def unit_codes(institution: int) -> list[str]:
    return [f"B{institution:03d}-U{u}" for u in range(UNITS_EACH)]


async def seed(app: App, institutions: int, recipients: int, respondents: int) -> list[str]:
    """Institutions 2..N, 5 units each (institution 1 too), `recipients` people in institution
    1 and the rest of `respondents` spread over 2..N; every unit code, by institution."""
    now = app.deps.clock.now()
    async with app.db.transaction() as conn:
        for n in range(2, institutions + 1):
            checked = institution_rules.check_new(
                code=f"BENCH-{n:03d}", name=f"Inspektorat Kabupaten Bench {n}",
                kind="kabupaten", timezone="Asia/Makassar", phone="(0411) 5550198",
                email=None, whatsapp=None, telegram=None)
            if isinstance(checked, list) or await institution_rules.add(conn, checked,
                                                                          now) != n:
                raise SystemExit(f"institution {n} not added as id {n}: {checked}")
    units = UnitRepository()
    codes: list[str] = []
    for n in range(1, institutions + 1):
        async with app.db.transaction() as conn:
            for code in unit_codes(n):
                await units.save(conn, Unit(code, f"Unit {code}", "Bench", "Asia/Makassar",
                                            ("Umum",), n), now, scope=Scope(n))
                codes.append(code)
    others = list(range(2, institutions + 1))
    people: dict[int, list[int]] = {1: list(range(1, recipients + 1))}
    for i, pid in enumerate(range(recipients + 1, respondents + 1 if others else recipients + 1)):
        people.setdefault(others[i % len(others)], []).append(pid)
    stamp = to_text(datetime.now(UTC))
    for n, ids in people.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            async with app.db.transaction() as conn:
                institution = institution_of(conn, Scope(n))  # RLS on PostgreSQL from here
                await conn.executemany(
                    "INSERT INTO respondents (id, institution_id, phone, name, unit_code, "
                    "status, source, consent_at, consent_version, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'verified', 'bot', ?, '1', ?, ?)",
                    [(pid, institution, f"+62813{pid:08d}", f"Responden {pid}",
                      unit_codes(n)[pid % UNITS_EACH], stamp, stamp, stamp) for pid in chunk])
                await conn.executemany(
                    "INSERT INTO channel_identities (institution_id, channel, address, "
                    "respondent_id, last_inbound_at, created_at) "
                    "VALUES (?, 'whatsapp', ?, ?, ?, ?)",
                    [(institution, f"+62813{pid:08d}", pid, stamp, stamp) for pid in chunk])
    async with app.db.transaction() as conn:
        if conn.dialect == "postgresql":  # ids were given: move the sequence past them
            await conn.execute("SELECT setval(pg_get_serial_sequence('respondents', 'id'), "
                               "(SELECT MAX(id) FROM respondents))")
            # this schema's tables only: a bare ANALYZE visits every schema of the database
            await conn.execute("ANALYZE respondents, channel_identities, units, institutions")
        else:
            await conn.execute("ANALYZE")
    return codes


@dataclass
class Side:
    name: str
    app: App
    units: list[str]
    tag: str | None = None  # PostgreSQL: the application name of its connections
    server_pids: list[int] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    per_second: list[float] = field(default_factory=list)
    broadcast_cpu: list[float] = field(default_factory=list)


@asynccontextmanager
async def side(name: str, args: argparse.Namespace, folder: Path) -> AsyncIterator[Side]:
    with contextlib.ExitStack() as stack:
        url = None
        tag = f"spi_bench_{uuid.uuid4().hex[:8]}"
        if args.backend == "postgresql":
            url = stack.enter_context(fresh_schema(args.database_url))
            url += f"&application_name={tag}"
        settings = load_settings(_env_file=None, database_path=folder / f"{name}.db",
                                 database_url=url, database_pool_size=args.pool,
                                 broadcast_quiet_start="00:00", broadcast_quiet_end="00:00",
                                 # the same people every round: no weekly/season cap
                                 broadcast_cap_per_week=0, broadcast_cap_per_season=0)
        async with open_app(settings) as app:
            warm_up(settings)
            started = time.perf_counter()
            institutions = args.institutions if name == "many" else 1
            respondents = args.respondents if name == "many" else args.recipients
            units = await seed(app, institutions, args.recipients, respondents)
            async with app.db.reading() as conn:
                rows = await conn.execute_fetchall(
                    "SELECT COUNT(*), COUNT(DISTINCT institution_id) FROM respondents")
            total, held = next(iter(rows))
            print(f"[{name}] seeded {held} institution(s), {len(units)} units, {total:,} "
                  f"respondents in {time.perf_counter() - started:.1f} s", flush=True)
            yield Side(name, app, units, tag=tag if url else None)


async def note_servers(s: Side, args: argparse.Namespace) -> None:
    """PostgreSQL: fill the pool (registrations: after the broadcasts, whose audiences they
    would join), then note the server processes serving it."""
    if s.tag is None:
        return
    await bench_engine.closed_loop(s.app, args.pool, 9_000_000, "warm", s.units)
    with psycopg.connect(args.database_url) as pg:
        s.server_pids = [row[0] for row in pg.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (s.tag,))]


async def engine_round(s: Side, args: argparse.Namespace, round_no: int) -> None:
    cpu0, server0 = time.process_time(), bench_engine.process_cpu(s.server_pids)
    count, seconds, lat = await bench_engine.closed_loop(
        s.app, args.senders, first=round_no * args.senders, run=f"c{round_no}", units=s.units)
    s.cpu.append((time.process_time() - cpu0) * 1000 / count)
    s.server_cpu.append((bench_engine.process_cpu(s.server_pids) - server0) * 1000 / count)
    s.rates.append(count / seconds)
    s.p50.append(statistics.median(lat))
    s.p99.append(bench_engine.pct(lat, 99))
    server = f", PostgreSQL {s.server_cpu[-1]:.2f}" if s.server_pids else ""
    print(f"  engine [{s.name:<6}] round {round_no + 1}: {count / seconds:,.0f} msg/s, p50 "
          f"{s.p50[-1]:.1f} ms, p99 {s.p99[-1]:.1f} ms; cpu ms/msg {s.cpu[-1]:.2f}{server}; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


async def own_people_only(app: App, broadcast_text: str, institution: int) -> tuple[int, int]:
    """(deliveries of the broadcast with this text, those to another institution's people)."""
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.institution_id != b.institution_id "
            "THEN 1 ELSE 0 END), 0) FROM deliveries d JOIN broadcasts b ON b.id = "
            "d.broadcast_id JOIN respondents r ON r.id = d.respondent_id "
            "WHERE b.text = ? AND b.institution_id = ?", (broadcast_text, institution))
    total, strangers = next(iter(rows))
    return int(total), int(strangers)


async def broadcast_round(s: Side, round_no: int, institution: int = 1,
                          expected: int | None = None) -> None:
    senders: dict[str, Sender] = {"whatsapp": bench_broadcast.InstantSender(Channel.WHATSAPP)}
    text = f"Halo {{nama}}, survei SPI berlangsung sampai 31 Oktober. ({s.name} {round_no})"
    cpu0 = time.process_time()
    seconds, sent = await bench_broadcast.broadcast(s.app, senders, None,
                                                    scope=Scope(institution), text=text)
    cpu = (time.process_time() - cpu0) * 1000 / max(sent, 1)
    total, strangers = await own_people_only(s.app, text, institution)
    if strangers or (expected is not None and sent != expected):
        raise SystemExit(f"[{s.name}] broadcast of institution {institution}: {sent} sent, "
                         f"{strangers} to another institution's people (expected {expected})")
    if institution == 1:
        s.per_second.append(sent / seconds)
        s.broadcast_cpu.append(cpu)
    print(f"  broadcast [{s.name:<6}] institution {institution}, round {round_no + 1}: {sent:,}"
          f" deliveries ({total:,} rows, 0 to other institutions) in {seconds:.2f} s = "
          f"{sent / seconds:,.0f}/s; cpu ms/delivery {cpu:.3f}; load "
          f"{os.getloadavg()[0]:.1f}", flush=True)


def summary(label: str, single: list[float], many: list[float], fmt: str = "{:,.0f}") -> None:
    def one(values: list[float]) -> str:
        return (f"median {fmt.format(statistics.median(values))} "
                f"(min {fmt.format(min(values))}, max {fmt.format(max(values))})")

    ratios = [m / s for s, m in zip(single, many, strict=True)]
    medians = statistics.median(many) / statistics.median(single)
    print(f"  {label}\n    single: {one(single)}\n    many:   {one(many)}\n"
          f"    many / single: median of medians {medians:.2f}; "
          f"pair by pair median {statistics.median(ratios):.2f} "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")


async def run(args: argparse.Namespace) -> None:
    print(f"{args.backend}: {args.institutions} institutions, {args.respondents:,} respondents "
          f"vs one institution with {args.recipients:,}")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        async with contextlib.AsyncExitStack() as stack:
            sides = [await stack.enter_async_context(side(n, args, Path(tmp)))
                     for n in ("single", "many")]
            settle_heap()
            # broadcasts first: the engine's registrations would join the audiences
            for round_no in range(args.broadcast_rounds):
                for s in (sides if round_no % 2 == 0 else sides[::-1]):
                    await broadcast_round(s, round_no, expected=args.recipients)
            other = args.institutions // 2
            expected = len(range(args.recipients + 1, args.respondents + 1)[
                other - 2::args.institutions - 1])
            await broadcast_round(sides[1], 0, institution=other, expected=expected)
            for s in sides:
                await note_servers(s, args)
            for round_no in range(args.rounds):
                for s in (sides if round_no % 2 == 0 else sides[::-1]):
                    await engine_round(s, args, round_no)
    single, many = sides
    print(f"\nload average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    summary(f"engine closed loop, {args.senders} senders, msg/s ({args.rounds} rounds each)",
            single.rates, many.rates)
    summary("engine p50 latency, ms", single.p50, many.p50, "{:.1f}")
    summary("engine cpu ms/msg, this process", single.cpu, many.cpu, "{:.2f}")
    if single.server_pids:
        summary("engine cpu ms/msg, PostgreSQL server", single.server_cpu, many.server_cpu,
                "{:.2f}")
    summary(f"broadcast pipeline, {args.recipients:,} deliveries, per s "
            f"({args.broadcast_rounds} rounds each)", single.per_second, many.per_second)
    summary("broadcast cpu ms/delivery, this process", single.broadcast_cpu,
            many.broadcast_cpu, "{:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--institutions", type=int, default=100)
    parser.add_argument("--respondents", type=int, default=200_000)
    parser.add_argument("--recipients", type=int, default=20_000,
                        help="institution 1's people, its broadcast's audience")
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=9, help="engine closed loops per side")
    parser.add_argument("--broadcast-rounds", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("SPI_BENCH_DATABASE_URL")
                        or os.environ.get("SPI_TEST_DATABASE_URL"))
    parser.add_argument("--pool", type=int, default=20, help="PostgreSQL connections")
    args = parser.parse_args()
    if args.institutions < 2 or args.respondents <= args.recipients:
        parser.error("--institutions >= 2 and --respondents > --recipients")
    if args.backend == "postgresql" and not args.database_url:
        parser.error("PostgreSQL: give --database-url or set SPI_BENCH_DATABASE_URL")
    event_loop.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
