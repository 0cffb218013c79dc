"""`spi-bot chat`: talk to the bot in a terminal as one user."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.messages import Channel
from core.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "chat", help="mengobrol dengan bot di terminal (satu pesan per baris bila dipipakan)")
    parser.add_argument("--channel", choices=[c.value for c in Channel], default="console",
                        help="kanal yang disimulasikan (default: console)")
    parser.add_argument("--sender", default="console-1", help="id pengirim")
    parser.add_argument("--phone", help="nomor pengguna; untuk whatsapp ini nomor pengirim, "
                                        "untuk lainnya nomor yang dibagikan dengan /kontak")
    parser.add_argument("--start", dest="start_payload", help="payload awal, mis. kode unit QR")
    parser.add_argument("--name", help="nama tampilan pengirim")
    parser.set_defaults(handler=chat, default_log_level="WARNING")


async def chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - the app only when this command runs
    from bot.channels.console import ConsoleChannel, ConsoleUser  # noqa: PLC0415

    user = ConsoleUser(Channel(args.channel), args.sender, args.phone, args.name)
    async with open_app(settings) as app:
        await ConsoleChannel(app.engine, user).run(sys.stdin, args.start_payload)
    return 0
