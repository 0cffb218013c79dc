"""`spi-bot broadcast ...` from the command line, as staff use it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import open_app
from bot.cli import main
from core.settings import load_settings
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support.cli import run_cli
from tests.support.outreach import TEMPLATE, TEMPLATE_BODY, add_person

pytestmark = pytest.mark.both_backends


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bot.db"
    monkeypatch.setenv("SPI_DATABASE_PATH", str(path))

    async def seed() -> None:
        async with open_app(load_settings(_env_file=None, database_path=path)) as app:
            await add_person(app, "Siti", address="1")
            await add_person(app, "Rina", channel="whatsapp")

    asyncio.run(seed())
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["broadcast", *argv])
    return code, capsys.readouterr().out


def twilio_env(api: FakeTwilioApi) -> dict[str, str]:
    """Settings that point the template reader at the fake Content API."""
    return {"SPI_TWILIO_ACCOUNT_SID": api.account_sid, "SPI_TWILIO_AUTH_TOKEN": api.auth_token,
            "SPI_TWILIO_API_BASE_URL": api.base_url}


async def test_create_shows_preview_and_needs_confirmation(
    database: Path, monkeypatch: pytest.MonkeyPatch, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.templates[TEMPLATE] = TEMPLATE_BODY
    settings = load_settings(_env_file=None, database_path=database)
    args = ("broadcast", "create", "--text", "Halo {nama}, info SPI.", "--template", TEMPLATE,
            "--var", "1={nama}", "--at", "2030-01-07 09:00", "--tz", "WITA")
    result = await run_cli(monkeypatch, settings, *args, env=twilio_env(twilio_api))
    assert result.code == 1
    assert "Penerima: 2 (telegram 1, whatsapp 1)" in result.out
    assert "Di luar jendela WhatsApp 24 jam (dikirim dengan templat): 1" in result.out
    assert "Tambahkan --yes" in result.out
    result = await run_cli(monkeypatch, settings, *args, "--yes", env=twilio_env(twilio_api))
    assert result.code == 0
    assert "Siaran 1 dibuat. Jadwal: 2030-01-07 09:00 WITA." in result.out
    result = await run_cli(monkeypatch, settings, "broadcast", "list")
    assert "#1 [aktif] 2030-01-07 09:00 WITA — Halo {nama}, info SPI." in result.out
    # Read at each preview and again at creation.
    assert [r.params for r in twilio_api.calls("Content.fetch")] == [{"sid": TEMPLATE}] * 3


def test_refusals_are_explained_in_indonesian(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "create", "--text", "Halo {nama}", "--yes")
    assert code == 1
    assert "Siaran tidak dibuat: 1 penerima WhatsApp berada di luar jendela 24 jam" in out
    code, out = run(capsys, "create", "--text", "Halo", "--every", "senen 09:00", "--yes")
    assert "Siaran tidak dibuat: Hari 'senen' tidak dikenal" in out
    code, out = run(capsys, "create", "--text", "Sudah isi survei SPI belum?", "--yes",
                    "--channel", "telegram")
    assert "Teks ditolak" in out


def test_recurring_create_then_pause_resume_cancel_and_show(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "create", "--text", "Pengingat SPI untuk {nama}", "--channel",
                    "telegram", "--every", "senin 09:00", "--tz", "WITA", "--from",
                    "2030-08-01", "--until", "2030-10-31", "--canary", "1", "--yes")
    assert code == 0, out
    assert "Uji coba: 1 penerima pertama dulu" in out
    assert "setiap Senin 09:00 WITA, 2030-08-01 s.d. 2030-10-31" in out
    assert run(capsys, "pause", "1") == (0, "Siaran 1 dijeda. Pesan yang sedang terkirim "
                                            "diselesaikan; sisanya menunggu sampai "
                                            "dilanjutkan.\n")
    assert run(capsys, "resume", "1")[1] == "Siaran 1 dilanjutkan.\n"
    code, out = run(capsys, "show", "1")
    assert "Siaran #1 [aktif]" in out
    assert "berikutnya: 2030-08-05 09:00 WITA" in out
    assert "Belum pernah dikirim." in out
    assert run(capsys, "cancel", "1")[1].startswith("Siaran 1 dibatalkan")
    code, out = run(capsys, "cancel", "1")
    assert (code, out) == (1, "Siaran 1 sudah dibatalkan; tidak ada yang bisa dibatalkan.\n")
    code, out = run(capsys, "show", "7")
    assert (code, out) == (1, "Siaran nomor 7 tidak ditemukan.\n")
