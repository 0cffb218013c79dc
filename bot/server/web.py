"""The Starlette app: Twilio and Telegram webhooks, /healthz, media links, the web chat and the
staff console (/staf/)."""

from __future__ import annotations

import logging
from urllib.parse import unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.channels.web_chat import WebChat
from bot.channels.whatsapp.webhook import (
    EMPTY_TWIML,
    INBOUND_PATH,
    SIGNATURE_HEADER,
    STATUS_PATH,
    WhatsAppChannel,
)
from bot.console.web import Console
from bot.console.web import body_limit as console_body_limit
from bot.server.guards import (
    WEB_CHAT_BODY_BYTES,
    WEBHOOK_BODY_BYTES,
    ASGIApp,
    BodyLimit,
    Receive,
    Scope,
    SecurityHeaders,
    Send,
)
from bot.server.runtime import ServerRuntime

logger = logging.getLogger(__name__)


def body_limit(path: str) -> int:
    """The most a route reads: webhooks a few kilobytes, the web chat one short message, the
    staff console a form or an uploaded list (bot/console/web.py)."""
    console = console_body_limit(path)
    if console is not None:
        return console
    return WEB_CHAT_BODY_BYTES if path.startswith("/chat/") else WEBHOOK_BODY_BYTES


def build_web_app(runtime: ServerRuntime) -> ASGIApp:
    """The routes behind the body cap and the security headers."""
    return SecurityHeaders(BodyLimit(StatusCallbacks(_routes(runtime), runtime), body_limit))


class StatusCallbacks:
    """`POST /twilio/status` straight on ASGI: delivery statuses arrive at about three times
    the outgoing rate, and Starlette's request, routing and exception layers cost about as
    much CPU as the rest of a callback. Same checks and answers as `_twilio`; any other
    request, and a status callback that is not a form post, goes on to the routes."""

    def __init__(self, routes: ASGIApp, runtime: ServerRuntime) -> None:
        self._routes = routes
        self._runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        channel = self._runtime.whatsapp
        if (scope["type"] != "http" or scope["path"] != STATUS_PATH
                or scope["method"] != "POST" or channel is None):
            await self._routes(scope, receive, send)
            return
        signature = content_type = None
        for name, value in scope["headers"]:
            if name == b"x-twilio-signature":
                signature = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value
        if content_type is None or not content_type.startswith(
                b"application/x-www-form-urlencoded"):
            await self._routes(scope, receive, send)
            return
        if not signature:
            await _answer(send, 403)
            return
        body = b""
        while True:  # BodyLimit has read and capped it already
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        params = form_urlencoded(body.decode("utf-8", errors="replace"))
        query = scope.get("query_string", b"").decode("latin-1")
        if not channel.signed(STATUS_PATH, query, params, signature):
            logger.warning("Webhook Twilio ditolak: tanda tangan tidak cocok")
            await _answer(send, 403)
            return
        try:
            await channel.record_status(params)
        except Exception:
            logger.exception("Status Twilio tidak tersimpan")
            await _answer(send, 500)  # Twilio may call again; the rule makes that harmless
            return
        await _answer(send, 204)


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def _routes(runtime: ServerRuntime) -> Starlette:
    endpoints = _Endpoints(runtime)
    routes: list[BaseRoute] = [
        Route("/healthz", endpoints.health, methods=["GET"]),
        Route(INBOUND_PATH, endpoints.twilio_message, methods=["POST"]),
        Route(STATUS_PATH, endpoints.twilio_status, methods=["POST"]),
        Route(WEBHOOK_PATH, endpoints.telegram, methods=["POST"]),
        Route("/media/{token}", endpoints.media, methods=["GET"]),
    ]
    if runtime.web_chat:
        routes += WebChat(runtime.app).routes()
    routes += Console(runtime.app, runtime.state).routes()  # /staf/, behind its own login
    return Starlette(routes=routes, lifespan=runtime.lifespan)


class _Endpoints:
    def __init__(self, runtime: ServerRuntime) -> None:
        self._runtime = runtime

    async def health(self, _: Request) -> Response:
        return await _health(self._runtime)

    async def twilio_message(self, request: Request) -> Response:
        return await _twilio(self._runtime, request, status=False)

    async def twilio_status(self, request: Request) -> Response:
        return await _twilio(self._runtime, request, status=True)

    async def telegram(self, request: Request) -> Response:
        return await _telegram(self._runtime, request)

    async def media(self, request: Request) -> Response:
        return await _media(self._runtime, request)


async def _health(runtime: ServerRuntime) -> Response:
    try:
        async with runtime.app.db.reading() as conn, conn.execute("SELECT 1") as cur:
            await cur.fetchone()
        database = "ok"
    except Exception as exc:
        database = f"error: {type(exc).__name__}"
    ok = database == "ok" and "error" not in runtime.state.values()
    body = {"status": "ok" if ok else "degraded", "database": database,
            "channels": runtime.state, "in_progress": len(runtime.tasks),
            # Several web processes (PostgreSQL): this one's id and its takeover passes.
            "process": runtime.liveness.id, "recovery_passes": runtime.recovery_passes}
    return JSONResponse(body, status_code=200 if database == "ok" else 503)


async def _twilio(runtime: ServerRuntime, request: Request, *, status: bool) -> Response:
    channel: WhatsAppChannel | None = runtime.whatsapp
    if channel is None:
        return Response(status_code=404)
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        return Response(status_code=403)
    # Twilio signs the URL plus every form field, so the form is read before the check;
    # nothing is stored or handed on unless the signature matches.
    params = await _form_fields(request)
    if not channel.signed(request.url.path, request.url.query, params, signature):
        logger.warning("Webhook Twilio ditolak: tanda tangan tidak cocok")
        return Response(status_code=403)
    if status:
        await channel.record_status(params)
        return Response(status_code=204)
    if await channel.accept_message(params) is None:
        return Response(status_code=503)
    return Response(EMPTY_TWIML, media_type="application/xml")


def form_urlencoded(body: str) -> dict[str, str]:
    """`dict(parse_qsl(body, keep_blank_values=True))`, with the unquoting skipped for the
    fields that need none (most of Twilio's): status callbacks arrive by the thousand."""
    fields: dict[str, str] = {}
    for pair in body.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        fields[name] = value
    return fields


async def _form_fields(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        # Twilio's only encoding: far cheaper than the multipart parser.
        return form_urlencoded((await request.body()).decode("utf-8", errors="replace"))
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _telegram(runtime: ServerRuntime, request: Request) -> Response:
    channel = runtime.telegram
    if channel is None or channel.mode != "webhook":
        return Response(status_code=404)
    if not channel.secret_matches(request.headers.get(SECRET_HEADER)):
        return Response(status_code=403)
    try:
        payload = await request.json()
    except (ValueError, UnicodeDecodeError):
        return Response(status_code=400)
    if not isinstance(payload, dict):
        return Response(status_code=400)
    if not await channel.accept_webhook(payload):
        return Response(status_code=503)  # Telegram delivers it again; the update id dedupes
    return Response(status_code=200)


async def _media(runtime: ServerRuntime, request: Request) -> Response:
    png = await runtime.media.get(request.path_params["token"])
    if png is None:
        return Response(status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
