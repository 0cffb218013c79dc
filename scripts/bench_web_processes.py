"""Several web processes (issue 14): signed Twilio webhooks against real `spi-bot web` processes,
SQLite (one process) and PostgreSQL (one, then two processes on one database), in one run.

    .venv/bin/python scripts/bench_web_processes.py [--messages 3000] [--callbacks 20000]
        [--rate 1000] [--seconds 10] [--connections 64] [--database-url postgresql://...]

The PostgreSQL URL defaults to SPI_BENCH_DATABASE_URL, else SPI_TEST_DATABASE_URL; each setup
gets a fresh schema (dropped afterwards). The fake Twilio API runs in its own process
(tests/fakes/broadcast_provider.py); the load comes from this process through a lean HTTP/1.1
client (keep-alive connections, requests signed beforehand), spread evenly over the processes
(as a reverse proxy would: connection i goes to process i mod N).

Per setup:
- *messages*: `halo` from a new WhatsApp number each, closed loop (each connection sends its
  next message once the previous one was answered, i.e. committed): webhooks answered per
  second, then how long until the fake Twilio had every reply; each message must be processed
  once (processed_inbound rows) and answered once (replies per number at the fake);
- *callbacks, closed loop*: delivery-status callbacks (a new message id each), as fast as the
  processes answer: callbacks per second;
- *callbacks, open loop*: `--rate` per second for `--seconds` on a fixed schedule; latency is
  measured from each callback's scheduled time (waiting for a free connection included).
After each callback phase the rows are counted: every answered callback must be stored.
Server CPU is the processes' user+system time per request (Linux /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from host_steal import StealMeter  # noqa: E402

from bot import event_loop  # noqa: E402
from tests.fakes.twilio_webhooks import inbound_message, sign, status_callback  # noqa: E402
from tests.support.postgres import fresh_schema  # noqa: E402
from tests.support.processes import free_port, provider_fakes  # noqa: E402

PUBLIC_URL = "https://bench.sukamajukab.example"
INBOUND, STATUS = "/twilio/whatsapp", "/twilio/status"
SPI_BOT = str(Path(sys.executable).parent / "spi-bot")


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback
        return json.loads(answer.read())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@dataclass
class Setup:
    name: str
    ports: list[int]
    procs: list[subprocess.Popen[bytes]]
    database: Path
    url: str | None

    def count(self, sql: str) -> int:
        if self.url:
            with psycopg.connect(self.url) as conn:
                row = conn.execute(sql).fetchone()
        else:
            with sqlite3.connect(self.database) as conn:
                row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)


@contextmanager
def servers(name: str, count: int, workdir: Path, url: str | None,
            fakes: dict[str, str]) -> Iterator[Setup]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env |= {"SPI_DATABASE_PATH": str(workdir / "bench.db"), "SPI_LOG_LEVEL": "WARNING",
            "SPI_PUBLIC_URL": PUBLIC_URL, "SPI_TWILIO_ACCOUNT_SID": fakes["twilio_account_sid"],
            "SPI_TWILIO_AUTH_TOKEN": fakes["twilio_auth_token"],
            "SPI_TWILIO_WHATSAPP_NUMBER": "+14155238886",
            "SPI_TWILIO_API_BASE_URL": fakes["twilio"],
            # Measures our server, not Twilio's per-sender quota (production default 8/s).
            "SPI_BROADCAST_WHATSAPP_RATE": "1000"}
    if url:
        env["SPI_DATABASE_URL"] = url
    ports, procs = [], []
    try:
        for n in range(count):
            port = free_port()
            log = (workdir / f"{name}-{n}.log").open("ab")
            procs.append(subprocess.Popen([SPI_BOT, "web", "--port", str(port)], cwd=workdir,
                                          env=env, stdout=log, stderr=subprocess.STDOUT))
            ports.append(port)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # one after the other: migrations run once
                with contextlib.suppress(OSError):
                    if get_json(f"http://127.0.0.1:{port}/healthz")["status"] == "ok":
                        break
                if procs[-1].poll() is not None:
                    raise SystemExit((workdir / f"{name}-{n}.log").read_text()[-3000:])
                time.sleep(0.1)
        yield Setup(name, ports, procs, workdir / "bench.db", url)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)


class Connection:
    """One keep-alive HTTP/1.1 connection: write a request, read its answer (status only)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> int:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


def raw_request(path: str, params: dict[str, str], token: str) -> bytes:
    body = urlencode(params).encode()
    signature = sign(token, f"{PUBLIC_URL}{path}", params)
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


async def closed_loop(ports: list[int], requests: list[bytes], connections: int
                      ) -> tuple[float, list[float], int]:
    """(seconds, latencies in ms, answers that were not 2xx)."""
    conns = [await Connection.open(ports[i % len(ports)]) for i in range(connections)]
    latencies: list[float] = []
    bad = 0
    queue = iter(requests)

    async def run(conn: Connection) -> None:
        nonlocal bad
        for raw in queue:
            started = time.perf_counter()
            status = await conn.send(raw)
            latencies.append((time.perf_counter() - started) * 1000)
            bad += status >= 300

    start = time.perf_counter()
    await asyncio.gather(*(run(c) for c in conns))
    elapsed = time.perf_counter() - start
    for conn in conns:
        conn.close()
    return elapsed, latencies, bad


async def open_loop(ports: list[int], requests: list[bytes], rate: float, connections: int
                    ) -> tuple[float, list[float], int]:
    """Each request at its scheduled time on the next free connection; latency from the
    scheduled time. (seconds, latencies in ms, answers that were not 2xx)."""
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for i in range(connections):
        free.put_nowait(await Connection.open(ports[i % len(ports)]))
    latencies: list[float] = []
    bad = 0

    async def one(raw: bytes, due: float) -> None:
        nonlocal bad
        conn = await free.get()
        status = await conn.send(raw)
        latencies.append((time.perf_counter() - due) * 1000)
        bad += status >= 300
        free.put_nowait(conn)

    start = time.perf_counter()
    tasks = []
    for index, raw in enumerate(requests):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not free.empty():
        free.get_nowait().close()
    return elapsed, latencies, bad


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


async def measure(setup: Setup, fakes: dict[str, str], args: argparse.Namespace,
                  first: int) -> list[str]:
    token = fakes["twilio_auth_token"]
    lines = []
    # Messages: a new number each, "halo" (one WhatsApp reply each).
    phones = [f"+62812{first + i:07d}" for i in range(args.messages)]
    requests = [raw_request(INBOUND, inbound_message(p, "halo"), token) for p in phones]
    before_replies = get_json(f"{fakes['twilio']}/_stats")["accepted"]
    cpu, steal = setup.cpu(), StealMeter()
    elapsed, latencies, bad = await closed_loop(setup.ports, requests, args.connections)
    answered = time.perf_counter()
    deadline = answered + 120
    while time.perf_counter() < deadline:
        if get_json(f"{fakes['twilio']}/_stats")["accepted"] - before_replies >= len(phones):
            break
        await asyncio.sleep(0.05)
    drained = time.perf_counter() - answered
    cpu = (setup.cpu() - cpu) * 1000 / len(requests)
    await asyncio.sleep(0.5)  # any duplicate would arrive now
    counts = get_json(f"{fakes['twilio']}/_stats?counts=1")["counts"]
    once = all(counts.get(f"whatsapp:{p}") == 1 for p in phones)
    processed = setup.count("SELECT COUNT(*) FROM processed_inbound WHERE provider_id LIKE 'SM%'")
    lines.append(row(setup.name, "messages, closed loop", len(requests),
                     f"{len(requests) / elapsed:.0f}/s", f"{percentile(latencies, .5):.1f}",
                     f"{percentile(latencies, .99):.1f}",
                     f"replies done {drained:.2f} s later; "
                     f"{len(requests) / (elapsed + drained):.0f}/s handled",
                     "yes" if once and processed >= len(phones) and not bad else
                     f"NO ({bad} bad, {processed} processed)", f"{cpu:.2f}", steal.text()))
    # Callbacks, closed loop, then open loop; a new message id each.
    for mode in ("closed", "open"):
        total = args.callbacks if mode == "closed" else int(args.rate * args.seconds)
        prefix = f"SB{first:07d}{mode[0]}"
        requests = [raw_request(STATUS, status_callback(f"{prefix}{i:08d}", "delivered"), token)
                    for i in range(total)]
        stored_before = setup.count("SELECT COUNT(*) FROM outbound_messages")
        cpu, steal = setup.cpu(), StealMeter()
        if mode == "closed":
            elapsed, latencies, bad = await closed_loop(setup.ports, requests, args.connections)
            what = "callbacks, closed loop"
        else:
            elapsed, latencies, bad = await open_loop(setup.ports, requests, args.rate,
                                                      args.connections)
            what = f"callbacks, open loop at {args.rate:.0f}/s"
        cpu = (setup.cpu() - cpu) * 1000 / total
        stored = setup.count("SELECT COUNT(*) FROM outbound_messages") - stored_before
        lines.append(row(setup.name, what, total, f"{total / elapsed:.0f}/s",
                         f"{percentile(latencies, .5):.1f}", f"{percentile(latencies, .99):.1f}",
                         f"{stored} stored", "yes" if stored == total and not bad else
                         f"NO ({bad} bad)", f"{cpu:.2f}", steal.text()))
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--callbacks", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--setups", default="sqlite:1,postgresql:1,postgresql:2",
                        help="backend:processes, comma-separated")
    parser.add_argument("--database-url", default=os.environ.get("SPI_BENCH_DATABASE_URL")
                        or os.environ.get("SPI_TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{args.connections} connections")
    lines = [row("setup", "phase", "requests", "answered", "p50 ms", "p99 ms", "then",
                 "exactly once / none lost", "server cpu ms/req", "host steal"),
             row(*["---"] * 10)]
    with provider_fakes() as fakes:
        first = 0
        for spec in args.setups.split(","):
            backend, count = spec.split(":")
            name = f"{backend} x{count}"
            with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
                url = None
                if backend == "postgresql":
                    if not args.database_url:
                        print("PostgreSQL skipped: give --database-url or set "
                              "SPI_BENCH_DATABASE_URL")
                        continue
                    url = stack.enter_context(fresh_schema(args.database_url))
                setup = stack.enter_context(servers(name, int(count), Path(tmp), url, fakes))
                print(f"--- {name} (load average {os.getloadavg()[0]:.2f})", flush=True)
                for line in await measure(setup, fakes, args, first):
                    print(line, flush=True)
                    lines.append(line)
                first += 1_000_000
    print(f"\nload average after: {os.getloadavg()[0]:.2f}\n")
    print("\n".join(lines))


if __name__ == "__main__":
    event_loop.run(main())
