"""The one place that builds each channel's sender from Settings.

`open_senders` serves processes without the server (`spi-bot broadcast worker`); `spi-bot run`
gets its senders from the channels the runtime starts (they also receive, and share their
client with the sender), which call the same builders below. The runtime wraps each one once
through its `_seam` (limiters, test counters).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from core.catalog import Catalog
from core.messages import Channel, Image
from core.sending import Sender
from core.settings import Settings

STATUS_CALLBACK_PATH = "/twilio/status"


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio reports delivery statuses; None without a public URL."""
    return f"{settings.public_url}{STATUS_CALLBACK_PATH}" if settings.public_url else None


def telegram_sender(bot: Any, label: str) -> Sender:
    """The Telegram adapter over an initialised `telegram.Bot`."""
    from bot.channels.telegram.sender import TelegramSender  # noqa: PLC0415

    return TelegramSender(bot, label)


def whatsapp_sender(client: Any, settings: Settings,
                    publish_image: Callable[[Image], Awaitable[str]] | None) -> Sender:
    """The WhatsApp adapter over a Twilio `Client` (sends and SentLookup)."""
    from bot.channels.whatsapp.sender import WhatsAppSender  # noqa: PLC0415

    if settings.twilio_whatsapp_number is None:
        raise ValueError("WhatsApp needs the Twilio number")
    return WhatsAppSender(client, settings.twilio_whatsapp_number,
                          status_callback_url=status_callback_url(settings),
                          publish_image=publish_image)


def contact_label(settings: Settings, catalog: Catalog) -> str:
    """The label of Telegram's share-my-number button."""
    return catalog.text(settings.default_language, "channels.share_contact")


@asynccontextmanager
async def open_senders(
    settings: Settings, catalog: Catalog, *,
    publish_image: Callable[[Image], Awaitable[str]] | None = None,
) -> AsyncIterator[dict[Channel, Sender]]:
    """The configured channels' senders, with their HTTP clients closed on exit. The WhatsApp
    sender can also look a message up at Twilio (SentLookup)."""
    # Each channel's library is imported only when that channel is configured: they are heavy
    # (about 10 MB each) and the command line must start fast for commands that never send.
    senders: dict[Channel, Sender] = {}
    async with AsyncExitStack() as stack:
        if settings.telegram_bot_token is not None:
            from telegram import Bot  # noqa: PLC0415

            bot = Bot(settings.telegram_bot_token.get_secret_value(),
                      base_url=settings.telegram_api_base_url)
            await stack.enter_async_context(bot)
            senders[Channel.TELEGRAM] = telegram_sender(bot, contact_label(settings, catalog))
        if (settings.twilio_account_sid and settings.twilio_auth_token
                and settings.twilio_whatsapp_number):
            from twilio.rest import Client  # noqa: PLC0415

            from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient  # noqa: PLC0415

            http = RebasedTwilioHttpClient(settings.twilio_api_base_url)
            stack.push_async_callback(http.close)
            client = Client(settings.twilio_account_sid,
                            settings.twilio_auth_token.get_secret_value(), http_client=http)
            senders[Channel.WHATSAPP] = whatsapp_sender(client, settings, publish_image)
        yield senders
