"""The reply outbox: replies stored with their turn, sent once, looked up when in doubt,
reported (never doubled) where the provider cannot be asked, cleared by erasure, and sent
after a restart that cut a paced backlog short."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from twilio.rest import Client

from bot.app import App, open_app
from bot.channels.dispatch import ReplyDispatcher
from bot.channels.whatsapp.sender import WhatsAppSender
from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient
from bot.channels.whatsapp.webhook import TwilioReplyLookup
from core.clock import SystemClock
from core.messages import Channel, Reply
from core.scope import DEFAULT_SCOPE
from core.sending import Outbound, SendError, SendErrorKind, SendReceipt
from core.settings import Settings, load_settings
from storage.personal_data import erase_respondent
from storage.repositories.reply_outbox import QueuedReply, ReplyOutboxRepository
from tests.fakes.broadcast_provider import CountingTwilioApi
from tests.fakes.twilio_webhooks import inbound_message, sign
from tests.support.dialog import User, register
from tests.support.server import PUBLIC_URL, running_server

pytestmark = pytest.mark.both_backends

PHONE = "+6281234567890"
OUR_NUMBER = "+14155238886"


@pytest.fixture
async def counting_twilio() -> AsyncIterator[CountingTwilioApi]:
    api = CountingTwilioApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


def wa_settings(tmp_path: Path, api: CountingTwilioApi, **extra: object) -> Settings:
    return load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", public_url=PUBLIC_URL,
        twilio_account_sid=api.account_sid, twilio_auth_token=api.auth_token,
        twilio_whatsapp_number=OUR_NUMBER, twilio_api_base_url=api.base_url, **extra)


@pytest.fixture
async def wa_app(tmp_path: Path, counting_twilio: CountingTwilioApi) -> AsyncIterator[App]:
    # The real clock: the fake Twilio dates its messages with it, and lookups compare them.
    async with open_app(wa_settings(tmp_path, counting_twilio), SystemClock()) as app:
        yield app


@pytest.fixture
async def twilio(counting_twilio: CountingTwilioApi) -> AsyncIterator[Client]:
    http = RebasedTwilioHttpClient(counting_twilio.base_url, timeout=5)
    try:
        yield Client(counting_twilio.account_sid, counting_twilio.auth_token, http_client=http)
    finally:
        await http.close()


async def stored(app: App, channel: Channel, address: str, *texts: str) -> list[QueuedReply]:
    queued, writes = ReplyOutboxRepository().stage(
        channel, address, f"turn-{texts}", [Reply(t) for t in texts], app.deps.clock.now())
    async with app.db.transaction():
        for write in writes:
            app.db.later(write)
    return queued


async def crash_while_sending(app: App, reply: QueuedReply, after_sid: str | None) -> None:
    """What a process killed during the provider call leaves: the row marked, not removed."""
    async with app.db.transaction() as conn:
        assert await ReplyOutboxRepository().mark_sending(conn, reply, app.deps.clock.now(),
                                                          after_sid)


async def left_over(app: App, channel: Channel) -> list[list[QueuedReply]]:
    return await ReplyDispatcher(_Refusing(channel), app.db, app.deps.clock).unsent()


class _Refusing:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    async def send(self, message: Outbound) -> SendReceipt:
        raise AssertionError("nothing may be sent here")


def whatsapp_dispatcher(app: App, twilio: Client) -> ReplyDispatcher:
    return ReplyDispatcher(WhatsAppSender(twilio, OUR_NUMBER), app.db, app.deps.clock,
                           lookup=TwilioReplyLookup(twilio, OUR_NUMBER))


async def test_a_reply_that_reached_twilio_before_the_crash_is_not_sent_again(
    wa_app: App, twilio: Client, counting_twilio: CountingTwilioApi
) -> None:
    menu, _, _ = await stored(wa_app, Channel.WHATSAPP, PHONE, "menu", "menu", "akhir")
    await crash_while_sending(wa_app, menu, None)
    await WhatsAppSender(twilio, OUR_NUMBER).send(Outbound(Channel.WHATSAPP, PHONE, "menu"))
    [chat] = await left_over(wa_app, Channel.WHATSAPP)
    assert await whatsapp_dispatcher(wa_app, twilio).resume(chat)
    sent = [m["body"] for m in counting_twilio.sent[f"whatsapp:{PHONE}"]]
    assert sent == ["menu", "menu", "akhir"]  # the identical second reply still went out
    assert await left_over(wa_app, Channel.WHATSAPP) == []


async def test_a_reply_in_doubt_that_never_arrived_is_sent_even_after_an_identical_one(
    wa_app: App, twilio: Client, counting_twilio: CountingTwilioApi
) -> None:
    previous = await WhatsAppSender(twilio, OUR_NUMBER).send(
        Outbound(Channel.WHATSAPP, PHONE, "menu"))
    [menu] = await stored(wa_app, Channel.WHATSAPP, PHONE, "menu")
    await crash_while_sending(wa_app, menu, previous.provider_id)  # died before the call
    [chat] = await left_over(wa_app, Channel.WHATSAPP)
    assert chat[0].after_sid == previous.provider_id
    assert await whatsapp_dispatcher(wa_app, twilio).resume(chat)
    assert counting_twilio.counts[f"whatsapp:{PHONE}"] == 2


async def test_a_lost_answer_is_looked_up_instead_of_sending_twice(
    wa_app: App, twilio: Client, counting_twilio: CountingTwilioApi
) -> None:
    class AnswerLost:
        channel = Channel.WHATSAPP

        def __init__(self) -> None:
            self.inner = WhatsAppSender(twilio, OUR_NUMBER)

        async def send(self, message: Outbound) -> SendReceipt:
            await self.inner.send(message)  # Twilio has it, but the answer never came
            raise SendError(SendErrorKind.UNKNOWN, "no answer from Twilio")

    dispatcher = ReplyDispatcher(AnswerLost(), wa_app.db, wa_app.deps.clock,
                                 lookup=TwilioReplyLookup(twilio, OUR_NUMBER))
    assert not await dispatcher.send_queued(await stored(wa_app, Channel.WHATSAPP, PHONE, "x"))
    assert counting_twilio.counts[f"whatsapp:{PHONE}"] == 1
    assert await left_over(wa_app, Channel.WHATSAPP) == []


async def test_telegram_replies_in_doubt_are_reported_never_doubled(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[str] = []

    class Telegram:
        channel = Channel.TELEGRAM

        async def send(self, message: Outbound) -> SendReceipt:
            sent.append(message.text)
            return SendReceipt("1")

    first, _ = await stored(app, Channel.TELEGRAM, "42", "a", "b")
    await crash_while_sending(app, first, None)
    [chat] = await left_over(app, Channel.TELEGRAM)
    assert await ReplyDispatcher(Telegram(), app.db, app.deps.clock).resume(chat)
    assert sent == ["b"]
    assert "mungkin sudah terkirim" in caplog.text
    assert await left_over(app, Channel.TELEGRAM) == []


async def test_erasure_clears_the_persons_unsent_replies(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, PHONE, PHONE)
    await register(user)
    queued = await stored(app, Channel.WHATSAPP, PHONE, "Terima kasih, Siti Aminah")
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, PHONE)
    assert respondent is not None and respondent.id is not None
    async with app.db.transaction() as conn:
        await erase_respondent(conn, respondent.id, app.deps.clock.now(), actor="test",
                               via="test")
    assert await left_over(app, Channel.WHATSAPP) == []
    dispatcher = ReplyDispatcher(_Refusing(Channel.WHATSAPP), app.db, app.deps.clock)
    assert not await dispatcher.send_queued(queued)  # erased: nothing goes out


async def test_replies_cut_short_by_a_shutdown_go_out_once_after_the_restart(
    tmp_path: Path, counting_twilio: CountingTwilioApi
) -> None:
    """SIGTERM with a paced backlog: the drain ends before the pacing lets every reply out;
    the rest wait in the outbox and go out, once each, after the restart."""
    settings = wa_settings(tmp_path, counting_twilio, broadcast_whatsapp_rate=20.0)
    people = [f"+62812{i:08d}" for i in range(40)]
    async with open_app(settings, SystemClock()) as app, \
            running_server(app, drain_seconds=0.05) as server:
        for phone in people:
            params = inbound_message(phone, "halo")
            answer = await server.http.post(
                "/twilio/whatsapp", data=params,
                headers={"X-Twilio-Signature": sign(counting_twilio.auth_token,
                                                    f"{PUBLIC_URL}/twilio/whatsapp", params)})
            assert answer.status_code == 200
    before = sum(counting_twilio.counts.values())
    assert before < len(people)
    async with open_app(settings, SystemClock()) as app, running_server(app) as server:
        await server.settled()  # the left-over replies were queued at start-up
        assert await left_over(app, Channel.WHATSAPP) == []
    assert counting_twilio.counts == {f"whatsapp:{phone}": 1 for phone in people}
