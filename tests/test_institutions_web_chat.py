"""The web chat's unit picker lists every institution's units, grouped by institution name
(a shared bot serves them all; the scanned unit decides the institution, issue 15)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, open_app
from core.settings import load_settings
from inspectorate.demo import DEMO, load_demo
from tests.support.clock import FakeClock
from tests.support.server import running_server


@pytest.fixture
async def web_app(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db", web_chat=True)
    async with open_app(settings, clock) as app:
        yield app


async def test_the_picker_lists_units_of_all_institutions_by_institution(
        web_app: App, clock: FakeClock) -> None:
    async with web_app.db.transaction() as conn:
        await load_demo(conn, clock.now())
    async with running_server(web_app) as server:
        units = (await server.http.get("/chat/api/units")).json()
    by_code = {u["code"]: u for u in units}
    for inst in DEMO:
        for code, name in inst.units:
            assert by_code[code] == {"code": code, "name": name, "institution": inst.name}
    assert by_code["DISDUKCAPIL"]["institution"] == web_app.settings.inspectorate_name
    # grouped: each institution's units together, institutions by name, units by name
    order = [u["institution"] for u in units]
    assert order == sorted(order)
    for institution in set(order):
        names = [u["name"] for u in units if u["institution"] == institution]
        assert names == sorted(names)
