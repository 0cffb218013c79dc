"""Every route caps the body it reads before any parsing or signature check; processed ids
are pruned on a schedule."""

from __future__ import annotations

import resource
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import App, open_app
from bot.server.guards import WEBHOOK_BODY_BYTES
from bot.server.housekeeping import Housekeeping
from core.settings import load_settings
from storage.repositories.inbound import InboundRepository
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support.clock import FakeClock
from tests.support.server import PUBLIC_URL, running_server

PATHS = ["/twilio/whatsapp", "/twilio/status", "/telegram/webhook", "/chat/api/message"]
CHUNK = b"A" * 65536


async def _endless(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield CHUNK
        sent += len(CHUNK)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("path", PATHS)
async def test_a_declared_oversize_body_is_refused_with_413(app: App, path: str) -> None:
    async with running_server(app) as server:
        answer = await server.http.post(path, content=b"x" * (WEBHOOK_BODY_BYTES + 1),
                                        headers={"Content-Type": "application/json"})
        assert answer.status_code == 413


@pytest.fixture
async def web_and_whatsapp(tmp_path: Path, twilio_api: FakeTwilioApi, clock: FakeClock,
                           ) -> AsyncIterator[App]:
    settings = load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", public_url=PUBLIC_URL,
        web_chat=True, twilio_account_sid=twilio_api.account_sid,
        twilio_auth_token=twilio_api.auth_token, twilio_whatsapp_number="+14155238886",
        twilio_api_base_url=twilio_api.base_url)
    async with open_app(settings, clock) as app:
        yield app


async def test_chunked_bodies_are_cut_off_and_memory_stays_flat(web_and_whatsapp: App) -> None:
    """Four 300 MB unsigned chunked posts once took the process from 117 MB to 2.7 GB."""
    async with running_server(web_and_whatsapp) as server:
        await server.http.get("/healthz")
        before = _peak_rss_mb()
        for path in PATHS:
            try:
                answer = await server.http.post(
                    path, content=_endless(300 * 1024 * 1024),
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "X-Twilio-Signature": "forged"})
            except httpx.TransportError:
                continue  # the server answered 413 and closed while we were still sending
            assert answer.status_code == 413
        assert (await server.http.get("/healthz")).status_code == 200
    assert _peak_rss_mb() - before < 100


async def test_processed_ids_are_pruned_on_a_schedule(app: App, clock: FakeClock) -> None:
    async with app.db.transaction() as conn:
        await InboundRepository().mark_processed(conn, "telegram", "update-1", clock.now())
    clock.advance(days=8)
    housekeeping = Housekeeping(app)
    assert await housekeeping.prune_processed_ids() == 1
    assert await housekeeping.prune_processed_ids() == 0
