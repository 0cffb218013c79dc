"""`spi-bot run`: start the server (webhooks, Telegram polling, health check, web chat)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bot.settings import Settings

logger = logging.getLogger(__name__)


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "run", help="jalankan bot: WhatsApp, Telegram, /healthz dan obrolan web dalam satu proses")
    parser.add_argument("--host", help="alamat yang didengarkan (default SPI_HOST)")
    parser.add_argument("--port", type=int, help="port (default SPI_PORT; 0 = port bebas)")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    # Heavy imports here: `spi-bot faq` and friends must start fast.
    import uvicorn  # noqa: PLC0415

    from bot.app import open_app  # noqa: PLC0415
    from bot.server.runtime import ServerRuntime  # noqa: PLC0415
    from bot.server.web import build_web_app  # noqa: PLC0415

    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    async with open_app(settings) as app:
        runtime = ServerRuntime(app, host=host, port=port)
        config = uvicorn.Config(
            build_web_app(runtime), host=host, port=port, lifespan="on", log_config=None,
            access_log=False, server_header=False, timeout_graceful_shutdown=30,
        )
        server = uvicorn.Server(config)
        # uvicorn handles SIGTERM/SIGINT: stop accepting, finish open requests, then our
        # lifespan shutdown finishes background replies; open_app closes the database.
        await server.serve()
        if not server.started:
            return 1
    return 0
