"""Looking a WhatsApp message up at Twilio (the SDK's messages.list) after a lost answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from twilio.rest import Client

from bot.channels.whatsapp.sender import WhatsAppSender
from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient
from core.messages import Channel
from core.sending import LookupUnavailable, Outbound
from tests.fakes.broadcast_provider import CountingTwilioApi

pytestmark = pytest.mark.both_backends

OUR_NUMBER = "+14155238886"
TEMPLATE = "HX" + "0123456789abcdef" * 2


@pytest.fixture
async def sender() -> AsyncIterator[tuple[WhatsAppSender, CountingTwilioApi]]:
    async with CountingTwilioApi() as api:
        http = RebasedTwilioHttpClient(api.base_url, timeout=5)
        client = Client(api.account_sid, api.auth_token, http_client=http)
        try:
            yield WhatsAppSender(client, OUR_NUMBER), api
        finally:
            await http.close()


async def test_a_sent_message_is_found_and_others_are_not(
    sender: tuple[WhatsAppSender, CountingTwilioApi]
) -> None:
    whatsapp, api = sender
    before = datetime.now(UTC) - timedelta(seconds=2)
    message = Outbound(Channel.WHATSAPP, "+6281234567890", "Halo Siti, info SPI.")
    receipt = await whatsapp.send(message)
    found = await whatsapp.find_sent(message, before)
    assert found is not None and found.provider_id == receipt.provider_id
    other_text = Outbound(Channel.WHATSAPP, "+6281234567890", "Pesan lain")
    assert await whatsapp.find_sent(other_text, before) is None
    other_person = Outbound(Channel.WHATSAPP, "+6281299999999", "Halo Siti, info SPI.")
    assert await whatsapp.find_sent(other_person, before) is None
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert await whatsapp.find_sent(message, later) is None  # older than the claim
    template = Outbound(Channel.WHATSAPP, "+6281200000001", template_sid=TEMPLATE,
                        template_variables={"1": "Siti"})
    await whatsapp.send(template)
    assert await whatsapp.find_sent(template, before) is not None
    assert api.counts["whatsapp:+6281234567890"] == 1


async def test_lookup_failure_is_reported_not_guessed(
    sender: tuple[WhatsAppSender, CountingTwilioApi]
) -> None:
    whatsapp, api = sender
    await api.stop()
    with pytest.raises(LookupUnavailable):
        await whatsapp.find_sent(Outbound(Channel.WHATSAPP, "+6281234567890", "x"),
                                 datetime.now(UTC))
