"""Pytest fixtures for the loopback fakes (registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from twilio.rest import Client

from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi() as api:
        yield api


@pytest.fixture
async def telegram_bot(telegram_api: FakeTelegramApi) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the fake (getMe already answered)."""
    async with Bot(telegram_api.token, base_url=telegram_api.base_url) as bot:
        yield bot


@pytest.fixture
async def twilio_client(twilio_api: FakeTwilioApi) -> AsyncIterator[Client]:
    """A real Twilio Client whose HTTP requests go to the fake."""
    http = RebasedTwilioHttpClient(twilio_api.base_url, timeout=5)
    try:
        yield Client(twilio_api.account_sid, twilio_api.auth_token, http_client=http)
    finally:
        await http.close()
