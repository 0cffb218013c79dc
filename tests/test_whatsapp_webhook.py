"""WhatsApp through the front door: signed Twilio webhooks into `spi-bot run`'s app, replies to
the fake Twilio API, statuses recorded, forgeries refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import App, open_app
from core.messages import Channel, Image
from core.scope import DEFAULT_SCOPE
from core.sending import Outbound, Sender, SendReceipt
from core.settings import Settings, load_settings
from storage.repositories import OutboundMessageRepository
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_webhooks import inbound_message, sign, status_callback
from tests.support.clock import FakeClock
from tests.support.server import PUBLIC_URL, RunningServer, running_server

pytestmark = pytest.mark.both_backends

PHONE = "+6281234567890"
INBOUND = "/twilio/whatsapp"
STATUS = "/twilio/status"


def whatsapp_settings(tmp_path: Path, twilio_api: FakeTwilioApi) -> Settings:
    return load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", public_url=PUBLIC_URL,
        twilio_account_sid=twilio_api.account_sid, twilio_auth_token=twilio_api.auth_token,
        twilio_whatsapp_number="+14155238886", twilio_api_base_url=twilio_api.base_url)


@pytest.fixture
async def wa_app(tmp_path: Path, twilio_api: FakeTwilioApi, clock: FakeClock
                 ) -> AsyncIterator[App]:
    async with open_app(whatsapp_settings(tmp_path, twilio_api), clock) as app:
        yield app


@pytest.fixture
async def server(wa_app: App) -> AsyncIterator[RunningServer]:
    async with running_server(wa_app) as running:
        yield running


async def post_signed(server: RunningServer, path: str, params: dict[str, str], *,
                      token: str, signed_url: str | None = None,
                      signature: str | None = None) -> httpx.Response:
    url = signed_url or f"{PUBLIC_URL}{path}"
    headers = {"X-Twilio-Signature": signature or sign(token, url, params)}
    return await server.http.post(path, data=params, headers=headers)


async def say(server: RunningServer, twilio_api: FakeTwilioApi, text: str,
              phone: str = PHONE) -> list[str]:
    before = len(twilio_api.messages)
    answer = await post_signed(server, INBOUND, inbound_message(phone, text),
                               token=twilio_api.auth_token)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    assert "<Response></Response>" in answer.text
    await server.settled()
    return [str(m.get("Body", "")) for m in twilio_api.messages[before:]]


async def count(app: App, table: str) -> int:
    async with app.db.reading() as conn, conn.execute(f"SELECT COUNT(*) FROM {table}") as cur:  # noqa: S608
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def register_on_whatsapp(server: RunningServer, twilio_api: FakeTwilioApi,
                               phone: str = PHONE) -> list[str]:
    bodies = []
    for text in ("DAFTAR DISDUKCAPIL", "1", "Siti Aminah", "1", "1", "bulan lalu", "1",
                 "siti@contoh.id", "1", "1"):
        bodies += await say(server, twilio_api, text, phone)
    return bodies


async def test_full_registration_over_whatsapp_webhooks(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App
) -> None:
    bodies = await register_on_whatsapp(server, twilio_api)
    assert any(b.endswith("1. Setuju\n2. Tidak setuju\n3. INFO") for b in bodies)  # numbered
    assert any("terdaftar" in b for b in bodies[-2:])
    assert all(m["To"] == f"whatsapp:{PHONE}" for m in twilio_api.messages)
    assert all(m["StatusCallback"] == f"{PUBLIC_URL}{STATUS}" for m in twilio_api.messages)
    async with wa_app.db.reading() as conn:
        respondent = await wa_app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, PHONE)
    assert respondent is not None
    assert respondent.status == "verified"  # the WhatsApp sender number proves the phone
    assert await count(wa_app, "respondents") == 1


async def test_redelivered_message_sid_is_processed_once(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App
) -> None:
    params = inbound_message(PHONE, "halo")
    for _ in range(3):
        answer = await post_signed(server, INBOUND, params, token=twilio_api.auth_token)
        assert answer.status_code == 200
    await server.settled()
    assert await count(wa_app, "processed_inbound") == 1
    assert len({m["Body"] for m in twilio_api.messages}) == len(twilio_api.messages)


async def test_button_payload_is_the_text(
    server: RunningServer, twilio_api: FakeTwilioApi
) -> None:
    await say(server, twilio_api, "DAFTAR DISDUKCAPIL")
    before = len(twilio_api.messages)
    params = inbound_message(PHONE, "Setuju", button_payload="consent:yes")
    await post_signed(server, INBOUND, params, token=twilio_api.auth_token)
    await server.settled()
    assert "nama" in twilio_api.messages[before]["Body"].lower()


@pytest.mark.parametrize("forgery", ["tampered", "missing", "wrong_scheme", "wrong_token",
                                     "wrong_host"])
async def test_forged_webhooks_are_refused_and_change_nothing(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App, forgery: str
) -> None:
    params = inbound_message(PHONE, "halo")
    token = twilio_api.auth_token
    headers: dict[str, str] = {}
    if forgery == "tampered":
        headers["X-Twilio-Signature"] = sign(token, f"{PUBLIC_URL}{INBOUND}", params)
        params = {**params, "Body": "HAPUS DATA"}
    elif forgery == "wrong_scheme":
        url = f"{PUBLIC_URL}{INBOUND}".replace("https://", "http://")
        headers["X-Twilio-Signature"] = sign(token, url, params)
    elif forgery == "wrong_token":
        headers["X-Twilio-Signature"] = sign("not-the-token", f"{PUBLIC_URL}{INBOUND}", params)
    elif forgery == "wrong_host":
        headers["X-Twilio-Signature"] = sign(token, f"{server.url}{INBOUND}", params)
    answer = await server.http.post(INBOUND, data=params, headers=headers)
    assert answer.status_code == 403
    await server.settled()
    assert twilio_api.messages == []
    for table in ("processed_inbound", "sessions", "respondents"):
        assert await count(wa_app, table) == 0


async def test_status_callbacks_never_move_a_message_backwards(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App
) -> None:
    sid = "SM" + "0123456789abcdef" * 2
    for status in ("queued", "sent", "delivered", "sent", "failed"):
        answer = await post_signed(server, STATUS, status_callback(sid, status),
                                   token=twilio_api.auth_token)
        assert answer.status_code == 204
    failed = status_callback("SMother", "undelivered", error_code="63016")
    await post_signed(server, STATUS, failed, token=twilio_api.auth_token)
    repo = OutboundMessageRepository()
    async with wa_app.db.reading() as conn:
        delivered = await repo.get(conn, sid)
        undelivered = await repo.get(conn, "SMother")
    assert delivered is not None
    assert delivered.status == "delivered"
    assert undelivered is not None
    assert (undelivered.status, undelivered.error_code) == ("undelivered", "63016")


async def test_unsigned_status_callback_is_refused(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App
) -> None:
    params = status_callback("SM1", "delivered")
    answer = await server.http.post(STATUS, data=params)
    assert answer.status_code == 403
    assert await count(wa_app, "outbound_messages") == 0


async def test_blocked_number_marks_the_identity_unreachable(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App
) -> None:
    await register_on_whatsapp(server, twilio_api)
    twilio_api.fail(400, code=21610)
    await say(server, twilio_api, "halo")
    async with wa_app.db.reading() as conn:
        identity = await wa_app.deps.identities.get(conn, DEFAULT_SCOPE, "whatsapp", PHONE)
    assert identity is not None
    assert identity.unreachable_at is not None


async def test_twilio_rate_limit_is_retried_until_it_goes_out(
    wa_app: App, twilio_api: FakeTwilioApi
) -> None:
    async with running_server(wa_app) as server:
        assert server.runtime.whatsapp is not None
        dispatcher = server.runtime.whatsapp.dispatcher
        assert dispatcher is not None
        dispatcher._base_delay = 0.0  # no real waiting in tests
        twilio_api.fail(429, code=63018, times=2)
        bodies = await say(server, twilio_api, "halo")
    # The turn's replies go as one message: refused twice (429), then sent.
    assert len(bodies) == 3
    assert bodies[0] == bodies[1] == bodies[2]


async def test_images_are_served_by_short_lived_unguessable_links(
    server: RunningServer, clock: FakeClock
) -> None:
    url = await server.runtime.media.publish(Image(b"\x89PNG-data"))
    assert url.startswith(f"{PUBLIC_URL}/media/")
    path = url.removeprefix(PUBLIC_URL)
    answer = await server.http.get(path)
    assert (answer.status_code, answer.content) == (200, b"\x89PNG-data")
    assert (await server.http.get("/media/guessed.png")).status_code == 404
    clock.advance(minutes=16)
    assert (await server.http.get(path)).status_code == 404


async def test_health_reports_database_and_channels(server: RunningServer) -> None:
    answer = await server.http.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["database"] == "ok"
    assert body["channels"]["whatsapp"] == "webhook"
    assert body["channels"]["telegram"] == "off"


async def test_reply_in_flight_is_finished_on_shutdown(
    wa_app: App, twilio_api: FakeTwilioApi
) -> None:
    async with running_server(wa_app) as server:
        answer = await post_signed(server, INBOUND, inbound_message(PHONE, "halo"),
                                   token=twilio_api.auth_token)
        assert answer.status_code == 200
        # Leave at once: the reply has not gone out yet.
    assert twilio_api.messages, "the reply was sent before the server stopped"
    assert twilio_api.messages[0]["To"] == f"whatsapp:{PHONE}"


async def test_replies_and_outreach_share_a_wrapped_sender(
    wa_app: App, twilio_api: FakeTwilioApi
) -> None:
    seen: list[str] = []

    class Counting:
        def __init__(self, inner: Sender) -> None:
            self.inner = inner
            self.channel = inner.channel

        async def send(self, message: Outbound) -> SendReceipt:
            seen.append(message.address)
            return await self.inner.send(message)

    async with running_server(wa_app, wrap_sender=Counting) as server:
        await say(server, twilio_api, "halo")
        assert isinstance(server.runtime.senders[Channel.WHATSAPP], Counting)
    assert seen == [PHONE]


async def test_a_message_is_stored_before_twilio_gets_its_answer(
    server: RunningServer, twilio_api: FakeTwilioApi, wa_app: App
) -> None:
    """A crash right after the 200 must not lose the message: it is committed by then."""
    twilio_api.fail(503, times=3)  # replies are slow to go out; storing must not wait for them
    answer = await post_signed(server, INBOUND, inbound_message(PHONE, "DAFTAR RSUD"),
                               token=twilio_api.auth_token)
    assert answer.status_code == 200
    async with wa_app.db.reading() as conn:
        rows = list(await conn.execute_fetchall(
            "SELECT state FROM sessions WHERE address = ?", (PHONE,)))
    assert [r[0] for r in rows] == ["reg:consent"]
    assert await count(wa_app, "processed_inbound") == 1
    await server.settled()
