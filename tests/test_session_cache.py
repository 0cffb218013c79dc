"""The engine's conversation cache follows changes made by other processes within its max age."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from bot.app import App
from core.messages import Channel
from tests.support.dialog import User

pytestmark = pytest.mark.both_backends


async def test_a_session_removed_by_another_process_is_not_written_back(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await user.say("DAFTAR RSUD")
    await user.say("1")
    await user.say("Siti Aminah")
    async with app.db.transaction() as conn:  # what `spi-bot respondents delete` does
        await conn.execute("DELETE FROM sessions")
    with patch("bot.engine.session_cache.time.monotonic", return_value=10**9):
        await user.say("1")
    assert "sebagai apa" not in user.text  # the dialog was not resurrected from memory
    async with app.db.reading() as conn:
        rows = list(await conn.execute_fetchall("SELECT data FROM sessions"))
    assert all("Siti" not in r[0] for r in rows)
