"""Senders built from Settings for processes without the server (`spi-bot broadcast worker`).

`spi-bot run` gets its senders from the channels the runtime starts (they also receive);
both build the same adapters from the same settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from core.catalog import Catalog
from core.messages import Channel, Image
from core.sending import Sender
from core.settings import Settings

STATUS_CALLBACK_PATH = "/twilio/status"


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio reports delivery statuses; None without a public URL."""
    return f"{settings.public_url}{STATUS_CALLBACK_PATH}" if settings.public_url else None


def contact_label(settings: Settings, catalog: Catalog) -> str:
    """The label of Telegram's share-my-number button."""
    return catalog.text(settings.default_language, "channels.share_contact")


@asynccontextmanager
async def open_senders(
    settings: Settings, catalog: Catalog, *,
    publish_image: Callable[[Image], str] | None = None,
) -> AsyncIterator[dict[Channel, Sender]]:
    """The configured channels' senders, with their HTTP clients closed on exit. The WhatsApp
    sender can also look a message up at Twilio (SentLookup)."""
    # Each channel's library is imported only when that channel is configured: they are heavy
    # (about 10 MB each) and the command line must start fast for commands that never send.
    senders: dict[Channel, Sender] = {}
    async with AsyncExitStack() as stack:
        if settings.telegram_bot_token is not None:
            from telegram import Bot  # noqa: PLC0415

            from bot.channels.telegram.sender import TelegramSender  # noqa: PLC0415

            bot = Bot(settings.telegram_bot_token.get_secret_value(),
                      base_url=settings.telegram_api_base_url)
            await stack.enter_async_context(bot)
            senders[Channel.TELEGRAM] = TelegramSender(bot, contact_label(settings, catalog))
        if (settings.twilio_account_sid and settings.twilio_auth_token
                and settings.twilio_whatsapp_number):
            from twilio.rest import Client  # noqa: PLC0415

            from bot.channels.whatsapp.sender import WhatsAppSender  # noqa: PLC0415
            from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient  # noqa: PLC0415

            http = RebasedTwilioHttpClient(settings.twilio_api_base_url)
            stack.push_async_callback(http.close)
            client = Client(settings.twilio_account_sid,
                            settings.twilio_auth_token.get_secret_value(), http_client=http)
            senders[Channel.WHATSAPP] = WhatsAppSender(
                client, settings.twilio_whatsapp_number,
                status_callback_url=status_callback_url(settings), publish_image=publish_image)
        yield senders
