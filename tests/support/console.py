"""Helpers for the staff console tests: staff accounts made directly, a logged-in HTTP client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.app import App
from bot.console.auth import hash_password
from bot.console.data import AccountStore
from core.roles import StaffRole

PASSWORD = "kata-sandi-yang-panjang-42"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def add_institution(app: App, code: str = "KAB-LAIN") -> int:
    async with app.db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at) "
            "VALUES (?, 'Inspektorat Lain', 'kabupaten', 'Asia/Jakarta', 't', 't') "
            "RETURNING id", (code,))
        return int((await cur.fetchone())[0])


async def add_staff(app: App, username: str, role: StaffRole = StaffRole.ADMIN, *,
                    institution_id: int | None = 1, password: str | None = PASSWORD) -> int:
    """A staff member with a password set (None: only the account, as `staff add` makes)."""
    store = AccountStore()
    now = app.deps.clock.now()
    async with app.db.transaction() as conn:
        staff_id = await store.add_staff(
            conn, institution_id=None if role == StaffRole.NATIONAL else institution_id,
            role=role, username=username, display_name=username.title(), now=now)
        if password is not None:
            await store.set_password(conn, staff_id, hash_password(password), now)
    return staff_id


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match is not None, "no form token on the page"
    return match[1]


async def login(http: httpx.AsyncClient, username: str, password: str = PASSWORD
                ) -> httpx.Response:
    page = await http.get("/staf/masuk")
    return await http.post("/staf/masuk", data={
        "csrf": csrf_of(page.text), "username": username, "password": password,
        "lanjut": "/staf/"})


@asynccontextmanager
async def logged_in(base_url: str, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own (own cookies) logged in as `username`."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        answer = await login(http, username)
        assert answer.status_code == 303, answer.text
        yield http


async def form_token(http: httpx.AsyncClient, path: str = "/staf/akun") -> str:
    page = await http.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)
