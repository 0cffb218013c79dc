"""The staff console's HTTP side: sessions, the CSRF and role gates every route passes, login.

Every page is an `Endpoint` declared with the permissions that open it (core/roles.py `may`);
`Console.wrap` runs the same steps for each request, in this order:

1. a state-changing request (POST) from another site is refused: `Sec-Fetch-Site` must be
   `same-origin` (or absent, from an old browser) and `Origin`, when sent, this server (or
   `null`, which browsers send for our own forms since every page says `no-referrer`);
2. the session cookie must name a live session (revocable, ending after 30 minutes without a
   request and after 12 hours at most); a login whose TOTP code is owed goes to that step;
3. the role must be granted one of the route's permissions; a refusal is audited;
4. a POST must carry the session's form token (field `csrf` or header `X-CSRF-Token`);
5. the page runs; whatever it changes is audited as `staff:<id>` by the services it calls.

Cookies are `HttpOnly; SameSite=Strict; Path=/staf`, and `Secure` when the request came over
https (or SPI_PUBLIC_URL is https). Login is limited per account (five wrong passwords lock it
for 15 minutes, counted in the database) and per address (a moving window in this process).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.app import App
from bot.console import auth
from bot.console.data import (
    AccountStore,
    AggregateCache,
    ConsoleData,
    NotFound,
    PreviewCache,
    SessionInfo,
    scope_of,
)
from core.roles import Permission, StaffRole, may
from core.scope import NATIONAL, Scope

logger = logging.getLogger(__name__)

PREFIX = "/staf"
COOKIE = "spi_staf"
PRE_COOKIE = "spi_staf_pra"  # the login form's token before there is a session
# Requests per address to the login and set-password forms (guesses, whatever the account).
LOGIN_ADDRESS_RATE = parse("10/minute")
LOGIN_ADDRESS_HOURLY = parse("60/hour")
# Form posts are small; an uploaded list may be as large as the CLI import takes.
FORM_BODY_BYTES = 256 * 1024
UPLOAD_BODY_BYTES = 64 * 1024 * 1024 + 256 * 1024
_STATIC = {"console.css": "text/css; charset=utf-8",
           "htmx.min.js": "text/javascript; charset=utf-8"}

# Messages a redirect may name (`?pesan=KEY`): fixed texts, never text from the request.
MESSAGES = {
    "keluar": "Anda sudah keluar.",
    "sandi": "Kata sandi tersimpan. Silakan masuk.",
    "sandi_ganti": "Kata sandi diganti; sesi lain Anda diakhiri.",
    "sesi": "Sesi diakhiri.",
    "impor": "Impor selesai.",
    "impor_batal": "Unggahan dibatalkan; tidak ada yang diimpor.",
    "hapus": "Data pribadi orang itu dihapus. Hitungan statistik tetap; log audit mencatat "
             "penghapusan tanpa datanya.",
    "siaran": "Siaran dibuat.",
    "jeda": "Siaran dijeda.",
    "lanjut": "Siaran dilanjutkan.",
    "batal": "Siaran dibatalkan.",
    "totp_on": "Verifikasi dua langkah aktif.",
    "totp_off": "Verifikasi dua langkah dimatikan.",
    "nonaktif": "Petugas dinonaktifkan dan semua sesinya diakhiri.",
    "unit": "Daftar unit diperbarui.",
    "kedaluwarsa": "Sesi berakhir; silakan masuk lagi.",
}


def body_limit(path: str) -> int | None:
    """The most a console request may send (None: not a console path)."""
    if not path.startswith(PREFIX + "/"):
        return None
    return UPLOAD_BODY_BYTES if path.endswith("/unggah") else FORM_BODY_BYTES


@dataclass
class Ctx:
    """One request of a logged-in staff member."""

    request: Request
    session: SessionInfo
    data: ConsoleData
    form: FormData | None

    @property
    def member(self) -> auth.StaffMember:
        return self.session.member

    @property
    def actor(self) -> str:
        return self.session.member.actor

    def may(self, permission: Permission) -> bool:
        return may(self.member.role, permission)

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str) and v.strip()]


Handler = Callable[[Ctx], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    path: str
    handler: Handler
    needs: tuple[Permission, ...]  # any one of them opens the route; () = every staff member
    methods: tuple[str, ...] = ("GET",)


class Console:
    """Built once per server (bot/server/web.py mounts `routes()` at /staf)."""

    def __init__(self, app: App, channel_state: dict[str, str]) -> None:
        self.app = app
        self.channel_state = channel_state
        self.accounts = AccountStore()
        self.aggregates = AggregateCache()
        self.previews = PreviewCache()
        self.templates = Environment(
            loader=PackageLoader("bot.console", "templates"),
            autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.templates.globals.update(P=Permission, prefix=PREFIX, nav=nav_items())
        install_filters(self.templates)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        public = app.settings.public_url
        self._hosts = {urlsplit(public).netloc} if public else set()
        self._https = bool(public and public.startswith("https://"))

    # Routing ------------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        from bot.console.pages import endpoints  # noqa: PLC0415 - pages import this module

        routes: list[BaseRoute] = [
            Route("/masuk", self.login, methods=["GET", "POST"]),
            Route("/masuk/kode", self.second_factor, methods=["GET", "POST"]),
            Route("/keluar", self.logout, methods=["POST"]),
            Route("/sandi/{token}", self.set_password, methods=["GET", "POST"]),
            Route("/static/{name}", self.static, methods=["GET"]),
        ]
        routes += [Route(e.path, self.wrap(e), methods=list(e.methods))
                   for e in endpoints(self)]
        return [Mount(PREFIX, routes=routes)]

    def wrap(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            posting = request.method == "POST"
            if posting and (refused := self.cross_site(request)) is not None:
                return refused
            session = await self._session(request)
            if session is None:
                if posting or request.headers.get("hx-request"):
                    return self.page(request, "error.html", status=401, title="Sesi berakhir",
                                     text="Sesi berakhir; muat ulang halaman lalu masuk lagi.")
                target = quote(request.url.path + ("?" + request.url.query
                                                   if request.url.query else ""), safe="")
                return RedirectResponse(f"{PREFIX}/masuk?lanjut={target}", status_code=303)
            if session.second_factor:
                return RedirectResponse(f"{PREFIX}/masuk/kode", status_code=303)
            data = ConsoleData(self.app, scope_of(session.member), self.aggregates,
                               self.previews)
            if endpoint.needs and not any(may(session.member.role, p) for p in endpoint.needs):
                await data.record(session.member.actor, "console.refused", endpoint.path,
                                  method=request.method)
                return self.page(request, "error.html", session, status=403, title="Tidak boleh",
                                 text="Peran Anda tidak membuka halaman atau tindakan ini.")
            form = None
            if posting:
                try:
                    form = await request.form(max_files=1, max_fields=200)
                except Exception:  # a malformed multipart body: python-multipart's own errors
                    return self.page(request, "error.html", session, status=400,
                                     title="Permintaan tidak terbaca",
                                     text="Isian formulir tidak bisa dibaca; coba lagi.")
                sent = form.get("csrf") or request.headers.get("x-csrf-token") or ""
                if not isinstance(sent, str) or not auth.same(sent, session.form_token):
                    await form.close()
                    return self.page(request, "error.html", session, status=403,
                                     title="Formulir kedaluwarsa",
                                     text="Formulir ini tidak lagi berlaku (token tidak cocok). "
                                          "Muat ulang halaman lalu coba lagi.")
            ctx = Ctx(request, session, data, form)
            try:
                return await endpoint.handler(ctx)
            except NotFound:
                return self.page(request, "error.html", session, status=404,
                                 title="Tidak ditemukan",
                                 text="Halaman atau data ini tidak ada, atau bukan milik "
                                      "instansi Anda.")
            except Exception:
                logger.exception("Halaman konsol %s gagal", endpoint.path)
                return self.page(request, "error.html", session, status=500,
                                 title="Terjadi kesalahan",
                                 text="Maaf, halaman ini gagal dimuat. Coba lagi sebentar lagi; "
                                      "bila berulang, hubungi tim teknis.")
            finally:
                if form is not None:
                    await form.close()

        return run

    # Rendering ----------------------------------------------------------------------------------

    def render(self, name: str, **values: Any) -> str:
        return self.templates.get_template(name).render(**values)

    def page(self, request: Request, name: str, session: SessionInfo | None = None, *,
             status: int = 200, headers: dict[str, str] | None = None, **values: Any
             ) -> HTMLResponse:
        member = session.member if session is not None else None
        html = self.render(
            name, request=request, member=member, csrf=session.form_token if session else "",
            can=(lambda p: member is not None and may(member.role, p)),
            notice=MESSAGES.get(request.query_params.get("pesan", "")), **values)
        return HTMLResponse(html, status_code=status,
                            headers={"Cache-Control": "no-store", **(headers or {})})

    def ctx_page(self, ctx: Ctx, name: str, **values: Any) -> HTMLResponse:
        return self.page(ctx.request, name, ctx.session, **values)

    # Gates --------------------------------------------------------------------------------------

    def cross_site(self, request: Request) -> Response | None:
        """A POST another site's page made: refused before anything is read."""
        site = request.headers.get("sec-fetch-site")
        origin = request.headers.get("origin")
        bad = site is not None and site not in ("same-origin", "none")
        # Our pages send no referrer, so browsers send `Origin: null` for their own forms;
        # a null origin is left to Sec-Fetch-Site and the form token.
        if origin not in (None, "null") and not bad:
            bad = urlsplit(origin).netloc not in {*self._hosts, request.headers.get("host", "")}
        if not bad:
            return None
        return HTMLResponse("Permintaan lintas situs ditolak.", status_code=403)

    def secure(self, request: Request) -> bool:
        return self._https or request.url.scheme == "https"

    def set_cookie(self, request: Request, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, path=PREFIX, httponly=True, samesite="strict",
                            secure=self.secure(request))

    async def _session(self, request: Request) -> SessionInfo | None:
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 100:
            return None
        now = self.app.deps.clock.now()
        async with self.app.db.reading() as conn:
            session = await self.accounts.session(conn, token, now)
        if session is not None and now - session.last_seen_at >= auth.TOUCH_EVERY:
            async with self.app.db.transaction() as conn:
                await self.accounts.touch(conn, session.id, now)
        return session

    async def _address_allowed(self, request: Request) -> bool:
        address = request.client.host if request.client is not None else "unknown"
        return (await self._limiter.hit(LOGIN_ADDRESS_RATE, "staf-login", address)
                and await self._limiter.hit(LOGIN_ADDRESS_HOURLY, "staf-login-h", address))

    def _pre_token(self, request: Request) -> str:
        token = request.cookies.get(PRE_COOKIE, "")
        return token if 20 <= len(token) <= 100 else auth.new_token()

    async def _pre_form(self, request: Request) -> tuple[FormData | None, Response | None]:
        """A login-side POST: same site, its double-submit token, and within the address
        limit; returns the form or the refusal."""
        if (refused := self.cross_site(request)) is not None:
            return None, refused
        if not await self._address_allowed(request):
            return None, self.page(request, "error.html", status=429, title="Terlalu sering",
                                   text="Terlalu banyak percobaan dari alamat ini; tunggu "
                                        "beberapa menit lalu coba lagi.",
                                   headers={"Retry-After": "60"})
        form = await request.form(max_files=0, max_fields=20)
        sent, cookie = form.get("csrf"), request.cookies.get(PRE_COOKIE, "")
        if not (isinstance(sent, str) and cookie and auth.same(sent, cookie)):
            return None, self.page(request, "error.html", status=403,
                                   title="Formulir kedaluwarsa",
                                   text="Formulir ini tidak lagi berlaku. Muat ulang halaman "
                                        "lalu coba lagi.")
        return form, None

    def _pre_page(self, request: Request, name: str, *, status: int = 200,
                  **values: Any) -> Response:
        token = self._pre_token(request)
        response = self.page(request, name, status=status, pre_csrf=token, **values)
        self.set_cookie(request, response, PRE_COOKIE, token)
        return response

    # Login, second factor, logout, set password ------------------------------------------------

    async def login(self, request: Request) -> Response:
        target = _local_target(request.query_params.get("lanjut", ""))
        if request.method == "GET":
            return self._pre_page(request, "login.html", target=target)
        form, refused = await self._pre_form(request)
        if refused is not None or form is None:
            return refused or Response(status_code=400)
        username = str(form.get("username", "")).strip().lower()[:64]
        password = str(form.get("password", ""))
        target = _local_target(str(form.get("lanjut", "")))
        now = self.app.deps.clock.now()
        async with self.app.db.reading() as conn:
            creds = await self.accounts.credentials(conn, username) if username else None

        def again(text: str) -> Response:
            return self._pre_page(request, "login.html", status=401, error=text,
                                  target=target, username=username)

        if creds is not None and creds.locked_until is not None and creds.locked_until > now:
            await asyncio.to_thread(auth.password_matches, None, password)  # same time
            await self._audit("console:login", "console.login_locked",
                              f"staff:{creds.member.id}", scope=scope_of(creds.member))
            return again("Akun ini dikunci sementara karena terlalu banyak kata sandi salah. "
                         f"Coba lagi setelah {_local(creds.locked_until)}, atau minta admin "
                         "membuat tautan kata sandi baru.")
        right = await asyncio.to_thread(auth.password_matches,
                                        creds.password_hash if creds else None, password)
        if creds is None or not right or creds.disabled:
            if creds is not None and not creds.disabled:
                async with self.app.db.transaction() as conn:
                    locked = await self.accounts.failed_login(conn, creds.member.id, now)
                    await self.app.deps.audit.record(
                        conn, now, "console:login", "console.login_failed",
                        f"staff:{creds.member.id}", scope=scope_of(creds.member),
                        locked=locked)
                if locked:
                    return again("Kata sandi salah lima kali: akun dikunci "
                                 f"{int(auth.LOCK_FOR.total_seconds() // 60)} menit.")
            else:
                # a name no account has (or a disabled one): under no institution
                await self._audit("console:login", "console.login_failed", None,
                                  scope=scope_of(creds.member) if creds else NATIONAL)
            return again("Nama pengguna atau kata sandi salah.")
        owed = creds.totp_secret is not None
        new_hash = (auth.hash_password(password)
                    if creds.password_hash and auth.needs_rehash(creds.password_hash) else None)
        async with self.app.db.transaction() as conn:
            await self.accounts.login_succeeded(conn, creds.member.id, now, new_hash)
            token = await self.accounts.open_session(conn, creds.member.id, now,
                                                     second_factor=owed)
            if not owed:
                await self.app.deps.audit.record(conn, now, creds.member.actor,
                                                 "console.login", scope=scope_of(creds.member))
        response = RedirectResponse(f"{PREFIX}/masuk/kode" if owed else target, status_code=303)
        self.set_cookie(request, response, COOKIE, token)
        response.delete_cookie(PRE_COOKIE, path=PREFIX)
        return response

    async def second_factor(self, request: Request) -> Response:
        token = request.cookies.get(COOKIE, "")
        now = self.app.deps.clock.now()
        async with self.app.db.reading() as conn:
            session = await self.accounts.session(conn, token, now) if token else None
            creds = (await self.accounts.credentials_of(conn, session.member.id)
                     if session is not None else None)
        if session is None or creds is None or not session.second_factor \
                or creds.totp_secret is None:
            return RedirectResponse(f"{PREFIX}/", status_code=303)
        if request.method == "GET":
            return self.page(request, "code.html", session)
        if (refused := self.cross_site(request)) is not None:
            return refused
        form = await request.form(max_files=0, max_fields=10)
        sent = form.get("csrf")
        if not (isinstance(sent, str) and auth.same(sent, session.form_token)):
            return self.page(request, "code.html", session, status=403,
                             error="Formulir kedaluwarsa; coba lagi.")
        step = auth.totp_step(creds.totp_secret, str(form.get("code", "")),
                              creds.totp_last_step, now.timestamp())
        async with self.app.db.transaction() as conn:
            if step is None:
                locked = await self.accounts.failed_login(conn, session.member.id, now)
                await self.app.deps.audit.record(conn, now, "console:login",
                                                 "console.code_failed", session.member.actor,
                                                 scope=scope_of(session.member))
                if locked:
                    await self.accounts.revoke(conn, session.id, now)
            else:
                await self.accounts.accept_totp(conn, session.member.id, step)
                await self.accounts.login_succeeded(conn, session.member.id, now)
                await self.accounts.second_factor_done(conn, session.id)
                await self.app.deps.audit.record(conn, now, session.member.actor,
                                                 "console.login", scope=scope_of(session.member),
                                                 second_factor=True)
        if step is None:
            return self.page(request, "code.html", session, status=401,
                             error="Kode salah atau sudah dipakai.")
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    async def logout(self, request: Request) -> Response:
        if (refused := self.cross_site(request)) is not None:
            return refused
        token = request.cookies.get(COOKIE, "")
        now = self.app.deps.clock.now()
        async with self.app.db.reading() as conn:
            session = await self.accounts.session(conn, token, now) if token else None
        if session is not None:
            form = await request.form(max_files=0, max_fields=10)
            sent = form.get("csrf")
            if not (isinstance(sent, str) and auth.same(sent, session.form_token)):
                return self.page(request, "error.html", session, status=403,
                                 title="Formulir kedaluwarsa",
                                 text="Muat ulang halaman lalu coba keluar lagi.")
            async with self.app.db.transaction() as conn:
                await self.accounts.revoke(conn, session.id, now)
                await self.app.deps.audit.record(conn, now, session.member.actor,
                                                 "console.logout", scope=scope_of(session.member))
        response = RedirectResponse(f"{PREFIX}/masuk?pesan=keluar", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    async def set_password(self, request: Request) -> Response:
        token = request.path_params["token"]
        now = self.app.deps.clock.now()
        async with self.app.db.reading() as conn:
            member = (await self.accounts.link_owner(conn, token, now)
                      if len(token) <= 100 else None)
        if member is None:
            return self.page(request, "error.html", status=404, title="Tautan tidak berlaku",
                             text="Tautan ini sudah dipakai, kedaluwarsa, atau salah. Minta "
                                  "admin atau tim teknis membuat tautan baru (spi-bot staff "
                                  "link NAMA).")
        if request.method == "GET":
            return self._pre_page(request, "set_password.html", person=member)
        form, refused = await self._pre_form(request)
        if refused is not None or form is None:
            return refused or Response(status_code=400)
        password, confirm = str(form.get("password", "")), str(form.get("confirm", ""))
        problem = auth.password_problem(password, confirm, member.username)
        if problem:
            return self._pre_page(request, "set_password.html", status=400, person=member,
                                  error=problem)
        hashed = await asyncio.to_thread(auth.hash_password, password)
        async with self.app.db.transaction() as conn:
            done = await self.accounts.use_link(conn, token, hashed, now)
            if done is not None:
                await self.accounts.revoke_all(conn, done.id, now)
                await self.app.deps.audit.record(conn, now, done.actor, "console.password_set",
                                                 scope=scope_of(done))
        response = RedirectResponse(f"{PREFIX}/masuk?pesan=sandi", status_code=303)
        response.delete_cookie(PRE_COOKIE, path=PREFIX)
        return response

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return Response(status_code=404)
        body = _static_file(name)
        return Response(body, media_type=_STATIC[name],
                        headers={"Cache-Control": "public, max-age=3600"})

    async def _audit(self, actor: str, action: str, subject: str | None, *, scope: Scope,
                     **detail: Any) -> None:
        async with self.app.db.transaction() as conn:
            await self.app.deps.audit.record(conn, self.app.deps.clock.now(), actor, action,
                                             subject, scope=scope, **detail)


_static_cache: dict[str, bytes] = {}


def _static_file(name: str) -> bytes:
    if name not in _static_cache:
        _static_cache[name] = resources.files("bot.console").joinpath(
            "static").joinpath(name).read_bytes()
    return _static_cache[name]


def _local_target(path: str) -> str:
    """Where to go after login: a console path of this server only (no open redirect)."""
    if path.startswith(PREFIX + "/") and not path.startswith("//") and "\\" not in path \
            and "://" not in path:
        return path
    return f"{PREFIX}/"


def _local(moment: Any) -> str:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    return f"{moment.astimezone(ZoneInfo('Asia/Jakarta')):%H:%M} WIB"


def role_label(role: StaffRole | str) -> str:
    return {"operator": "Operator", "admin": "Admin", "national": "Nasional"}.get(
        str(role), str(role))


def stamp(text: str | None) -> str:
    """A stored UTC timestamp as WIB for people."""
    if not text:
        return "-"
    from core.clock import from_text  # noqa: PLC0415

    return _local_full(from_text(text))


def _local_full(moment: Any) -> str:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    return f"{moment.astimezone(ZoneInfo('Asia/Jakarta')):%Y-%m-%d %H:%M} WIB"


def install_filters(env: Environment) -> None:
    env.filters.update(role=role_label, stamp=stamp, when=_local_full)


def nav_items() -> Sequence[tuple[str, str, tuple[Permission, ...]]]:
    """The menu: (path, label, permissions that show it)."""
    return (
        ("/", "Beranda", (Permission.READ_STATS, Permission.READ_AGGREGATE_STATS)),
        ("/responden", "Responden", (Permission.READ_STATS,)),
        ("/unit", "Unit dan poster", (Permission.READ_STATS,)),
        ("/siaran", "Siaran", (Permission.BROADCAST_CATALOGUE,)),
        ("/statistik", "Statistik", (Permission.READ_STATS, Permission.READ_AGGREGATE_STATS)),
        ("/audit", "Audit", (Permission.READ_AUDIT,)),
        ("/akun", "Akun", ()),
    )
