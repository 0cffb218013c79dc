"""Senders built from Settings, for work outside `spi-bot run` (e.g. a broadcast command)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from core.messages import Channel, Image
from core.sending import Sender
from core.settings import Settings

STATUS_CALLBACK_PATH = "/twilio/status"


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio reports delivery statuses; None without a public URL."""
    return f"{settings.public_url}{STATUS_CALLBACK_PATH}" if settings.public_url else None


@asynccontextmanager
async def open_senders(
    settings: Settings, *, contact_label: str | None = None,
    publish_image: Callable[[Image], str] | None = None,
) -> AsyncIterator[dict[Channel, Sender]]:
    """The configured channels' senders, with their HTTP clients closed on exit."""
    # Imported here: the command line must start fast for commands that never send.
    from telegram import Bot  # noqa: PLC0415
    from twilio.rest import Client  # noqa: PLC0415

    from bot.channels.telegram.sender import TelegramSender  # noqa: PLC0415
    from bot.channels.whatsapp.sender import WhatsAppSender  # noqa: PLC0415
    from bot.channels.whatsapp.twilio_http import RebasedTwilioHttpClient  # noqa: PLC0415

    if contact_label is None:
        from bot.app import build_catalog  # noqa: PLC0415

        contact_label = build_catalog(settings).text(settings.default_language,
                                                     "channels.share_contact")

    senders: dict[Channel, Sender] = {}
    async with AsyncExitStack() as stack:
        if settings.telegram_bot_token is not None:
            bot = Bot(settings.telegram_bot_token.get_secret_value(),
                      base_url=settings.telegram_api_base_url)
            await stack.enter_async_context(bot)
            senders[Channel.TELEGRAM] = TelegramSender(bot, contact_label)
        if (settings.twilio_account_sid and settings.twilio_auth_token
                and settings.twilio_whatsapp_number):
            http = RebasedTwilioHttpClient(settings.twilio_api_base_url)
            stack.push_async_callback(http.close)
            client = Client(settings.twilio_account_sid,
                            settings.twilio_auth_token.get_secret_value(), http_client=http)
            senders[Channel.WHATSAPP] = WhatsAppSender(
                client, settings.twilio_whatsapp_number,
                status_callback_url=status_callback_url(settings), publish_image=publish_image)
        yield senders
