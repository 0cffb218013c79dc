"""The local web chat: a page where a person talks to the engine as channel `web`."""

from __future__ import annotations

import base64
import html
import re
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.app import App
from core.messages import Channel, Inbound, Reply

_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UNIT = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_TEXT = 2000
_ASSETS = {"chat.js": "text/javascript; charset=utf-8", "chat.css": "text/css; charset=utf-8"}
_PAGE_TEXTS = ("web_title", "web_pick_unit", "web_placeholder", "web_send", "web_start",
               "web_restart", "web_note", "web_error")


def _asset(name: str) -> str:
    return resources.files("bot.web").joinpath(name).read_text(encoding="utf-8")


def reply_json(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {"text": reply.text,
                            "choices": [{"label": c.label} for c in reply.choices]}
    if reply.image is not None:
        data["image"] = "data:image/png;base64," + base64.b64encode(reply.image.png).decode()
    return data


class WebChat:
    def __init__(self, app: App) -> None:
        self._app = app

    def routes(self) -> list[Route]:
        return [
            Route("/", self.page, methods=["GET"]),
            Route("/chat", self.page, methods=["GET"]),
            Route("/chat/assets/{name}", self.asset, methods=["GET"]),
            Route("/chat/api/units", self.units, methods=["GET"]),
            Route("/chat/api/message", self.message, methods=["POST"]),
        ]

    async def page(self, request: Request) -> Response:
        catalog = self._app.deps.catalog
        lang = "en" if request.query_params.get("lang") == "en" else "id"
        page = _asset("chat.html").replace("{{lang}}", lang)
        for key in _PAGE_TEXTS:
            page = page.replace("{{" + key + "}}",
                                html.escape(catalog.text(lang, f"channels.{key}")))
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _ASSETS:
            return Response(status_code=404)
        return Response(_asset(name), media_type=_ASSETS[name])

    async def units(self, _: Request) -> Response:
        async with self._app.db.reading() as conn:
            units = await self._app.deps.units.list_all(conn)
        return JSONResponse([{"code": u.code, "name": u.name} for u in units])

    async def message(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "bad json"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "bad request"}, status_code=400)
        session, text = body.get("session"), body.get("text", "")
        start, message_id = body.get("start"), body.get("id")
        if (not isinstance(session, str) or not _SESSION.match(session)
                or not isinstance(text, str) or len(text) > MAX_TEXT
                or (start is not None and (not isinstance(start, str) or not _UNIT.match(start)))
                or (message_id is not None and (not isinstance(message_id, str)
                                                or not _SESSION.match(message_id)))):
            return JSONResponse({"error": "bad request"}, status_code=400)
        if start is not None:
            text = f"/start {start}"
        inbound = Inbound(channel=Channel.WEB, sender=session, text=text, start_payload=start,
                          provider_id=message_id)
        replies = await self._app.engine.handle(inbound)
        return JSONResponse({"replies": [reply_json(r) for r in replies]})
