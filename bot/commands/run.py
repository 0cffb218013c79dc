"""`spi-bot run`: start the server (webhooks, Telegram polling, health check, web chat) with
the broadcast worker; `spi-bot web`: the same server without the broadcast worker, the role to
run as several processes against one PostgreSQL database (README, "PostgreSQL")."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "run", help="jalankan bot: WhatsApp, Telegram, /healthz dan obrolan web dalam satu proses")
    parser.add_argument("--host", help="alamat yang didengarkan (default SPI_HOST)")
    parser.add_argument("--port", type=int, help="port (default SPI_PORT; 0 = port bebas)")
    parser.set_defaults(handler=run)
    web = sub.add_parser(
        "web", help="jalankan server webhook tanpa pekerja siaran (boleh beberapa proses "
                    "pada satu database PostgreSQL)")
    web.add_argument("--host", help="alamat yang didengarkan (default SPI_HOST)")
    web.add_argument("--port", type=int, help="port (default SPI_PORT; 0 = port bebas)")
    web.set_defaults(handler=run, broadcasts=False)


@contextmanager
def _stop_on_signals(server: Any) -> Iterator[None]:
    """SIGTERM/SIGINT ask uvicorn to shut down gracefully (a second SIGINT forces it).

    uvicorn's own handler re-raises the signal after shutting down, which would kill the
    process before the database is closed; here the process exits normally instead.
    """
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    try:
        for sig in signals:
            loop.add_signal_handler(sig, server.handle_exit, sig, None)
    except NotImplementedError:  # Windows: keep uvicorn's default behaviour
        with server.default_capture_signals():
            yield
        return
    try:
        yield
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    # Heavy imports here: `spi-bot faq` and friends must start fast.
    import uvicorn  # noqa: PLC0415

    from bot.app import open_app, warm_up  # noqa: PLC0415
    from bot.heap import settle_heap  # noqa: PLC0415
    from bot.server.runtime import ServerRuntime  # noqa: PLC0415
    from bot.server.web import build_web_app  # noqa: PLC0415

    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    async with open_app(settings) as app:
        runtime = ServerRuntime(app, host=host, port=port,
                                broadcasts=getattr(args, "broadcasts", True))
        warm_up(settings)
        settle_heap()
        config = uvicorn.Config(
            build_web_app(runtime), host=host, port=port, lifespan="on", log_config=None,
            access_log=False, server_header=False, timeout_graceful_shutdown=30,
        )
        server = uvicorn.Server(config)
        server.default_capture_signals = server.capture_signals  # type: ignore[attr-defined]
        server.capture_signals = lambda: _stop_on_signals(server)  # type: ignore[method-assign]
        # Shutdown order: stop accepting, finish open requests, our lifespan finishes the
        # background replies and closes the channels, then open_app closes the database.
        await server.serve()
        if not server.started:
            return 1
    return 0
