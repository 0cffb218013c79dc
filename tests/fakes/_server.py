"""What both fakes share: an aiohttp server on loopback, a request log, injected failures."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Recorded:
    """One request the fake received: the API method and its decoded parameters."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """An error the fake answers instead of success (or a dropped connection)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False


class FakeServer:
    """Base of the fakes: start/stop on 127.0.0.1 (port 0 picks a free one), record, fail."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._failures: dict[str, deque[Failure]] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_failure(self, method: str, failure: Failure, times: int = 1) -> None:
        """Answer the next `times` calls of `method` ("*" for any) with `failure`."""
        queue = self._failures.setdefault(method, deque())
        queue.extend([failure] * times)

    def clear_failures(self) -> None:
        self._failures.clear()

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method]

    async def record(self, recorded: Recorded) -> None:
        self.requests.append(recorded)
        async with self._changed:
            self._changed.notify_all()

    def next_failure(self, method: str) -> Failure | None:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                return queue.popleft()
        return None

    @staticmethod
    def failure_response(request: web.Request, failure: Failure) -> web.StreamResponse:
        if failure.disconnect:
            # The request arrived but the answer never does: the caller cannot know the outcome.
            assert request.transport is not None
            request.transport.abort()
        return web.json_response(failure.body, status=failure.status, headers=failure.headers)

    async def wait_for(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait (event-driven, bounded) until `predicate` holds after some request."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)
