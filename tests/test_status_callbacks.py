"""Twilio delivery-status callbacks at volume: the "never backwards" rule checked and written in
one statement (so concurrent callbacks in several processes cannot undo each other), callbacks
arriving together written in one commit, each answered only after it, none lost."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.app import App, open_app
from bot.channels.whatsapp.statuses import StatusWriter
from bot.server.web import form_urlencoded
from core.delivery_status import KNOWN, advances
from core.settings import load_settings
from storage.connection import Connection
from storage.repositories.outbound import OutboundMessageRepository, StatusUpdate
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_webhooks import sign, status_callback
from tests.support.clock import FakeClock
from tests.support.server import PUBLIC_URL, running_server

STATUS = "/twilio/status"


async def stored(app: App) -> dict[str, str]:
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT provider_id, status FROM outbound_messages")
    return {row["provider_id"]: row["status"] for row in rows}


@pytest.mark.both_backends
async def test_every_pair_of_statuses_follows_the_rule(app: App, clock: FakeClock) -> None:
    repo = OutboundMessageRepository()
    pairs = list(itertools.product(sorted(KNOWN), sorted(KNOWN)))
    async with app.db.transaction() as conn:
        for n, (first, then) in enumerate(pairs):
            sid = f"SM{n:04d}"
            assert await repo.record_status(conn, sid, first, channel="whatsapp",
                                            now=clock.now())
            changed = await repo.record_status(conn, sid, then.upper(), channel="whatsapp",
                                               now=clock.now())
            assert changed is advances(first, then), (first, then)
        assert not await repo.record_status(conn, "SMx", "receiving", channel="whatsapp",
                                            now=clock.now())
        # The same rule in a batch, in the order given.
        await repo.record_statuses(conn, [StatusUpdate(f"SB{n:04d}", s)
                                          for n, (first, then) in enumerate(pairs)
                                          for s in (first, then, "bogus")],
                                   channel="whatsapp", now=clock.now())
    rows = await stored(app)
    for n, (first, then) in enumerate(pairs):
        expected = then if advances(first, then) else first
        assert rows[f"SM{n:04d}"] == rows[f"SB{n:04d}"] == expected, (first, then)
    assert "SMx" not in rows


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_two_processes_callbacks_for_one_message_never_move_it_backwards(
    app: App, clock: FakeClock
) -> None:
    """`delivered` is written, not yet committed, when `sent` arrives in another process: the
    second waits for the row, then finds it further along and leaves it."""
    repo = OutboundMessageRepository()
    async with app.db.transaction() as conn:
        await repo.record_status(conn, "SM1", "queued", channel="whatsapp", now=clock.now())
    written = asyncio.Event()
    finish = asyncio.Event()

    async def delivered() -> None:
        async with app.db.transaction() as conn:
            assert await repo.record_status(conn, "SM1", "delivered", channel="whatsapp",
                                            now=clock.now())
            written.set()
            await finish.wait()

    first = asyncio.create_task(delivered())
    await written.wait()

    async def sent() -> bool:
        async with app.db.transaction() as conn:
            return await repo.record_status(conn, "SM1", "sent", channel="whatsapp",
                                            now=clock.now())

    second = asyncio.create_task(sent())
    await asyncio.sleep(0.2)  # lets `sent` reach the row lock (the outcome holds either way)
    finish.set()
    await first
    assert not await second
    assert (await stored(app))["SM1"] == "delivered"


class Counting(OutboundMessageRepository):
    """Counts commits' sizes; refuses one provider id, to show it fails alone."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def record_statuses(self, conn: Connection, updates: Sequence[StatusUpdate], *,
                              channel: str, now: datetime) -> None:
        if any(u.provider_id == "SMbad" for u in updates):
            raise ValueError("refused")
        self.sizes.append(len(updates))
        await super().record_statuses(conn, updates, channel=channel, now=now)


@pytest.mark.both_backends
async def test_callbacks_arriving_together_share_a_commit_and_each_waits_for_it(
    app: App, clock: FakeClock
) -> None:
    repo = Counting()
    writer = StatusWriter(app.db, clock, repository=repo)

    async def one(n: int) -> None:
        await writer.record(StatusUpdate(f"SM{n:05d}", "delivered"))
        async with app.db.reading() as conn:  # committed before the answer
            assert await OutboundMessageRepository().get(conn, f"SM{n:05d}") is not None

    await asyncio.gather(*(one(n) for n in range(300)))
    assert sum(repo.sizes) == 300
    assert len(repo.sizes) < 300  # shared commits
    assert len(await stored(app)) == 300


@pytest.mark.both_backends
async def test_a_bad_callback_fails_alone(app: App, clock: FakeClock) -> None:
    writer = StatusWriter(app.db, clock, repository=Counting(), writers=1)
    results = await asyncio.gather(
        *(writer.record(StatusUpdate(sid, "sent")) for sid in ("SMa", "SMbad", "SMb", "SMc")),
        return_exceptions=True)
    assert [isinstance(r, ValueError) for r in results] == [False, True, False, False]
    assert await stored(app) == {"SMa": "sent", "SMb": "sent", "SMc": "sent"}


@pytest.fixture
async def wa_app(tmp_path: Path, twilio_api: FakeTwilioApi, clock: FakeClock,
                 database_url: str | None) -> AsyncIterator[App]:
    settings = load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", database_url=database_url,
        public_url=PUBLIC_URL, twilio_account_sid=twilio_api.account_sid,
        twilio_auth_token=twilio_api.auth_token, twilio_whatsapp_number="+14155238886",
        twilio_api_base_url=twilio_api.base_url)
    async with open_app(settings, clock) as app:
        yield app


@pytest.mark.both_backends
async def test_a_burst_of_signed_callbacks_is_answered_after_storing_every_one(
    wa_app: App, twilio_api: FakeTwilioApi
) -> None:
    async with running_server(wa_app) as server:
        assert server.runtime.whatsapp is not None

        at_once = asyncio.Semaphore(25)  # httpx slows down with many connections

        async def post(n: int) -> int:
            params = status_callback(f"SM{n:05d}", "sent" if n % 2 else "delivered")
            signature = sign(twilio_api.auth_token, f"{PUBLIC_URL}{STATUS}", params)
            async with at_once:
                answer = await server.http.post(STATUS, data=params,
                                                headers={"X-Twilio-Signature": signature})
            return answer.status_code

        answers = await asyncio.gather(*(post(n) for n in range(200)))
        assert answers == [204] * 200
        assert server.runtime.whatsapp.statuses.batches < 200
    assert len(await stored(wa_app)) == 200


def test_the_form_parser_reads_what_parse_qsl_reads() -> None:
    rng = random.Random(14)
    alphabet = "aZ09 +%&=~-_.:/?#[]@!$'()*,;é漢\u0000"
    bodies = ["", "&", "a", "a=", "=b", "a=1&&b=2", "a=1&a=2", "a%3Db=c%26d", "a+b=c+d",
              "%zz=%4", "x=%E9%", "MessageSid=SM1&To=whatsapp%3A%2B6281234567890"]
    for _ in range(3000):
        fields = [("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))),
                   "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))))
                  for _ in range(rng.randint(0, 5))]
        bodies.append(urlencode(fields))
        bodies.append("&".join(f"{k}={v}" for k, v in fields))  # not encoded at all
    for body in bodies:
        assert form_urlencoded(body) == dict(parse_qsl(body, keep_blank_values=True)), body


@pytest.mark.parametrize("signed_url", [
    f"{PUBLIC_URL}{STATUS}",  # the usual: the fast check accepts it
    PUBLIC_URL.replace(".example", ".example:443") + STATUS,  # a port: the SDK's check does
])
async def test_signatures_are_checked_fast_and_by_the_sdk_otherwise(
    wa_app: App, twilio_api: FakeTwilioApi, signed_url: str
) -> None:
    async with running_server(wa_app) as server:
        channel = server.runtime.whatsapp
        assert channel is not None
        params = status_callback("SM1", "sent")
        good = sign(twilio_api.auth_token, signed_url, params)
        assert channel.signed(STATUS, "", params, good)
        assert not channel.signed(STATUS, "", params | {"MessageStatus": "read"}, good)
        assert not channel.signed(STATUS, "", params, sign("other-token", signed_url, params))
        assert not channel.signed(STATUS, "", params, "")
