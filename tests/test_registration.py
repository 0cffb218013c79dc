"""Registration dialogs through the engine's front door."""

from __future__ import annotations

from bot.app import App
from bot.messages import Channel
from tests.support.dialog import User, register


async def count(app: App, sql: str) -> int:
    async with app.db.reading() as conn, conn.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0])


async def test_happy_path_on_telegram_stores_one_verified_respondent(app: App) -> None:
    user = User(app.engine)
    await register(user)
    assert "Anda terdaftar sebagai calon responden" in user.text
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, "+6281234567890")
    assert respondent is not None
    assert respondent.status == "verified"
    assert respondent.name == "Siti Aminah"
    assert respondent.unit_code == "DISDUKCAPIL"
    assert respondent.service_month == "2026-10"
    assert respondent.consent_version == app.settings.consent_version
    assert respondent.consent_at is not None
    assert await count(app, "SELECT COUNT(*) FROM sessions") == 0


async def test_whatsapp_sender_number_is_confirmed_not_asked(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222")
    await register(user)
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, "+6281311112222")
    assert respondent is not None and respondent.status == "verified"
