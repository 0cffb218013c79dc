"""Running the real server (uvicorn + Starlette + channels) inside a test's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from bot.app import App
from bot.server.runtime import ServerRuntime
from bot.server.web import build_web_app

PUBLIC_URL = "https://bot.sukamajukab.example"


@dataclass
class RunningServer:
    runtime: ServerRuntime
    url: str
    http: httpx.AsyncClient
    server: uvicorn.Server

    async def settled(self) -> None:
        """Wait until every background reply of the server has been sent."""
        await self.runtime.tasks.idle()


@asynccontextmanager
async def running_server(app: App, **runtime_args: Any) -> AsyncIterator[RunningServer]:
    runtime = ServerRuntime(app, host="127.0.0.1", port=0, **runtime_args)
    config = uvicorn.Config(build_web_app(runtime), host="127.0.0.1", port=0, lifespan="on",
                            log_config=None, access_log=False)
    server = uvicorn.Server(config)
    server.capture_signals = _no_signals  # type: ignore[method-assign]
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            yield RunningServer(runtime, url, http, server)
    finally:
        server.should_exit = True
        await serving


@contextmanager
def _no_signals() -> Iterator[None]:
    # Leave pytest's own signal handling alone.
    yield
