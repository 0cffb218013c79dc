"""The WhatsApp sender alone: Twilio SDK and aiohttp to the fake Twilio API, no database.

    .venv/bin/python scripts/bench_sender.py [--messages 8000] [--concurrency 64]

Prints sends/s and the CPU each side spends per message: ours (the client process) and the
fake provider's (another process on the same machine, read from /proc on Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from host_steal import StealMeter  # noqa: E402
from twilio.rest import Client  # noqa: E402

from bot import event_loop  # noqa: E402
from bot.channels.whatsapp.sender import WhatsAppSender  # noqa: E402
from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient  # noqa: E402
from core.messages import Channel  # noqa: E402
from core.sending import Outbound  # noqa: E402

TEXT = "Halo Responden, survei SPI berlangsung sampai 31 Oktober."


def process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, clock ticks of 1/100 s


async def measure(info: dict[str, str], fake_pid: int, messages: int, concurrency: int) -> None:
    http = RebasedTwilioHttpClient(info["twilio"])
    client = Client(info["twilio_account_sid"], info["twilio_auth_token"], http_client=http)
    sender = WhatsAppSender(client, "+6281100000000",
                            status_callback_url="https://bot.example/twilio/status")
    numbers: asyncio.Queue[int] = asyncio.Queue()

    async def send_all() -> None:
        while not numbers.empty():
            i = numbers.get_nowait()
            await sender.send(Outbound(Channel.WHATSAPP, f"+62812{i:08d}", TEXT))

    for i in range(200):  # warm up connections and caches
        numbers.put_nowait(i)
    await asyncio.gather(*(send_all() for _ in range(10)))
    for i in range(messages):
        numbers.put_nowait(1000 + i)
    steal, fake_before = StealMeter(), process_cpu(fake_pid)
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(send_all() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    fake_after = process_cpu(fake_pid)
    fake = "n/a" if fake_before is None or fake_after is None else \
        f"{(fake_after - fake_before) / messages * 1e6:.0f} µs"
    print(f"{messages / wall:,.0f} sends/s; client CPU {cpu / messages * 1e6:.0f} µs per send, "
          f"fake provider {fake} per request; {steal.text()}")
    await http.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    fake = subprocess.Popen([sys.executable, "-m", "tests.fakes.broadcast_provider"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        if fake.stdout is None:
            raise RuntimeError("the fake provider did not start")
        info = json.loads(fake.stdout.readline())
        event_loop.run(measure(info, fake.pid, args.messages, args.concurrency))
    finally:
        fake.terminate()
        fake.wait(10)
        if fake.stdout is not None:
            fake.stdout.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
