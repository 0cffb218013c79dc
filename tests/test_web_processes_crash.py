"""Two real `spi-bot web` processes on one PostgreSQL database (issue 14), against the loopback
fake Twilio and Telegram APIs:

- the same people's messages, delivered alternately to the two processes, some delivered to
  both at once, some delivered again to the other process afterwards, keep each person's
  order (every turn sees what the previous one left: the whole registration is walked) and
  are processed once (one set of replies per message id at the fakes);
- a process killed with SIGKILL after committing turns, before sending their replies, has
  them sent by the survivor, once each; while it lived, the survivor left its replies alone.

Bounded: every wait has a deadline; loopback only.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.twilio_webhooks import inbound_message, sign
from tests.support.postgres import query
from tests.support.processes import free_port, provider_fakes, wait_until
from tests.support.telegram_updates import contact_update, text_update

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

ROOT = Path(__file__).resolve().parent.parent
SPI_BOT = str(Path(sys.executable).parent / "spi-bot")
PUBLIC_URL = "https://bot.sukamajukab.example"
TWILIO_PATH = "/twilio/whatsapp"
TELEGRAM_PATH = "/telegram/webhook"
OUR_NUMBER = "+14155238886"
NAME, EMAIL = "Siti Aminah", "siti@contoh.id"
_update_ids = itertools.count(50_000)


@pytest.fixture
def fakes() -> Iterator[dict[str, str]]:
    with provider_fakes() as info:
        yield info


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())


@dataclass
class Web:
    """One `spi-bot web` child process."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def health(self) -> dict[str, Any]:
        return dict(get_json(f"http://127.0.0.1:{self.port}/healthz"))

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """The HTTP status, or 0 when the connection broke."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(60) == 0, self.log.read_text()[-3000:]


def start_web(tmp: Path, name: str, env: dict[str, str]) -> Web:
    port = free_port()
    log = tmp / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([SPI_BOT, "web"], cwd=tmp, env=env | {"SPI_PORT": str(port)},
                                stdout=out, stderr=subprocess.STDOUT)
    web = Web(proc, port, log)

    def up() -> bool:
        if proc.poll() is not None:
            return True
        try:
            return web.health()["status"] == "ok"
        except OSError:
            return False

    assert wait_until(up, 90)
    assert proc.poll() is None, log.read_text()
    return web


def base_env(tmp: Path, url: str, fakes: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    return env | {
        "SPI_DATABASE_URL": url, "SPI_DATABASE_PATH": str(tmp / "unused.db"),
        "SPI_LOG_LEVEL": "INFO", "SPI_PUBLIC_URL": PUBLIC_URL,
        "SPI_TWILIO_ACCOUNT_SID": fakes["twilio_account_sid"],
        "SPI_TWILIO_AUTH_TOKEN": fakes["twilio_auth_token"],
        "SPI_TWILIO_WHATSAPP_NUMBER": OUR_NUMBER, "SPI_TWILIO_API_BASE_URL": fakes["twilio"],
    } | extra


def whatsapp_request(token: str, params: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return urllib.parse.urlencode(params).encode(), {
        "X-Twilio-Signature": sign(token, f"{PUBLIC_URL}{TWILIO_PATH}", params),
        "Content-Type": "application/x-www-form-urlencoded"}


def whatsapp_sent(fakes: dict[str, str], phone: str) -> list[str]:
    """Bodies Twilio accepted for `phone`, oldest first."""
    query_string = urllib.parse.urlencode({"To": f"whatsapp:{phone}", "PageSize": "200"})
    listed = get_json(f"{fakes['twilio']}/2010-04-01/Accounts/{fakes['twilio_account_sid']}"
                      f"/Messages.json?{query_string}")
    return [str(m["body"]) for m in reversed(listed["messages"])]


def telegram_sent(fakes: dict[str, str]) -> dict[str, Any]:
    """Texts the fake Bot API took per chat, and the secrets its webhook was set with."""
    return dict(get_json(f"{fakes['telegram'].removesuffix('/bot')}/_sent"))


def outbox_rows(url: str) -> list[tuple[Any, ...]]:
    return query(Path(), url, "SELECT owner, address, sending_at FROM reply_outbox")


# What each registration step's reply begins with, in order (WhatsApp merges a turn's replies
# into one message when they fit).
MARKERS = ["Daftar calon responden", "Siapa nama lengkap", "Anda menggunakan layanan",
           "Layanan apa", "Kapan terakhir", "Kami akan memakai nomor", "Alamat e-mail",
           "Satu pertanyaan lagi", "Periksa data Anda", f"Terima kasih, {NAME}"]
WHATSAPP_STEPS = ["DAFTAR DISDUKCAPIL", "1", NAME, "1", "1", "bulan lalu", "1", EMAIL, "1",
                  "1"]


def telegram_steps(user: int, phone: str) -> list[dict[str, Any]]:
    texts: list[str | None] = ["/start DISDUKCAPIL", "1", NAME, "1", "1", "bulan lalu", None,
                               EMAIL, "1", "1"]
    return [text_update(next(_update_ids), user, text) if text is not None else
            contact_update(next(_update_ids), user, phone.lstrip("+"), contact_user_id=user)
            for text in texts]


def deliver_alternating(webs: list[Web], requests: list[tuple[bytes, dict[str, str]]],
                        path: str) -> None:
    """One person's messages in order: step i goes to process i % 2; every third is delivered
    to both at once, every third again to the other process once answered. Each next message
    is sent once the previous one was answered (as providers do)."""
    with ThreadPoolExecutor(max_workers=2) as both:
        for i, (body, headers) in enumerate(requests):
            first, other = webs[i % 2], webs[(i + 1) % 2]
            if i % 3 == 1:  # the same delivery to both processes at the same moment
                answers = [f.result() for f in [both.submit(w.post, path, body, headers)
                                                for w in (first, other)]]
            else:
                answers = [first.post(path, body, headers)]
                if i % 3 == 2:  # a redelivery to the other process
                    answers.append(other.post(path, body, headers))
            assert answers == [200] * len(answers), (i, answers)


def test_two_web_processes_keep_each_persons_order_and_process_each_id_once(
    tmp_path: Path, fakes: dict[str, str], database_url: str | None
) -> None:
    assert database_url is not None
    env = base_env(tmp_path, database_url, fakes,
                   SPI_TELEGRAM_BOT_TOKEN=fakes["telegram_token"],
                   SPI_TELEGRAM_API_BASE_URL=fakes["telegram"],
                   SPI_BROADCAST_WHATSAPP_RATE="200", SPI_BROADCAST_TELEGRAM_RATE="200",
                   SPI_BROADCAST_TELEGRAM_PER_CHAT_SECONDS="0")
    webs = [start_web(tmp_path, "a", env), start_web(tmp_path, "b", env)]
    try:
        ids = {web.health()["process"] for web in webs}
        assert len(ids) == 2 and None not in ids
        sent = telegram_sent(fakes)
        # Both registered the webhook, with one secret (derived from the token): each
        # process accepts what Telegram sends.
        assert len(sent["webhook_secrets"]) == 2 and len(set(sent["webhook_secrets"])) == 1
        secret = sent["webhook_secrets"][0]
        token = fakes["twilio_auth_token"]
        phones = [f"+6281277{n:06d}" for n in range(6)]
        # Numbers that differ only where the bot masks them, so the replies to each person
        # read the same once the full number is blanked.
        users = {700_000 + n: f"+62813{n:04d}7890" for n in range(4)}
        walks: list[tuple[list[tuple[bytes, dict[str, str]]], str]] = [
            ([whatsapp_request(token, inbound_message(phone, text, profile_name="Siti"))
              for text in WHATSAPP_STEPS], TWILIO_PATH) for phone in phones]
        walks += [([(json.dumps(update).encode(),
                     {"Content-Type": "application/json",
                      "X-Telegram-Bot-Api-Secret-Token": secret})
                    for update in telegram_steps(user, phone)], TELEGRAM_PATH)
                  for user, phone in users.items()]
        # Everybody at once: the two processes serve many people concurrently.
        with ThreadPoolExecutor(max_workers=len(walks)) as people:
            for done in [people.submit(deliver_alternating, webs, requests, path)
                         for requests, path in walks]:
                done.result()

        def settled() -> bool:
            texts = telegram_sent(fakes)["texts"]
            return not outbox_rows(database_url) and all(
                len(whatsapp_sent(fakes, p)) >= len(MARKERS) for p in phones) and all(
                any(f"Terima kasih, {NAME}" in t for t in texts.get(str(u), []))
                for u in users)

        assert wait_until(settled, 90)
        time.sleep(1.0)  # any duplicate would arrive now
        for phone in phones:
            bodies = whatsapp_sent(fakes, phone)
            assert len(bodies) == len(MARKERS), bodies
            for body, marker in zip(bodies, MARKERS, strict=True):
                assert body.startswith(marker), (phone, body[:80], marker)
        texts = telegram_sent(fakes)["texts"]
        reference = texts[str(next(iter(users)))]
        assert any(t.startswith("Periksa data Anda") for t in reference)
        for user, phone in users.items():
            ours = [t.replace(phone, "<phone>") for t in texts[str(user)]]
            assert ours == [t.replace(users[next(iter(users))], "<phone>") for t in reference]
        total = len(phones) * len(WHATSAPP_STEPS) + len(users) * len(MARKERS)
        assert query(Path(), database_url, "SELECT COUNT(*) FROM processed_inbound")[0][0] \
            == total
        registered = query(Path(), database_url,
                           "SELECT phone, name FROM respondents ORDER BY phone")
        assert registered == sorted((p, NAME) for p in [*phones, *users.values()])
    finally:
        for web in webs:
            web.stop()
    logs = "".join(web.log.read_text() for web in webs)
    assert "Traceback" not in logs
    assert "sudah diproses sebelumnya" in logs  # the redeliveries were recognised


def test_a_killed_process_replies_are_sent_by_the_survivor_once(
    tmp_path: Path, fakes: dict[str, str], database_url: str | None
) -> None:
    assert database_url is not None
    # The victim paces its replies at one every 5 s, so those of the turns it commits wait in
    # its outbox, unsent; the survivor sends fast.
    victim = start_web(tmp_path, "victim",
                       base_env(tmp_path, database_url, fakes, SPI_BROADCAST_WHATSAPP_RATE="0.2"))
    survivor = start_web(tmp_path, "survivor",
                         base_env(tmp_path, database_url, fakes,
                                  SPI_BROADCAST_WHATSAPP_RATE="100"))
    try:
        victim_id = victim.health()["process"]
        token = fakes["twilio_auth_token"]
        phones = [f"+6281299{n:06d}" for n in range(8)]
        for phone in phones:  # each answered 200: committed, replies stored
            body, headers = whatsapp_request(token, inbound_message(phone, "halo"))
            assert victim.post(TWILIO_PATH, body, headers) == 200
        passes = survivor.health()["recovery_passes"]
        # The survivor looks for dead processes' replies every 5 s: let it look twice.
        assert wait_until(lambda: survivor.health()["recovery_passes"] >= passes + 2, 60)
        rows = outbox_rows(database_url)
        assert rows and {owner for owner, _, _ in rows} == {victim_id}  # untouched
        before = get_json(f"{fakes['twilio']}/_stats?counts=1")
        assert before["duplicates"] == 0
        assert before["accepted"] + len(rows) >= len(phones)  # (one may be leaving now)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(10)
        # Taken over within a recovery pass (a reply the victim was sending at the moment of
        # the kill waits for the grace, then is looked up at Twilio).
        assert wait_until(lambda: not outbox_rows(database_url) and get_json(
            f"{fakes['twilio']}/_stats")["accepted"] >= len(phones), 90)
        time.sleep(1.0)  # any duplicate would arrive now
        stats = get_json(f"{fakes['twilio']}/_stats?counts=1")
        assert stats["counts"] == {f"whatsapp:{p}": 1 for p in phones}
    finally:
        survivor.stop()
        if victim.proc.poll() is None:
            victim.proc.kill()
            victim.proc.wait(10)
    log = survivor.log.read_text()
    assert "dari proses yang mati diambil alih" in log
    assert "Traceback" not in log
    print(f"\nweb takeover test: {before['accepted']} of {len(phones)} replies sent by the "
          f"victim before SIGKILL, {len(rows)} sent once by the survivor after")
