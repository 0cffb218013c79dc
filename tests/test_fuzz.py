"""Fuzz: thousands of random messages (any Unicode, control characters, lone surrogates, very
long texts, odd contacts and start payloads) from many people on every channel, mixed with the
words that move dialogs, so they land in every dialog state. Nothing may raise, no dialog may
stay stuck, and /healthz answers 200 throughout. Seeded, so a failure is reproducible; bounded
by a deadline.

Also: forged Telegram updates that carry the valid webhook secret never cost a 500.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.engine.engine import ReplyRoute
from core.messages import Channel, Inbound, SharedContact
from core.settings import load_settings
from storage.repositories.reply_outbox import QueuedReply
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.clock import FakeClock
from tests.support.server import PUBLIC_URL, RunningServer, running_server
from tests.support.telegram_updates import callback_update, text_update

SEED = 20261202
MESSAGES = 5_000
DIALOG_WORDS = (
    "DAFTAR RSUD", "DAFTAR DISHUB", "/start PBJ", "1", "2", "3", "ya", "tidak", "lewati",
    "Siti Aminah", "Budi", "081234567890", "+6281234567890", "bulan lalu", "Maret 2026",
    "siti@contoh.id", "HAPUS DATA", "BATAL", "halo", "MENU", "BANTUAN", "BAHASA EN",
    "BAHASA ID", "STOP", "DATA SAYA", "cek https://spi.kpk.go.id", "apakah survei wajib",
    "/stats", "/siaran",
)
ODD = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u200b\u200e\u202e\u2028\ufeff\ufffd\ufffe"


def random_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.40:
        return rng.choice(DIALOG_WORDS)
    if kind < 0.55:  # any code point, surrogates included
        return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 40)))
    if kind < 0.65:
        return "".join(rng.choice(ODD + "ab 1") for _ in range(rng.randint(1, 30)))
    if kind < 0.75:  # a lone surrogate inside something that looks like an answer
        word = rng.choice(DIALOG_WORDS)
        cut = rng.randint(0, len(word))
        return word[:cut] + rng.choice(("\ud800", "\udfff", "\ud83d", "\udc00x")) + word[cut:]
    if kind < 0.80:  # very long
        unit = rng.choice(("a", "Siti ", "\u00e9", "\U0001f600", "1", "apakah survei "))
        return unit * rng.randint(1_000, 20_000)
    if kind < 0.85:
        return rng.choice(("", " ", "\n", "\t", "   \n  "))
    # a dialog word with a prefix or suffix of noise
    return (rng.choice(("", "=", "+", "-", "@", "\x00", " ")) + rng.choice(DIALOG_WORDS)
            + rng.choice(("", ".", ")", "\x00", "\u200b", "!!!")))


def random_message(rng: random.Random, sender: tuple[Channel, str], serial: int) -> Inbound:
    channel, address = sender
    contact = None
    if channel is Channel.TELEGRAM and rng.random() < 0.05:
        phone = rng.choice(("+6281234567890", "6281299990000", "+", "", "+0000", "\ud800"))
        contact = SharedContact(phone, rng.random() < 0.5)
    start = rng.choice((None, None, "RSUD", "", "x" * 300, "\ud800", "=1+1"))
    return Inbound(channel=channel, sender=address, text=random_text(rng), contact=contact,
                   start_payload=start if channel is Channel.TELEGRAM else None,
                   display_name=rng.choice((None, "Siti", "\ud800", "\x00", "A" * 500)),
                   provider_id=f"fuzz-{serial}",
                   sender_phone=address if channel is Channel.WHATSAPP else None)


@pytest.fixture
async def fuzz_app(tmp_path: Path) -> AsyncIterator[App]:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             admins="telegram:9000001")
    async with open_app(settings, FakeClock()) as app:
        yield app


async def test_random_messages_never_break_a_dialog(
    fuzz_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    senders = ([(Channel.TELEGRAM, str(9000001 + i)) for i in range(20)]
               + [(Channel.WHATSAPP, f"+6281200{i:05d}") for i in range(20)]
               + [(Channel.WEB, f"web-{i}") for i in range(10)])
    caplog.set_level(logging.WARNING)
    async with running_server(fuzz_app) as server, asyncio.timeout(600):
        serial = itertools.count()
        stored: list[QueuedReply] = []
        for _ in range(MESSAGES // 50):
            batch = [random_message(rng, rng.choice(senders), next(serial)) for _ in range(50)]
            results = await asyncio.gather(*(
                fuzz_app.engine.handle(m, route=ReplyRoute(m.sender, stored.extend))
                for m in batch))
            for replies in results:
                assert all("Traceback" not in r.text for r in replies)
            assert (await server.http.get("/healthz")).status_code == 200
        for channel, address in senders:  # nobody is stuck: cancel, then the menu answers
            await fuzz_app.engine.handle(Inbound(channel, address, "BATAL",
                                                 provider_id=f"end-{address}"))
            replies = await fuzz_app.engine.handle(Inbound(channel, address, "MENU",
                                                           provider_id=f"menu-{address}"))
            assert replies and replies[0].choices, (channel, replies)
    async with fuzz_app.db.reading() as conn:  # every reply was stored to be sent
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM reply_outbox")
    assert next(iter(rows))[0] == len(stored) > MESSAGES
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], failures[0].getMessage()
    assert next(serial) >= MESSAGES


SECRET = "s3cret-token-for-the-webhook_123"
FORGED: list[dict[str, Any]] = [
    {"update_id": 1, "callback_query": {"id": "x", "chat_instance": "y"}},
    {"update_id": 2, "callback_query": {"id": "x", "chat_instance": "y", "data": "consent:yes"}},
    {"update_id": 3, "callback_query": "not an object"},
    {"update_id": 4, "message": "not an object"},
    {"update_id": 5, "message": {"message_id": 1}},
    {"update_id": "six"},
    {"update_id": 7, "callback_query": {**callback_update(7, 5, "x")["callback_query"],
                                        "data": "\ud800" * 3}},
    {"update_id": 8, "message": {**text_update(8, 5, "halo")["message"], "from": None}},
    {},
]


@pytest.fixture
async def telegram_webhook(tmp_path: Path, telegram_api: FakeTelegramApi
                           ) -> AsyncIterator[RunningServer]:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             telegram_bot_token=telegram_api.token,
                             telegram_api_base_url=telegram_api.base_url, public_url=PUBLIC_URL,
                             telegram_webhook_secret=SECRET)
    async with open_app(settings, FakeClock()) as app, running_server(app) as server:
        yield server


@pytest.mark.parametrize("update", FORGED)
async def test_forged_telegram_updates_with_the_secret_never_cost_a_500(
    telegram_webhook: RunningServer, update: dict[str, Any]
) -> None:
    answer = await telegram_webhook.http.post(  # json.dumps writes a lone surrogate as \ud800
        "/telegram/webhook", content=json.dumps(update),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})
    assert answer.status_code < 500
    await telegram_webhook.settled()
    assert (await telegram_webhook.http.get("/healthz")).status_code == 200
