"""A fake Telegram Bot API server: PTB talks to it through `base_url`; records every call.

    async with FakeTelegramApi() as api:
        bot = Bot(api.token, base_url=api.base_url)
        api.fail("sendMessage", 429, retry_after=3)   # next sendMessage answers 429
        api.push_update({...})                          # served to getUpdates (polling)

Standalone (crash tests, load benchmarks): `python -m tests.fakes.telegram_api --port 8081`;
control it over HTTP: GET /_fake/requests[?method=sendMessage], POST /_fake/fail with
{"args": ["sendMessage", 429], "retry_after": 5}, POST /_fake/reset.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import web

from tests.fakes._server import Failure, FakeServer, Recorded, serve_from_command_line

_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FakeTelegramApi(FakeServer):
    def __init__(self, token: str = "123456:TEST-token",  # noqa: S107
                 username: str = "SpiSukamajuBot",
                 bot_id: int = 123456) -> None:
        super().__init__()
        self.token = token
        self.username = username
        self.bot_id = bot_id
        self._message_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(10_000)
        self._new_update = asyncio.Event()
        # file_id -> bytes served by getFile and /file/bot{token}/{path} (pictures users sent)
        self.files: dict[str, bytes] = {}

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)` / `ApplicationBuilder().base_url(...)`."""
        return f"{self.root}/bot"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)

    def fail(self, method: str, status: int, *, description: str | None = None,
             retry_after: int | None = None, times: int = 1, disconnect: bool = False) -> None:
        """Answer the next `times` calls of `method` ("*": any) with an API error."""
        text = description or _DESCRIPTIONS.get(status, f"Error {status}")
        body: dict[str, Any] = {"ok": False, "error_code": status,
                                "description": text.format(retry_after=retry_after)}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self.add_failure(method, Failure(status, body, disconnect=disconnect), times)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id (assigned when missing)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        return [str(r.params.get("text", "")) for r in self.calls("sendMessage")
                if chat_id is None or str(r.params.get("chat_id")) == str(chat_id)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await _read_params(request)
        await self.record(Recorded(method, params, files))
        failure = self.next_failure(method)
        if failure is not None:
            return self.failure_response(request, failure)
        result = await self._result(method, params)
        return web.json_response({"ok": True, "result": result})

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": self.bot_id, "is_bot": True, "first_name": "SPI Bot",
                    "username": self.username, "can_join_groups": False,
                    "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method in ("sendMessage", "sendPhoto"):
            chat_id = int(params["chat_id"])
            message: dict[str, Any] = {"message_id": next(self._message_ids),
                                       "date": int(time.time()),
                                       "chat": {"id": chat_id, "type": "private"}}
            if method == "sendMessage":
                message["text"] = params.get("text", "")
            else:
                message["photo"] = [{"file_id": "photo-1", "file_unique_id": "p1",
                                     "width": 640, "height": 480}]
            return message
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getFile":
            file_id = str(params["file_id"])
            if file_id not in self.files:
                return {"file_id": file_id, "file_unique_id": f"u-{file_id}"}
            return {"file_id": file_id, "file_unique_id": f"u-{file_id}",
                    "file_size": len(self.files[file_id]), "file_path": f"photos/{file_id}.jpg"}
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # setWebhook, deleteWebhook, answerCallbackQuery, ...

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """A file's bytes, as api.telegram.org/file/bot<token>/<file_path> serves them."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        await self.record(Recorded("downloadFile", {"file_id": file_id}))
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            # Long polling, shortened so a stopping client is never kept waiting long.
            wait = min(float(params.get("timeout") or 0), 0.2)
            try:
                await asyncio.wait_for(self._new_update.wait(), wait)
            except TimeoutError:
                return []
        return list(self._updates)


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """PTB sends form-encoded values (objects as JSON strings), multipart for uploads."""
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params = dict(await request.json()) if request.can_read_body else {}
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = value.file.read()
        else:
            params[key] = value
    for key in ("reply_markup", "allowed_updates"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params, files


if __name__ == "__main__":
    api = FakeTelegramApi()
    serve_from_command_line(
        api, lambda: f"fake Telegram Bot API on {api.base_url} (token {api.token})")
