"""The web chat: a try-out page where a person talks to the engine as channel `web`.

It is off unless SPI_WEB_CHAT=true. When on, whoever reaches the port can use it, so it holds
to the same rules as a public form: the server makes the session ids (signed, so a client
cannot pick someone else's), only same-origin JSON is accepted (a cross-site form post or
fetch is refused), and each session and each address is rate-limited. A web identity is
never staff (SPI_ADMINS refuses `web:`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from bot.app import App
from core.messages import Channel, Inbound, Reply
from inspectorate import institutions

_SESSION = re.compile(r"^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_UNIT = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_TEXT = 2000
_ASSETS = {"chat.js": "text/javascript; charset=utf-8", "chat.css": "text/css; charset=utf-8"}
_PAGE_TEXTS = ("web_test_label", "web_title", "web_pick_unit", "web_placeholder", "web_send",
               "web_start", "web_restart", "web_note", "web_error")


def _asset(name: str) -> str:
    return resources.files("bot.web").joinpath(name).read_text(encoding="utf-8")


def reply_json(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {"text": reply.text,
                            "choices": [{"label": c.label} for c in reply.choices]}
    if reply.image is not None:
        data["image"] = "data:image/png;base64," + base64.b64encode(reply.image.png).decode()
    return data


# A person types a message every few seconds at most; a script at 743 requests/s did not.
SESSION_RATE = parse("20/minute")
ADDRESS_RATE = parse("60/minute")
NEW_SESSION_RATE = parse("10/minute")


class WebChat:
    def __init__(self, app: App) -> None:
        self._app = app
        # Sessions are signed with a key of this process: after a restart the page asks for
        # a new session, as it would after closing the tab.
        self._key = secrets.token_bytes(32)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        public = app.settings.public_url
        self._hosts = {urlsplit(public).netloc} if public else set()

    def routes(self) -> list[Route]:
        return [
            Route("/", self.page, methods=["GET"]),
            Route("/chat", self.page, methods=["GET"]),
            Route("/chat/assets/{name}", self.asset, methods=["GET"]),
            Route("/chat/api/units", self.units, methods=["GET"]),
            Route("/chat/api/session", self.new_session, methods=["POST"]),
            Route("/chat/api/message", self.message, methods=["POST"]),
        ]

    def _sign(self, sid: str) -> str:
        mac = hmac.new(self._key, sid.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def session_sender(self, token: object) -> str | None:
        """The engine's sender for a session token this server made, else None."""
        match = _SESSION.match(token) if isinstance(token, str) else None
        if match is None or not hmac.compare_digest(self._sign(match[1]), match[2]):
            return None
        return match[1]

    async def _allowed(self, item: RateLimitItem, *key: str) -> bool:
        return await self._limiter.hit(item, "web", *key)

    async def new_session(self, request: Request) -> Response:
        refused = _refuse_cross_site(request, self._hosts)
        if refused is not None:
            return refused
        if not await self._allowed(NEW_SESSION_RATE, "new", _address(request)):
            return _too_many()
        sid = secrets.token_urlsafe(16)
        return JSONResponse({"session": f"{sid}.{self._sign(sid)}"},
                            headers={"Cache-Control": "no-store"})

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
        """Every institution's units (a shared bot serves them all; the scanned unit decides
        the institution), by institution name, then unit name; `institution` lets the page
        group them when there are several."""
        async with self._app.db.reading() as conn:
            names = {i.id: i.name for i in await institutions.list_all(conn)}
            owners = await institutions.unit_owners(conn)
            units = [u for code in owners
                     if (u := await self._app.deps.units.get_by_code(conn, code)) is not None]
        units.sort(key=lambda u: (names.get(u.institution_id, ""), u.name, u.code))
        return JSONResponse([{"code": u.code, "name": u.name,
                              "institution": names.get(u.institution_id, "")} for u in units])

    async def message(self, request: Request) -> Response:
        refused = _refuse_cross_site(request, self._hosts)
        if refused is not None:
            return refused
        if not await self._allowed(ADDRESS_RATE, "addr", _address(request)):
            return _too_many()
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return _bad("Pesan tidak terbaca.")
        if not isinstance(body, dict):
            return _bad("Pesan tidak terbaca.")
        sender = self.session_sender(body.get("session"))
        if sender is None:
            return JSONResponse({"error": "Sesi tidak dikenal; muat ulang halaman."},
                                status_code=401)
        if not await self._allowed(SESSION_RATE, "session", sender):
            return _too_many()
        text, start, message_id = body.get("text", ""), body.get("start"), body.get("id")
        if (not isinstance(text, str) or len(text) > MAX_TEXT or _has_surrogate(text)
                or (start is not None and (not isinstance(start, str) or not _UNIT.match(start)))
                or (message_id is not None and (not isinstance(message_id, str)
                                                or not _MESSAGE_ID.match(message_id)))):
            return _bad("Pesan tidak bisa diproses (terlalu panjang atau berisi karakter "
                        "yang tidak dikenal).")
        if start is not None:
            text = f"/start {start}"
        inbound = Inbound(channel=Channel.WEB, sender=sender, text=text, start_payload=start,
                          provider_id=message_id)
        replies = await self._app.engine.handle(inbound)
        return JSONResponse({"replies": [reply_json(r) for r in replies]})


def _address(request: Request) -> str:
    # Behind a reverse proxy this is the proxy's address unless uvicorn trusts its
    # X-Forwarded-For (SPI_FORWARDED_ALLOW_IPS); see README, operations.
    return request.client.host if request.client is not None else "unknown"


def _refuse_cross_site(request: Request, hosts: set[str]) -> Response | None:
    """Only JSON from a page of this server: a cross-site form or fetch is refused."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() \
            != "application/json":
        return JSONResponse({"error": "Hanya JSON."}, status_code=415)
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return JSONResponse({"error": "Permintaan lintas situs ditolak."}, status_code=403)
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc not in {*hosts,
                                                               request.headers.get("host", "")}:
        return JSONResponse({"error": "Permintaan lintas situs ditolak."}, status_code=403)
    return None


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _bad(reason: str) -> Response:
    return JSONResponse({"error": reason}, status_code=400)


def _too_many() -> Response:
    return JSONResponse({"error": "Terlalu banyak pesan; tunggu sebentar lalu coba lagi."},
                        status_code=429, headers={"Retry-After": "30"})
