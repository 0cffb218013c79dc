"""Telegram through the front door: updates by polling (fake getUpdates) and by webhook, replies
to the fake Bot API, one respondent per person across channels."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_app
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.settings import load_settings
from outreach.limiter import LimitedSender
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support.clock import FakeClock
from tests.support.server import PUBLIC_URL, RunningServer, running_server
from tests.support.telegram_updates import callback_update, contact_update, text_update
from tests.test_whatsapp_webhook import register_on_whatsapp

USER = 700100200
PHONE = "+6281234567890"
SECRET = "s3cret-token-for-the-webhook_123"
_update_ids = itertools.count(1)


def telegram_settings(tmp_path: Path, api: FakeTelegramApi, **extra: Any) -> Any:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         telegram_bot_token=api.token, telegram_api_base_url=api.base_url,
                         **extra)


@pytest.fixture
async def polling(tmp_path: Path, telegram_api: FakeTelegramApi, clock: FakeClock
                  ) -> AsyncIterator[RunningServer]:
    async with (open_app(telegram_settings(tmp_path, telegram_api), clock) as app,
                running_server(app) as server):
        yield server


async def deliver(server: RunningServer, api: FakeTelegramApi, update: dict[str, Any]
                  ) -> list[dict[str, Any]]:
    """Hand an update to getUpdates and wait for every reply it causes."""
    before = len(api.calls("sendMessage"))
    api.push_update(update)
    await api.wait_for(lambda: len(api.calls("sendMessage")) > before)
    await server.settled()
    return [c.params for c in api.calls("sendMessage")[before:]]


def buttons(params: dict[str, Any]) -> list[str]:
    markup = params.get("reply_markup") or {}
    return [row[0]["callback_data"] for row in markup.get("inline_keyboard", [])]


async def register_on_telegram(server: RunningServer, api: FakeTelegramApi,
                               user: int = USER, phone: str = PHONE) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def step(update: dict[str, Any]) -> list[dict[str, Any]]:
        replies = await deliver(server, api, update)
        sent.extend(replies)
        return replies

    replies = await step(text_update(next(_update_ids), user, "/start DISDUKCAPIL"))
    assert "consent:yes" in buttons(replies[-1])
    await step(callback_update(next(_update_ids), user, "consent:yes"))
    await step(text_update(next(_update_ids), user, "Siti Aminah"))
    replies = await step(text_update(next(_update_ids), user, "1"))
    await step(callback_update(next(_update_ids), user, buttons(replies[-1])[0]))
    replies = await step(text_update(next(_update_ids), user, "bulan lalu"))
    assert replies[-1]["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    replies = await step(contact_update(next(_update_ids), user, phone.lstrip("+"),
                                        contact_user_id=user))
    # The share-contact keyboard goes away; the next question keeps its inline button.
    assert replies[0]["reply_markup"] == {"remove_keyboard": True}
    edit = api.calls("editMessageReplyMarkup")[-1].params
    assert edit["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "email:skip"
    await step(text_update(next(_update_ids), user, "LEWATI"))
    await step(text_update(next(_update_ids), user, "1"))  # reminders: yes
    await step(text_update(next(_update_ids), user, "1"))
    return sent


async def respondents(server: RunningServer) -> list[tuple[int, str, str]]:
    app = server.runtime.app
    async with app.db.reading() as conn, conn.execute(
            "SELECT id, phone, status FROM respondents") as cur:
        return [(row[0], row[1], row[2]) for row in await cur.fetchall()]


async def test_full_registration_over_polling(
    polling: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    sent = await register_on_telegram(polling, telegram_api)
    assert "terdaftar" in sent[-1]["text"] or any("terdaftar" in s["text"] for s in sent[-2:])
    assert all(s["chat_id"] == str(USER) for s in sent)
    ((_, phone, status),) = await respondents(polling)
    assert (phone, status) == (PHONE, "verified")
    # Button presses were acknowledged so the client stops its spinner.
    assert len(telegram_api.calls("answerCallbackQuery")) == 2


async def test_someone_elses_contact_is_not_accepted(
    polling: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    for text in ("/start DISDUKCAPIL", "1", "Siti Aminah", "1", "1", "bulan lalu"):
        await deliver(polling, telegram_api, text_update(next(_update_ids), USER, text))
    replies = await deliver(polling, telegram_api, contact_update(
        next(_update_ids), USER, "6281299998888", contact_user_id=USER + 1))
    assert replies[-1]["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    replies = await deliver(polling, telegram_api, contact_update(
        next(_update_ids), USER, "6281299998888", contact_user_id=None))
    assert replies[-1]["reply_markup"]["keyboard"][0][0]["request_contact"] is True


async def test_bare_start_and_typed_unit_code_still_register(
    polling: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    replies = await deliver(polling, telegram_api, text_update(next(_update_ids), USER, "/start"))
    assert replies
    replies = await deliver(polling, telegram_api,
                            text_update(next(_update_ids), USER, "DISDUKCAPIL"))
    assert "consent:yes" in buttons(replies[-1])


async def test_blocked_bot_marks_the_identity_unreachable(
    polling: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    await register_on_telegram(polling, telegram_api)
    telegram_api.fail("sendMessage", 403)
    await deliver(polling, telegram_api, text_update(next(_update_ids), USER, "halo"))
    app = polling.runtime.app
    async with app.db.reading() as conn:
        identity = await app.deps.identities.get(conn, DEFAULT_SCOPE, "telegram", str(USER))
    assert identity is not None
    assert identity.unreachable_reason is not None
    assert "blocked" in identity.unreachable_reason


async def test_flood_control_waits_and_retries(
    polling: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.fail("sendMessage", 429, retry_after=0)
    replies = await deliver(polling, telegram_api, text_update(next(_update_ids), USER, "halo"))
    assert replies[0]["text"] == replies[1]["text"]  # refused once, then sent
    assert len(replies) >= 3


async def test_same_person_on_both_channels_is_one_respondent(
    tmp_path: Path, telegram_api: FakeTelegramApi, twilio_api: FakeTwilioApi, clock: FakeClock
) -> None:
    settings = telegram_settings(
        tmp_path, telegram_api, twilio_account_sid=twilio_api.account_sid,
        twilio_auth_token=twilio_api.auth_token, twilio_whatsapp_number="+14155238886",
        twilio_api_base_url=twilio_api.base_url, telegram_webhook_secret=SECRET,
        public_url=PUBLIC_URL)
    async with open_app(settings, clock) as app, running_server(app) as server:
        assert set(server.runtime.senders) == {Channel.TELEGRAM, Channel.WHATSAPP}
        await register_on_whatsapp(server, twilio_api, PHONE)
        for index, update in enumerate((
            text_update(next(_update_ids), USER, "/start DISDUKCAPIL"),
            callback_update(next(_update_ids), USER, "consent:yes"),
            text_update(next(_update_ids), USER, "Siti Aminah"),
            text_update(next(_update_ids), USER, "1"),
            text_update(next(_update_ids), USER, "1"),
            text_update(next(_update_ids), USER, "bulan lalu"),
            contact_update(next(_update_ids), USER, PHONE.lstrip("+"), contact_user_id=USER),
            text_update(next(_update_ids), USER, "LEWATI"),
            text_update(next(_update_ids), USER, "1"),  # reminders: yes
            text_update(next(_update_ids), USER, "1"),
        )):
            answer = await server.http.post(
                "/telegram/webhook", json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert answer.status_code == 200, index
            await telegram_api.wait_for(
                lambda: len(telegram_api.calls("sendMessage")) > index)  # noqa: B023
            await server.settled()
        people = await respondents(server)
        async with app.db.reading() as conn:
            identities = await app.deps.identities.list_for_respondent(conn, people[0][0])
    assert len(people) == 1
    assert {(i.channel, i.address) for i in identities} == {
        ("whatsapp", PHONE), ("telegram", str(USER))}


@pytest.fixture
async def webhook(tmp_path: Path, telegram_api: FakeTelegramApi, clock: FakeClock
                  ) -> AsyncIterator[RunningServer]:
    settings = telegram_settings(tmp_path, telegram_api, public_url=PUBLIC_URL,
                                 telegram_webhook_secret=SECRET)
    async with open_app(settings, clock) as app, running_server(app) as server:
        yield server


async def test_webhook_mode_registers_its_url_and_secret(
    webhook: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    (call,) = telegram_api.calls("setWebhook")
    assert call.params["url"] == f"{PUBLIC_URL}/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert telegram_api.calls("getUpdates") == []
    health = (await webhook.http.get("/healthz")).json()
    assert health["channels"]["telegram"] == "webhook"


async def test_webhook_update_with_the_secret_is_processed(
    webhook: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    answer = await webhook.http.post(
        "/telegram/webhook", json=text_update(91, USER, "/start DISDUKCAPIL"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert answer.status_code == 200
    await telegram_api.wait_for(lambda: len(telegram_api.calls("sendMessage")) > 0)
    await webhook.settled()
    assert "consent:yes" in buttons(telegram_api.calls("sendMessage")[-1].params)


@pytest.mark.parametrize("header", [None, "", "wrong-secret-value-0000000000", SECRET + "x"])
async def test_webhook_without_the_secret_is_refused_before_parsing(
    webhook: RunningServer, telegram_api: FakeTelegramApi, header: str | None
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header is not None else {}
    answer = await webhook.http.post("/telegram/webhook", content=b"{not json at all",
                                     headers=headers)
    assert answer.status_code == 403
    answer = await webhook.http.post("/telegram/webhook", json=text_update(92, USER, "halo"),
                                     headers=headers)
    assert answer.status_code == 403
    await webhook.settled()
    assert telegram_api.calls("sendMessage") == []
    app = webhook.runtime.app
    async with app.db.reading() as conn, conn.execute(
            "SELECT COUNT(*) FROM processed_inbound") as cur:
        row = await cur.fetchone()
    assert row is not None
    assert row[0] == 0


async def test_unreachable_telegram_does_not_stop_the_server_and_is_retried(
    tmp_path: Path, clock: FakeClock
) -> None:
    api = FakeTelegramApi()
    await api.start()
    port = api.port
    await api.stop()  # nothing listens at its address now
    async with (open_app(telegram_settings(tmp_path, api), clock) as app,
                running_server(app, telegram_retry_seconds=0.05) as server):
        health = (await server.http.get("/healthz")).json()
        assert health["channels"]["telegram"] == "error"
        assert health["database"] == "ok"
        await api.start(port=port)  # Telegram is back
        await api.wait_for(lambda: bool(api.calls("getUpdates")))
        health = (await server.http.get("/healthz")).json()
        runtime = server.runtime
        assert runtime.telegram is not None
        # The late channel went through the same seam: replies wait in the shared limiter,
        # broadcasts get the sender behind it.
        replies = runtime.telegram.dispatcher.sender
        assert isinstance(replies, LimitedSender)
        assert replies.limiter is runtime.limiters["telegram"]
        assert runtime.senders[Channel.TELEGRAM] is replies.inner
    await api.stop()
    assert health["channels"]["telegram"] == "polling"


async def test_rejected_token_is_reported_without_the_token(
    tmp_path: Path, telegram_api: FakeTelegramApi, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             telegram_bot_token="999:WRONG-token-value",
                             telegram_api_base_url=telegram_api.base_url)
    caplog.set_level("INFO")
    async with open_app(settings, clock) as app, running_server(app) as server:
        health = (await server.http.get("/healthz")).json()
    assert health["channels"]["telegram"] == "error"
    (line,) = [r.getMessage() for r in caplog.records if "Kanal aktif" in r.getMessage()]
    assert "telegram: error" in line
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("bot.")]
    assert not [m for m in ours if "WRONG-token-value" in m]


async def test_webhook_update_is_stored_before_telegram_gets_its_answer(
    webhook: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.fail("sendMessage", 502, times=2)  # slow replies must not delay storing
    answer = await webhook.http.post(
        "/telegram/webhook", json=text_update(93, USER, "/start DISDUKCAPIL"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert answer.status_code == 200
    async with webhook.runtime.app.db.reading() as conn:
        rows = list(await conn.execute_fetchall("SELECT state FROM sessions"))
    assert [r[0] for r in rows] == ["reg:consent"]
    await webhook.settled()
