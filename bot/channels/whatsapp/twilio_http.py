"""The Twilio SDK's async HTTP client, pointed at a configurable API base (a fake in tests)."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import urlencode

import aiohttp
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

# Every Twilio REST domain (api, content, messaging...) maps onto the one configured base.
_TWILIO_HOST = re.compile(r"^https://[a-z0-9.-]+\.twilio\.com")
DEFAULT_BASE = "https://api.twilio.com"


class RebasedTwilioHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """One attempt per request, no request logging (bodies carry phone numbers), and
    credentials sent as a header (aiohttp deprecates its `auth` parameter)."""

    def __init__(self, api_base: str = DEFAULT_BASE, timeout: float = 15.0) -> None:
        super().__init__(pool_connections=False, timeout=timeout)
        self.api_base = api_base.rstrip("/")
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=64),
            cookie_jar=aiohttp.DummyCookieJar(),  # Twilio's API sets none we need
            timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 5.0)),
        )

    def rebase(self, url: str) -> str:
        if self.api_base == DEFAULT_BASE:
            return url
        return _TWILIO_HOST.sub(self.api_base, url, count=1)

    async def request(  # noqa: PLR0917 (the SDK's signature)
        self, method: str, url: str, params: dict[str, object] | None = None,
        data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None, timeout: float | None = None,  # noqa: ASYNC109
        allow_redirects: bool = False,
    ) -> Response:
        request_headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            request_headers["Authorization"] = f"Basic {token}"
        body: bytes | None = None
        if data:
            # What aiohttp's FormData would send, without building a multipart writer first.
            body = urlencode(data, doseq=True).encode()
            request_headers["Content-Type"] = "application/x-www-form-urlencoded"
        kwargs: dict[str, Any] = {"params": params, "data": body, "headers": request_headers,
                                  "allow_redirects": allow_redirects}
        if timeout is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=timeout)
        async with self._session.request(method.upper(), self.rebase(url), **kwargs) as answer:
            text = await answer.text(encoding="utf-8")  # Twilio's JSON; skips charset sniffing
            return Response(answer.status, text, answer.headers)

    async def close(self) -> None:
        await self._session.close()
