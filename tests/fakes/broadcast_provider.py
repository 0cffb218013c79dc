"""Fake providers for broadcast crash tests and benchmarks, on loopback.

Twilio's Messages API (from tests/fakes/twilio_api.py) plus what those runs need: message
lookups (GET Messages.json, newest first, as the SDK's `messages.list` reads them), counts per
recipient, and an optional rate limit answering 429 above it, like a real provider. The
Telegram Bot API fake gets the same counts. `GET /_stats` on either returns the counts
(`?counts=1`: per recipient; `?times=1`: when each send request arrived, per sender: our
WhatsApp number or bot token, for checking limits across processes). `--latency` answers each
send that many seconds after it arrived, like a provider far away. `GET /_sent` on the Telegram
fake returns the texts sent to each chat, in order, and the secrets its webhook was registered
with (`GET Messages.json?To=` lists a number's WhatsApp messages).

    python -m tests.fakes.broadcast_provider [--rate 30] [--latency 0.05]   # prints the URLs
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter, deque
from email.utils import formatdate
from typing import Any

from aiohttp import web

from bot import event_loop
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi

MESSAGES_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"


class RateGate:
    """A provider's limit taken literally: at most `rate` accepted requests in any one-second
    window (sliding); a request above it is refused (429) and counted."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.refused = 0
        self._accepted: deque[float] = deque()

    def admit(self) -> bool:
        if self.rate is None:
            return True
        now = time.monotonic()
        while self._accepted and now - self._accepted[0] >= 1.0:
            self._accepted.popleft()
        if len(self._accepted) >= self.rate:
            self.refused += 1
            return False
        self._accepted.append(now)
        return True


class Arrivals:
    """When each send request arrived (time.monotonic), per sender."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    def add(self, sender: str) -> None:
        self.times.setdefault(sender, []).append(time.monotonic())


class CountingTwilioApi(FakeTwilioApi):
    def __init__(self, rate: float | None = None, latency: float = 0.0) -> None:
        super().__init__()
        self.latency = latency
        self.arrivals = Arrivals()
        self.gate = RateGate(rate)
        self.counts: Counter[str] = Counter()
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None

    def routes(self, app: web.Application) -> None:
        app.router.add_post(MESSAGES_PATH, self._counted_create)
        app.router.add_get(MESSAGES_PATH, self._list)
        app.router.add_get("/_stats", self._stats)

    async def _counted_create(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.add(str((await request.post()).get("From", "")))
        if self.latency:
            await asyncio.sleep(self.latency)
        if not self.gate.admit():
            return web.json_response(
                {"code": 20429, "message": "Too Many Requests", "status": 429},
                status=429, headers={"Retry-After": "1"})
        response = await self._create(request)
        if response.status == 201 and isinstance(response, web.Response) and response.text:
            message = json.loads(response.text)
            form = await request.post()
            message["content_sid"] = form.get("ContentSid")
            to = str(message["to"])
            self.counts[to] += 1
            self.sent.setdefault(to, []).append(message)
            self.last_at = time.monotonic()
            self.first_at = self.first_at or self.last_at
        self.requests.clear()  # counts are kept instead: flat memory on long runs
        return response

    async def _list(self, request: web.Request) -> web.StreamResponse:
        to = request.query.get("To", "")
        limit = int(request.query.get("PageSize", "50"))
        found = list(reversed(self.sent.get(to, [])))[:limit]
        return web.json_response({
            "messages": found, "end": len(found), "first_page_uri": request.path_qs,
            "next_page_uri": None, "page": 0, "page_size": limit, "previous_page_uri": None,
            "start": 0, "uri": request.path_qs})

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(_stats(self.counts, self.gate, self.first_at, self.last_at,
                                        with_counts="counts" in request.query,
                                        arrivals=self.arrivals if "times" in request.query
                                        else None))


class CountingTelegramApi(FakeTelegramApi):
    def __init__(self, rate: float | None = None, latency: float = 0.0) -> None:
        super().__init__()
        self.latency = latency
        self.arrivals = Arrivals()
        self.gate = RateGate(rate)
        self.counts: Counter[str] = Counter()
        self.texts: dict[str, list[str]] = {}
        self.webhook_secrets: list[str] = []
        self.first_at: float | None = None
        self.last_at: float | None = None

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.router.add_get("/_stats", self._stats)
        app.router.add_get("/_sent", self._sent)

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        result = await super()._result(method, params)
        if method == "setWebhook":
            self.webhook_secrets.append(str(params.get("secret_token", "")))
        if method == "sendMessage":
            self.counts[str(params["chat_id"])] += 1
            self.texts.setdefault(str(params["chat_id"]), []).append(str(params.get("text")))
            self.last_at = time.monotonic()
            self.first_at = self.first_at or self.last_at
            self.requests.clear()
        return result

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["method"] == "sendMessage":
            self.arrivals.add(request.match_info["token"])
            if self.latency:
                await asyncio.sleep(self.latency)
        if request.match_info["method"] == "sendMessage" and not self.gate.admit():
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}, status=429)
        return await super()._handle(request)

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(_stats(self.counts, self.gate, self.first_at, self.last_at,
                                        with_counts="counts" in request.query,
                                        arrivals=self.arrivals if "times" in request.query
                                        else None))

    async def _sent(self, _: web.Request) -> web.StreamResponse:
        return web.json_response({"texts": self.texts, "webhook_secrets": self.webhook_secrets})


def _stats(counts: Counter[str], gate: RateGate, first: float | None,
           last: float | None, *, with_counts: bool,
           arrivals: Arrivals | None = None) -> dict[str, Any]:
    return {"accepted": sum(counts.values()), "recipients": len(counts),
            "duplicates": sum(1 for n in counts.values() if n > 1),
            "refused_429": gate.refused, "counts": dict(counts) if with_counts else None,
            "seconds": (last - first) if first is not None and last is not None else 0.0,
            "times": arrivals.times if arrivals is not None else None,
            "date": formatdate(usegmt=True)}


async def _serve(rate: float | None, twilio_port: int, telegram_port: int,
                 latency: float = 0.0) -> None:
    twilio = CountingTwilioApi(rate, latency)
    telegram = CountingTelegramApi(rate, latency)
    await twilio.start(port=twilio_port)
    await telegram.start(port=telegram_port)
    print(json.dumps({"twilio": twilio.base_url, "telegram": telegram.base_url,
                      "twilio_account_sid": twilio.account_sid,
                      "twilio_auth_token": twilio.auth_token,
                      "telegram_token": telegram.token}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await twilio.stop()
        await telegram.stop()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=None,
                        help="messages per second each fake accepts; 429 above it")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds before each send is answered")
    parser.add_argument("--twilio-port", type=int, default=0)
    parser.add_argument("--telegram-port", type=int, default=0)
    args = parser.parse_args()
    # On the bot's own event loop, as the bot runs.
    event_loop.run(_serve(args.rate, args.twilio_port, args.telegram_port, args.latency))


if __name__ == "__main__":
    _main()
