"""What both fakes share: an aiohttp server on loopback, a request log, injected failures."""

from __future__ import annotations

import argparse
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
        # Control from another process (standalone fakes in crash tests and benchmarks).
        app.router.add_get("/_fake/requests", self._control_requests)
        app.router.add_post("/_fake/fail", self._control_fail)
        app.router.add_post("/_fake/reset", self._control_reset)
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

    def fail(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    async def _control_requests(self, request: web.Request) -> web.StreamResponse:
        """GET /_fake/requests[?method=sendMessage]: the recorded requests as JSON."""
        method = request.query.get("method")
        return web.json_response([
            {"method": r.method, "params": r.params, "files": sorted(r.files)}
            for r in self.requests if method is None or r.method == method])

    async def _control_fail(self, request: web.Request) -> web.StreamResponse:
        """POST /_fake/fail with the JSON arguments of `fail(...)`."""
        arguments = await request.json()
        args = arguments.pop("args", [])
        self.fail(*args, **arguments)
        return web.json_response({"ok": True})

    async def _control_reset(self, _: web.Request) -> web.StreamResponse:
        self.requests.clear()
        self.clear_failures()
        return web.json_response({"ok": True})

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


def serve_from_command_line(api: FakeServer, describe: Callable[[], str]) -> None:
    """`python -m tests.fakes.<name> --port N`: run one fake until interrupted."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    port = parser.parse_args().port

    async def serve() -> None:
        await api.start(port=port)
        print(describe(), flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await api.stop()

    asyncio.run(serve())
