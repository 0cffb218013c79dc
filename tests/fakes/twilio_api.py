"""A fake Twilio REST API (Messages.json): the SDK reaches it through RebasedTwilioHttpClient.

    async with FakeTwilioApi() as api:
        client = api.client(http)          # twilio Client with our credentials
        api.fail(400, code=63016)          # next create answers a Twilio error
        api.messages                       # every created message's form fields
        api.templates[sid] = "Halo {{1}}"  # a template the Content API answers with

Standalone: `python -m tests.fakes.twilio_api --port 8082` (load benchmarks, crash tests);
control it over HTTP: GET /_fake/requests, POST /_fake/fail with {"args": [400], "code": 63016},
POST /_fake/reset.
"""

from __future__ import annotations

import base64
import itertools
import secrets
from email.utils import formatdate
from typing import Any

from aiohttp import web

from tests.fakes._server import Failure, FakeServer, Recorded, serve_from_command_line

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
_MESSAGES = {
    21211: "The 'To' number is not a valid phone number.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    63016: "Failed to send freeform message because you are outside the allowed window.",
    63018: "Rate limit exceeded for Channel",
    20429: "Too Many Requests",
    21656: "The ContentVariables Parameter is invalid.",
}


class FakeTwilioApi(FakeServer):
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._counter = itertools.count(1)
        # ContentSid -> body of its twilio/text type; GET /v1/Content/{sid} answers 404 for
        # any other sid.
        self.templates: dict[str, str] = {}
        # MediaSid -> (bytes, Content-Type): what a message's MediaUrl0 serves. Like Twilio,
        # the authenticated URL redirects to a storage host that needs no credentials.
        self.media: dict[str, tuple[bytes, str]] = {}

    @property
    def base_url(self) -> str:
        """For SPI_TWILIO_API_BASE_URL / RebasedTwilioHttpClient(api_base=...)."""
        return self.root

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Form fields of every Messages.json create that succeeded or failed."""
        return [r.params for r in self.calls("Messages.create")]

    def bodies(self, to: str | None = None) -> list[str]:
        return [str(m.get("Body", "")) for m in self.messages
                if to is None or m.get("To") == to]

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        app.router.add_get("/v1/Content/{sid}", self._content)
        app.router.add_get("/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}",
                           self._media)
        app.router.add_get("/_storage/{media}", self._stored_media)

    def media_url(self, media_sid: str, message_sid: str = "MM0123") -> str:
        """The MediaUrl0 Twilio would post (on api.twilio.com; the bot rebases it here)."""
        return (f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Messages/"
                f"{message_sid}/Media/{media_sid}")

    async def _media(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401},
                                     status=401)
        media = request.match_info["media"]
        await self.record(Recorded("Media.fetch", {"sid": media}))
        if media not in self.media:
            return web.json_response({"code": 20404, "status": 404}, status=404)
        # Another host name for the same server, as Twilio's storage is another host.
        raise web.HTTPTemporaryRedirect(f"http://localhost:{self.port}/_storage/{media}")

    async def _stored_media(self, request: web.Request) -> web.StreamResponse:
        media = request.match_info["media"]
        # Credentials must not follow the redirect to the storage host.
        await self.record(Recorded("Media.download", {
            "sid": media, "authorization": request.headers.get("Authorization", "")}))
        if media not in self.media:
            return web.Response(status=404)
        body, content_type = self.media[media]
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _content(self, request: web.Request) -> web.StreamResponse:
        """Twilio's Content API: one content resource, as the SDK's fetch reads it."""
        sid = request.match_info["sid"]
        if not self._authorised(request):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401},
                                     status=401)
        await self.record(Recorded("Content.fetch", {"sid": sid}))
        failure = self.next_failure("Content.fetch")
        if failure is not None:
            return self.failure_response(request, failure)
        if sid not in self.templates:
            return web.json_response(
                {"code": 20404, "message": f"The requested resource /Content/{sid} was not found",
                 "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404},
                status=404)
        now = formatdate(usegmt=True)
        return web.json_response({
            "sid": sid, "account_sid": self.account_sid, "friendly_name": "spi_reminder",
            "language": "id", "variables": {"1": "nama"},
            "types": {"twilio/text": {"body": self.templates[sid]}},
            "url": f"https://content.twilio.com/v1/Content/{sid}", "date_created": now,
            "date_updated": now, "links": {},
        })

    def fail(self, status: int, *, code: int | None = None, message: str | None = None,
             retry_after: int | None = None, times: int = 1, disconnect: bool = False) -> None:
        """Answer the next `times` message creates with an error (Twilio's legacy JSON)."""
        text = message or (_MESSAGES.get(code, f"Error {code}") if code else f"HTTP {status}")
        body = {"code": code if code is not None else status, "message": text,
                "more_info": f"https://www.twilio.com/docs/errors/{code or status}",
                "status": status}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.add_failure("Messages.create", Failure(status, body, headers, disconnect), times)

    async def _create(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request) or request.match_info["sid"] != self.account_sid:
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401},
                                     status=401)
        form = await request.post()
        params: dict[str, Any] = {}
        for key in form:
            values = form.getall(key)
            params[key] = values if key == "MediaUrl" else values[0]
        if isinstance(params.get("MediaUrl"), list) and not params["MediaUrl"]:
            del params["MediaUrl"]
        await self.record(Recorded("Messages.create", params))
        failure = self.next_failure("Messages.create")
        if failure is not None:
            return self.failure_response(request, failure)
        sid = f"SM{next(self._counter):08x}{secrets.token_hex(12)}"
        now = formatdate(usegmt=True)
        return web.json_response({
            "sid": sid, "account_sid": self.account_sid, "status": "queued",
            "to": params.get("To"), "from": params.get("From"), "body": params.get("Body", ""),
            "num_segments": "1", "num_media": str(len(params.get("MediaUrl", []))),
            "direction": "outbound-api", "api_version": "2010-04-01", "date_created": now,
            "date_updated": now, "date_sent": None, "error_code": None, "error_message": None,
            "price": None, "price_unit": None, "messaging_service_sid": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {},
        }, status=201)

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"


if __name__ == "__main__":
    api = FakeTwilioApi()
    serve_from_command_line(
        api, lambda: f"fake Twilio API on {api.base_url} (account {api.account_sid})")
