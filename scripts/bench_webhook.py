"""Load benchmark of the WhatsApp webhook: signed Twilio requests at increasing rates against a
real `spi-bot run` whose Twilio API is a loopback fake; every message must be processed and
answered exactly once.

    .venv/bin/python scripts/bench_webhook.py [--rates 100,200,300,400] [--seconds 5]
        [--backend sqlite|postgresql|both] [--database-url postgresql://...] [--rounds 1]
        [--pool N] [--profile DIR]

Prints, per rate: requests sent, achieved request rate, p50/p99 latency of the webhook answer,
how long the backlog took to drain after the last request, messages fully handled per second
(turn committed and reply accepted by the fake Twilio), whether every message was processed
once (processed_inbound rows) and answered once (replies per sender at the fake), and the
server process's CPU time per message (independent of other load on the machine).
`--profile DIR` samples each server with py-spy during each phase (`pip install py-spy`;
collapsed stacks, idle time included, in DIR/<backend>-<rate>.txt).
The server's WhatsApp pacing is raised to 1,000/s for the run: with the production default
(8/s, under Twilio's per-sender 10/s) replies queue and drain at 8/s while every incoming
message is still stored at once.

With `--backend both` (the default when a PostgreSQL URL is known: SPI_BENCH_DATABASE_URL,
else SPI_TEST_DATABASE_URL) one server runs on a SQLite file and one on a fresh PostgreSQL
schema (dropped afterwards), and each rate's phase runs on SQLite, then on PostgreSQL, then
the next rate (`--rounds` repeats the whole list), so neighbours' load hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import event_loop  # noqa: E402
from tests.fakes.twilio_api import FakeTwilioApi  # noqa: E402
from tests.fakes.twilio_webhooks import inbound_message, sign  # noqa: E402
from tests.support.postgres import fresh_schema  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

PUBLIC_URL = "https://bench.sukamajukab.example"
PATH = "/twilio/whatsapp"


def start_server(workdir: Path, port: int, twilio: FakeTwilioApi,
                 database_url: str | None, pool: int | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env |= {
        "SPI_DATABASE_PATH": str(workdir / "bench.db"), "SPI_PORT": str(port),
        "SPI_LOG_LEVEL": "WARNING", "SPI_PUBLIC_URL": PUBLIC_URL,
        "SPI_TWILIO_ACCOUNT_SID": twilio.account_sid, "SPI_TWILIO_AUTH_TOKEN": twilio.auth_token,
        "SPI_TWILIO_WHATSAPP_NUMBER": "+14155238886", "SPI_TWILIO_API_BASE_URL": twilio.base_url,
        # Replies share the WhatsApp pacing with broadcasts (default 8/s: Twilio's per-sender
        # default is 10). This measures our server, so the fake sender gets a high quota.
        "SPI_BROADCAST_WHATSAPP_RATE": "1000",
    }
    if database_url:
        env["SPI_DATABASE_URL"] = database_url
        if pool:
            env["SPI_DATABASE_POOL_SIZE"] = str(pool)
    spi_bot = Path(sys.executable).parent / "spi-bot"
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen([str(spi_bot), "run"], cwd=workdir, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


@dataclass
class Server:
    name: str
    workdir: Path
    process: subprocess.Popen[bytes]
    url: str  # where it listens
    database_url: str | None
    next_sender: int

    def processed(self) -> int:
        query = "SELECT COUNT(*) FROM processed_inbound WHERE channel = 'whatsapp'"
        if self.database_url:
            with psycopg.connect(self.database_url) as conn:
                row = conn.execute(query).fetchone()
                return int(row[0]) if row else 0
        with sqlite3.connect(self.workdir / "bench.db") as conn:
            return int(conn.execute(query).fetchone()[0])


async def wait_up(session: aiohttp.ClientSession, url: str, log: Path) -> None:
    for _ in range(1200):  # a minute: start-up takes seconds on a loaded 2-core machine
        try:
            async with session.get(f"{url}/healthz") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit(f"server did not start:\n{tail(log)}")


def tail(log: Path) -> str:
    return log.read_text()[-3000:]


async def phase(session: aiohttp.ClientSession, url: str, token: str, rate: int, *,
                seconds: float, first_sender: int) -> tuple[list[float], float, list[str]]:
    """Send rate*seconds signed webhooks on an open-loop schedule; latencies in ms."""
    count = int(rate * seconds)
    senders = [f"+62812{first_sender + i:07d}" for i in range(count)]
    latencies: list[float] = []
    failures = 0

    async def one(phone: str) -> None:
        nonlocal failures
        params = inbound_message(phone, "halo")
        headers = {"X-Twilio-Signature": sign(token, f"{PUBLIC_URL}{PATH}", params)}
        started = time.perf_counter()
        try:
            async with session.post(f"{url}{PATH}", data=params, headers=headers) as answer:
                await answer.read()
                if answer.status != 200:
                    failures += 1
        except aiohttp.ClientError as exc:
            failures += 1
            print(f"  request failed: {exc!r}")
        latencies.append((time.perf_counter() - started) * 1000)

    start = time.perf_counter()
    tasks = []
    for index, phone in enumerate(senders):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(phone)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    if failures:
        print(f"  {failures} requests were not answered 200")
    return latencies, elapsed, senders


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of a process (Linux /proc), to report cost per message."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


HEADER = (f"{'backend':>10} {'target/s':>8} {'sent':>6} {'achieved/s':>10} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'drained s':>9} {'handled/s':>9} {'processed':>9} {'answered':>9} "
          f"{'once':>4} {'cpu ms/msg':>10}")


def start_profile(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` (idle time too) for `seconds`, without pausing it."""
    py_spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen(
        [str(py_spy), "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", "250", "--idle", "--nonblocking", "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def measure(session: aiohttp.ClientSession, twilio: FakeTwilioApi, server: Server, *,
                  rate: int, seconds: float, per_message: int,
                  profile: Path | None = None) -> None:
    before_out = len(twilio.messages)
    before_in = server.processed()
    cpu_before = cpu_seconds(server.process.pid)
    spy = (start_profile(server.process.pid, profile / f"{server.name}-{rate}.txt", seconds)
           if profile else None)
    latencies, elapsed, senders = await phase(
        session, server.url, twilio.auth_token, rate, seconds=seconds,
        first_sender=server.next_sender)
    if spy is not None:
        await asyncio.to_thread(spy.wait)
    server.next_sender += len(senders)
    sent_at = time.perf_counter()
    expected = before_out + per_message * len(senders)
    def all_sent() -> bool:
        return len(twilio.messages) >= expected

    with contextlib.suppress(TimeoutError):
        await twilio.wait_for(all_sent, within=120)
    drained = time.perf_counter() - sent_at
    achieved = len(senders) / elapsed
    # Messages fully handled (turn committed, reply sent) per second overall.
    handled = len(senders) / (elapsed + drained)
    await asyncio.sleep(0.3)  # any duplicate would arrive now
    cpu = (cpu_seconds(server.process.pid) - cpu_before) * 1000 / len(senders)
    processed = server.processed() - before_in
    per_to = Counter(m["To"] for m in twilio.messages[before_out:])
    once = all(per_to[f"whatsapp:{p}"] == per_message for p in senders) and (
        len(per_to) == len(senders))
    answered = sum(per_to.values())
    print(f"{server.name:>10} {rate:>8} {len(senders):>6} {achieved:>10.0f} "
          f"{percentile(latencies, 0.5):>8.1f} {percentile(latencies, 0.99):>8.1f}"
          f" {drained:>9.2f} {handled:>9.0f} {processed:>9} {answered:>9} "
          f"{'yes' if once and processed == len(senders) else 'NO':>4} "
          f"{cpu:>10.2f}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,200,300,400")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--pool", type=int, help="PostgreSQL connections (default: the bot's)")
    parser.add_argument("--profile", type=Path, help="py-spy each phase into this folder")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=os.environ.get("SPI_BENCH_DATABASE_URL")
                        or os.environ.get("SPI_TEST_DATABASE_URL"))
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    names = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in names and not args.database_url:
        print("PostgreSQL skipped: give --database-url or set SPI_BENCH_DATABASE_URL")
        names.remove("postgresql")

    twilio = FakeTwilioApi()
    await twilio.start()
    servers: list[Server] = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        for index, name in enumerate(names):
            workdir = Path(tmp) / name
            workdir.mkdir()
            database_url = (stack.enter_context(fresh_schema(args.database_url))
                            if name == "postgresql" else None)
            port = free_port()
            process = start_server(workdir, port, twilio, database_url, args.pool)
            servers.append(Server(name, workdir, process,
                                  f"http://127.0.0.1:{port}", database_url,
                                  1 + index * 1_000_000))
        # Drop idle connections before uvicorn does (5 s), so no request races a close.
        connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=2)
        try:
            async with aiohttp.ClientSession(connector=connector) as session:
                for server in servers:
                    await wait_up(session, server.url, server.workdir / "server.log")
                # One message first: how many replies does "halo" get?
                server = servers[0]
                await phase(session, server.url, twilio.auth_token, 1, seconds=1,
                            first_sender=server.next_sender)
                server.next_sender += 1
                await twilio.wait_for(lambda: len(twilio.messages) > 0)
                await asyncio.sleep(0.5)
                per_message = len(twilio.messages)
                for server in servers[1:]:  # the same first message, unmeasured
                    await phase(session, server.url, twilio.auth_token, 1, seconds=1,
                                first_sender=server.next_sender)
                    server.next_sender += 1
                    await twilio.wait_for(lambda: len(twilio.messages) >= 2 * per_message)
                print(f"each 'halo' is answered with {per_message} WhatsApp messages\n")
                print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
                print(HEADER)
                for _ in range(args.rounds):
                    for rate in rates:
                        for server in servers:
                            await measure(session, twilio, server, rate=rate,
                                          seconds=args.seconds, per_message=per_message,
                                          profile=args.profile)
                print(f"load average after: {os.getloadavg()[0]:.2f}")
        finally:
            for server in servers:
                server.process.terminate()
            for server in servers:
                code = server.process.wait(timeout=60)
                if code != 0:
                    print(tail(server.workdir / "server.log"))
            await twilio.stop()


if __name__ == "__main__":
    event_loop.run(main())  # as `spi-bot` runs
