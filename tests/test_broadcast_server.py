"""Broadcasts in `spi-bot run`: the server's worker sends through the real WhatsApp sender to
the fake Twilio API, status callbacks show up in progress, replies share the limiter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import App, open_app
from core.messages import Channel
from core.sending import SentLookup
from core.settings import load_settings
from outreach.limiter import LimitedSender, Priority
from outreach.service import BroadcastService
from tests.fakes.broadcast_provider import CountingTwilioApi
from tests.fakes.twilio_webhooks import inbound_message, sign, status_callback
from tests.support.clock import FakeClock
from tests.support.outreach import add_person, create, request
from tests.support.server import PUBLIC_URL, RunningServer, running_server

pytestmark = pytest.mark.both_backends

OUR_NUMBER = "+14155238886"


@pytest.fixture
async def counting_twilio() -> AsyncIterator[CountingTwilioApi]:
    async with CountingTwilioApi() as api:
        yield api


@pytest.fixture
async def wa_app(tmp_path: Path, counting_twilio: CountingTwilioApi, clock: FakeClock
                 ) -> AsyncIterator[App]:
    settings = load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", public_url=PUBLIC_URL,
        twilio_account_sid=counting_twilio.account_sid,
        twilio_auth_token=counting_twilio.auth_token, twilio_whatsapp_number=OUR_NUMBER,
        twilio_api_base_url=counting_twilio.base_url)
    async with open_app(settings, clock) as app:
        yield app


async def post_signed(server: RunningServer, path: str, params: dict[str, str],
                      token: str) -> httpx.Response:
    headers = {"X-Twilio-Signature": sign(token, f"{PUBLIC_URL}{path}", params)}
    return await server.http.post(path, data=params, headers=headers)


async def test_server_sends_broadcasts_and_tracks_their_statuses(
    wa_app: App, counting_twilio: CountingTwilioApi, clock: FakeClock
) -> None:
    _, siti = await add_person(wa_app, "Siti", channel="whatsapp", last_inbound_at=clock.now())
    _, budi = await add_person(wa_app, "Budi", channel="whatsapp", last_inbound_at=clock.now())
    async with running_server(wa_app) as server:
        runtime = server.runtime
        assert runtime.state["broadcasts"] == "on"
        dispatcher = runtime.whatsapp.dispatcher  # type: ignore[union-attr]
        assert isinstance(dispatcher.sender, LimitedSender)
        assert dispatcher.sender.priority is Priority.INTERACTIVE
        # Broadcasts send through the same sender, which can also look a message up.
        assert runtime.senders[Channel.WHATSAPP] is dispatcher.sender.inner
        assert isinstance(runtime.senders[Channel.WHATSAPP], SentLookup)
        broadcast = await create(wa_app, request("Halo {nama}, info SPI resmi.",
                                                 now=clock.now()))
        runtime.outreach.worker.wake()
        await counting_twilio.wait_for(lambda: len(counting_twilio.counts) == 2)
        assert counting_twilio.counts == {f"whatsapp:{siti}": 1, f"whatsapp:{budi}": 1}
        sids = {to: sent[0]["sid"] for to, sent in counting_twilio.sent.items()}
        for status in ("sent", "read", "delivered"):  # "delivered" arrives late
            answer = await post_signed(server, "/twilio/status", status_callback(
                sids[f"whatsapp:{siti}"], status), counting_twilio.auth_token)
            assert answer.status_code == 204
        await post_signed(server, "/twilio/status", status_callback(
            sids[f"whatsapp:{budi}"], "undelivered", error_code="63024"),
            counting_twilio.auth_token)
        # A citizen's question during a broadcast is answered as usual.
        answer = await post_signed(server, "/twilio/whatsapp",
                                   inbound_message(siti, "halo"), counting_twilio.auth_token)
        assert answer.status_code == 200
        await server.settled()
    assert any("Pilih yang Anda perlukan" in m["body"]
               for m in counting_twilio.sent[f"whatsapp:{siti}"][1:])
    async with wa_app.db.reading() as conn:
        _, [run] = await BroadcastService(wa_app.settings).progress(
            conn, broadcast.id or 0, clock.now())
    assert (run.sent, run.delivered, run.read, run.failed) == (1, 1, 1, 1)
    assert run.reasons == {"undelivered": 1}
