"""How Telegram updates and Twilio forms become the engine's Inbound (and what is ignored)."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Bot, Update

from bot.channels.telegram.webhook import inbound_from_update
from bot.channels.whatsapp.webhook import inbound_from_form
from core.messages import Channel
from tests.fakes.twilio_webhooks import inbound_message
from tests.support.telegram_updates import callback_update, contact_update, text_update

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
BOT = Bot("123456:TEST-token")


def parse(update: dict[str, object]) -> object:
    parsed = inbound_from_update(Update.de_json(update, BOT))
    return parsed[0] if parsed else None


def test_start_with_payload_and_with_the_bot_name() -> None:
    first = inbound_from_update(Update.de_json(text_update(1, 42, "/start DISDUKCAPIL"), BOT))
    assert first is not None
    inbound, chat_id = first
    assert (inbound.channel, inbound.sender, inbound.start_payload, inbound.provider_id,
            chat_id) == (Channel.TELEGRAM, "42", "DISDUKCAPIL", "1", 42)
    named = parse(text_update(2, 42, "/start@SpiSukamajuBot RSUD"))
    assert getattr(named, "start_payload", None) == "RSUD"
    bare = parse(text_update(3, 42, "/start"))
    assert getattr(bare, "start_payload", "x") is None
    plain = parse(text_update(4, 42, "start DISDUKCAPIL"))
    assert getattr(plain, "start_payload", "x") is None


def test_contact_is_own_only_when_telegram_says_it_is_the_senders() -> None:
    own = parse(contact_update(5, 42, "6281234567890", contact_user_id=42))
    other = parse(contact_update(6, 42, "6281234567890", contact_user_id=43))
    unknown = parse(contact_update(7, 42, "+6281234567890", contact_user_id=None))
    assert getattr(own, "contact", None) is not None
    assert own.contact.phone == "+6281234567890"  # type: ignore[attr-defined]
    assert own.contact.is_own  # type: ignore[attr-defined]
    assert not other.contact.is_own  # type: ignore[attr-defined]
    assert not unknown.contact.is_own  # type: ignore[attr-defined]


def test_button_press_is_its_value_and_groups_are_ignored() -> None:
    pressed = parse(callback_update(8, 42, "consent:yes"))
    assert getattr(pressed, "text", None) == "consent:yes"
    group = text_update(9, 42, "halo")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Warga"}
    assert parse(group) is None
    assert parse({"update_id": 10, "edited_message": text_update(10, 42, "x")["message"]}) is None


def test_twilio_form_fields() -> None:
    form = inbound_message("+6281234567890", "Halo", profile_name="Siti", sid="SMabc")
    inbound = inbound_from_form(form, NOW)
    assert inbound is not None
    assert (inbound.sender, inbound.sender_phone, inbound.text, inbound.display_name,
            inbound.provider_id, inbound.received_at) == (
        "+6281234567890", "+6281234567890", "Halo", "Siti", "SMabc", NOW)
    button = inbound_from_form(
        inbound_message("+6281234567890", "Setuju", button_payload="consent:yes"), NOW)
    assert button is not None
    assert button.text == "consent:yes"


def test_twilio_forms_that_are_not_whatsapp_messages_are_ignored() -> None:
    sms = {**inbound_message("+6281234567890", "x"), "From": "+6281234567890"}
    no_sid = {**inbound_message("+6281234567890", "x"), "MessageSid": "", "SmsMessageSid": ""}
    bad = {**inbound_message("+6281234567890", "x"), "From": "whatsapp:not-a-number"}
    assert inbound_from_form(sms, NOW) is None
    assert inbound_from_form(no_sid, NOW) is None
    assert inbound_from_form(bad, NOW) is None
    by_wa_id = {**inbound_message("+6281234567890", "x"), "From": "whatsapp:"}
    parsed = inbound_from_form(by_wa_id, NOW)
    assert parsed is not None
    assert parsed.sender == "+6281234567890"
