"""Telegram and WhatsApp senders against the loopback fakes, through the real client libraries."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Bot
from twilio.rest import Client

from bot.app import build_catalog
from bot.channels.senders import open_senders
from bot.channels.telegram.sender import TelegramSender
from bot.channels.whatsapp.sender import WhatsAppSender, merge_replies
from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient
from core.messages import Channel, Choice, Image, Reply
from core.sending import Outbound, SendError, SendErrorKind, SentLookup
from core.settings import load_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi

CHAT = "777000111"
LABEL = "Bagikan nomor"
PHONE = "+6281234567890"
CHOICES = (Choice("Setuju", "consent:yes"), Choice("Tidak setuju", "consent:no"))


def tg(text: str = "Halo", **fields: object) -> Outbound:
    return Outbound(Channel.TELEGRAM, CHAT, text, **fields)  # type: ignore[arg-type]


def wa(text: str = "Halo", **fields: object) -> Outbound:
    return Outbound(Channel.WHATSAPP, PHONE, text, **fields)  # type: ignore[arg-type]


# --- Telegram --------------------------------------------------------------------------------

async def test_telegram_text_with_choices_becomes_inline_buttons(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    receipt = await TelegramSender(telegram_bot, LABEL).send(tg("Setuju?", choices=CHOICES))
    (call,) = telegram_api.calls("sendMessage")
    assert call.params["chat_id"] == CHAT
    assert call.params["text"] == "Setuju?"
    buttons = [row[0] for row in call.params["reply_markup"]["inline_keyboard"]]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("Setuju", "consent:yes"), ("Tidak setuju", "consent:no")]
    assert receipt.provider_id is not None


async def test_telegram_too_long_callback_value_falls_back_to_its_number(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    choices = (Choice("A", "x" * 80), Choice("B", "b"))
    await TelegramSender(telegram_bot, LABEL).send(tg("Pilih", choices=choices))
    rows = telegram_api.calls("sendMessage")[0].params["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows] == ["1", "b"]


async def test_telegram_long_text_is_split_at_4096_and_buttons_go_on_the_last_part(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    text = ("kata " * 1000).strip() + "\n\n" + ("lagi " * 300).strip()
    await TelegramSender(telegram_bot, LABEL).send(tg(text, choices=CHOICES))
    calls = telegram_api.calls("sendMessage")
    assert len(calls) == 2
    assert all(len(c.params["text"]) <= 4096 for c in calls)
    assert " ".join(c.params["text"] for c in calls).split() == text.split()
    assert "reply_markup" not in calls[0].params
    assert "inline_keyboard" in calls[1].params["reply_markup"]


async def test_telegram_contact_request_shows_share_button_then_removes_it(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    sender = TelegramSender(telegram_bot, LABEL)
    await sender.send(tg("Nomor Anda?", request_contact=True))
    await sender.send(tg("Terima kasih"))
    await sender.send(tg("Lanjut"))
    first, second, third = (c.params for c in telegram_api.calls("sendMessage"))
    button = first["reply_markup"]["keyboard"][0][0]
    assert button == {"text": "Bagikan nomor", "request_contact": True}
    assert second["reply_markup"] == {"remove_keyboard": True}
    assert "reply_markup" not in third


async def test_telegram_share_button_label_defaults_to_the_catalogue(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    await TelegramSender(telegram_bot).send(tg("Nomor Anda?", request_contact=True))
    button = telegram_api.calls("sendMessage")[0].params["reply_markup"]["keyboard"][0][0]
    assert button["text"] == "📱 Bagikan nomor saya"


async def test_telegram_removes_contact_keyboard_even_when_buttons_follow(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    sender = TelegramSender(telegram_bot, LABEL)
    await sender.send(tg("Nomor Anda?", request_contact=True))
    await sender.send(tg("E-mail?", choices=CHOICES))
    second = telegram_api.calls("sendMessage")[1].params
    assert second["reply_markup"] == {"remove_keyboard": True}
    (edit,) = telegram_api.calls("editMessageReplyMarkup")
    assert edit.params["message_id"] == "2"
    assert len(edit.params["reply_markup"]["inline_keyboard"]) == 2


async def test_telegram_image_goes_out_as_a_photo(
    telegram_api: FakeTelegramApi, telegram_bot: Bot
) -> None:
    png = b"\x89PNG\r\n\x1a\nfake"
    await TelegramSender(telegram_bot, LABEL).send(tg("Grafik", image=Image(png, "grafik.png")))
    (photo,) = telegram_api.calls("sendPhoto")
    assert photo.files["photo"] == png
    assert telegram_api.sent_texts() == ["Grafik"]


@pytest.mark.parametrize(("status", "kwargs", "kind"), [
    (429, {"retry_after": 7}, SendErrorKind.RETRY),
    (403, {}, SendErrorKind.UNREACHABLE),
    (403, {"description": "Forbidden: user is deactivated"}, SendErrorKind.UNREACHABLE),
    (400, {}, SendErrorKind.UNREACHABLE),  # chat not found
    (400, {"description": "Bad Request: message text is empty"}, SendErrorKind.FINAL),
    (500, {}, SendErrorKind.RETRY),
    (502, {}, SendErrorKind.RETRY),
    (200, {"disconnect": True}, SendErrorKind.UNKNOWN),
])
async def test_telegram_errors_are_classified(
    telegram_api: FakeTelegramApi, telegram_bot: Bot, status: int, kwargs: dict[str, object],
    kind: SendErrorKind,
) -> None:
    telegram_api.fail("sendMessage", status, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(SendError) as caught:
        await TelegramSender(telegram_bot, LABEL).send(tg())
    assert caught.value.kind == kind
    if status == 429:
        assert caught.value.retry_after == 7


async def test_telegram_unreachable_server_is_a_retry() -> None:
    api = FakeTelegramApi()
    await api.start()
    base_url = api.base_url
    await api.stop()  # nothing listens there now
    bot = Bot(api.token, base_url=base_url)
    with pytest.raises(SendError) as caught:
        await TelegramSender(bot, LABEL).send(tg())
    assert caught.value.kind == SendErrorKind.RETRY
    await bot.shutdown()


# --- WhatsApp --------------------------------------------------------------------------------

def whatsapp(client: Client, **kwargs: object) -> WhatsAppSender:
    return WhatsAppSender(client, "+14155238886",
                          status_callback_url="https://bot.example.go.id/twilio/status",
                          **kwargs)  # type: ignore[arg-type]


async def test_whatsapp_text_with_numbered_choices(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    receipt = await whatsapp(twilio_client).send(wa("Setuju?", choices=CHOICES))
    (message,) = twilio_api.messages
    assert message["To"] == f"whatsapp:{PHONE}"
    assert message["From"] == "whatsapp:+14155238886"
    assert message["Body"] == "Setuju?\n\n1. Setuju\n2. Tidak setuju"
    assert message["StatusCallback"] == "https://bot.example.go.id/twilio/status"
    assert receipt.provider_id is not None
    assert receipt.provider_id.startswith("SM")
    assert receipt.status == "queued"


async def test_whatsapp_long_text_is_split_at_1600(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    text = "\n".join(f"Baris nomor {i} dengan sedikit isi tambahan." for i in range(120))
    await whatsapp(twilio_client).send(wa(text))
    bodies = twilio_api.bodies()
    assert len(bodies) >= 3
    assert all(len(body) <= 1600 for body in bodies)
    assert "\n".join(bodies) == text


async def test_whatsapp_template_sends_content_sid_and_variables_without_body(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    await whatsapp(twilio_client).send(Outbound(
        Channel.WHATSAPP, PHONE, template_sid="HX" + "a" * 32,
        template_variables={"1": "Siti", "2": "30 November"}))
    (message,) = twilio_api.messages
    assert message["ContentSid"] == "HX" + "a" * 32
    assert message["ContentVariables"] == '{"1": "Siti", "2": "30 November"}'
    assert "Body" not in message


async def test_whatsapp_image_goes_by_media_url(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    published: list[bytes] = []

    async def publish(image: Image) -> str:
        published.append(image.png)
        return "https://bot.example.go.id/media/tok.png"

    await whatsapp(twilio_client, publish_image=publish).send(
        wa("Grafik", image=Image(b"png-bytes")))
    (message,) = twilio_api.messages
    assert message["MediaUrl"] == ["https://bot.example.go.id/media/tok.png"]
    assert published == [b"png-bytes"]


@pytest.mark.parametrize(("status", "code", "kind"), [
    (400, 63016, SendErrorKind.OUTSIDE_WINDOW),
    (400, 21610, SendErrorKind.UNREACHABLE),
    (400, 21211, SendErrorKind.FINAL),
    (400, 21614, SendErrorKind.FINAL),
    (400, 21656, SendErrorKind.FINAL),  # template variables
    (429, 63018, SendErrorKind.RETRY),
    (429, 20429, SendErrorKind.RETRY),
    (500, None, SendErrorKind.RETRY),
    (503, None, SendErrorKind.RETRY),
])
async def test_whatsapp_errors_are_classified(
    twilio_api: FakeTwilioApi, twilio_client: Client, status: int, code: int | None,
    kind: SendErrorKind,
) -> None:
    twilio_api.fail(status, code=code)
    with pytest.raises(SendError) as caught:
        await whatsapp(twilio_client).send(wa())
    assert caught.value.kind == kind
    assert caught.value.code == str(code or status)


def test_whatsapp_merges_a_turns_replies_into_as_few_messages_as_fit() -> None:
    replies = [Reply("Halo"), Reply("Setuju?", CHOICES), Reply("Pilih nomor:", CHOICES[:1])]
    (merged,) = merge_replies(replies)
    assert merged.text == "Halo\n\nSetuju?\n\n1. Setuju\n2. Tidak setuju\n\nPilih nomor:"
    assert merged.choices == CHOICES[:1]  # the list the engine remembers stays structured
    long = [Reply("a" * 900), Reply("b" * 900), Reply("c" * 10, image=Image(b"x"))]
    assert [len(r.text) for r in merge_replies(long)] == [900, 900, 10]


async def test_whatsapp_lost_answer_is_unknown(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    twilio_api.fail(201, disconnect=True)
    with pytest.raises(SendError) as caught:
        await whatsapp(twilio_client).send(wa())
    assert caught.value.kind == SendErrorKind.UNKNOWN


async def test_whatsapp_refused_connection_is_a_retry() -> None:
    api = FakeTwilioApi()
    await api.start()
    base = api.base_url
    await api.stop()
    http = RebasedTwilioHttpClient(base, timeout=5)
    try:
        client = Client(api.account_sid, api.auth_token, http_client=http)
        with pytest.raises(SendError) as caught:
            await whatsapp(client).send(wa())
    finally:
        await http.close()
    assert caught.value.kind == SendErrorKind.RETRY


async def test_wrong_twilio_credentials_are_final(twilio_api: FakeTwilioApi) -> None:
    http = RebasedTwilioHttpClient(twilio_api.base_url, timeout=5)
    try:
        client = Client(twilio_api.account_sid, "wrong-token", http_client=http)
        with pytest.raises(SendError) as caught:
            await whatsapp(client).send(wa())
    finally:
        await http.close()
    assert caught.value.kind == SendErrorKind.FINAL


async def test_fakes_can_be_driven_from_another_process(
    telegram_api: FakeTelegramApi, twilio_api: FakeTwilioApi, telegram_bot: Bot,
    twilio_client: Client,
) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        await http.post(f"{telegram_api.root}/_fake/fail",
                        json={"args": ["sendMessage", 429], "retry_after": 2})
        await http.post(f"{twilio_api.root}/_fake/fail", json={"args": [400], "code": 63016})
        with pytest.raises(SendError) as telegram_error:
            await TelegramSender(telegram_bot, LABEL).send(tg())
        with pytest.raises(SendError) as twilio_error:
            await whatsapp(twilio_client).send(wa())
        recorded = (await http.get(f"{telegram_api.root}/_fake/requests",
                                   params={"method": "sendMessage"})).json()
        await http.post(f"{twilio_api.root}/_fake/reset")
    assert telegram_error.value.retry_after == 2
    assert twilio_error.value.kind == SendErrorKind.OUTSIDE_WINDOW
    assert [r["params"]["chat_id"] for r in recorded] == [CHAT]
    assert twilio_api.requests == []


async def test_open_senders_builds_what_settings_configure(
    telegram_api: FakeTelegramApi, twilio_api: FakeTwilioApi, tmp_path: Path
) -> None:
    settings = load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", public_url="https://bot.example.go.id",
        telegram_bot_token=telegram_api.token, telegram_api_base_url=telegram_api.base_url,
        twilio_account_sid=twilio_api.account_sid, twilio_auth_token=twilio_api.auth_token,
        twilio_whatsapp_number="+14155238886", twilio_api_base_url=twilio_api.base_url)
    async with open_senders(settings, build_catalog(settings)) as senders:
        await senders[Channel.TELEGRAM].send(tg())
        await senders[Channel.WHATSAPP].send(wa())
        assert isinstance(senders[Channel.WHATSAPP], SentLookup)  # broadcasts reconcile
    assert telegram_api.sent_texts() == ["Halo"]
    assert twilio_api.messages[0]["StatusCallback"] == "https://bot.example.go.id/twilio/status"
    bare = load_settings(_env_file=None, database_path=tmp_path / "x.db")
    async with open_senders(bare, build_catalog(bare)) as none:
        assert none == {}


def test_channel_senders_are_built_in_one_place() -> None:
    """Issue 10: the server's channels and the CLI worker build senders through
    bot/channels/senders.py, so a constructor argument cannot drift between the two paths."""
    root = Path(__file__).resolve().parents[1]
    builders = {"WhatsAppSender(", "TelegramSender("}
    offenders = []
    product = ("core", "storage", "outreach", "inspectorate", "handlers", "bot")
    for path in (p for package in product for p in (root / package).rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text("utf-8")
        for call in builders:
            for line in text.splitlines():
                if call in line and "class " not in line and rel != "bot/channels/senders.py":
                    offenders.append(f"{rel}: {line.strip()}")
    assert offenders == []
