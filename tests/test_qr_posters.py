"""`spi-bot qr`: posters whose QR codes, read back by a decoder, carry exactly our links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.app import App
from core.settings import Settings
from tests.support.cli import run_cli

ENV = {"SPI_TWILIO_WHATSAPP_NUMBER": "0811-0000-1111",
       "SPI_TELEGRAM_BOT_USERNAME": "SpiSukamajuBot"}
WHATSAPP = "https://wa.me/6281100001111?text=DAFTAR%20DISDUKCAPIL"
TELEGRAM = "https://t.me/SpiSukamajuBot?start=DISDUKCAPIL"


def decoded(path: Path) -> list[str]:
    with Image.open(path) as image:
        return sorted(code.text for code in zxingcpp.read_barcodes(image))


async def test_each_poster_carries_exactly_the_whatsapp_and_telegram_links(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "poster"
    result = await run_cli(monkeypatch, settings, "qr", "--unit", "disdukcapil", "--out",
                           str(out), env=ENV)
    assert result.code == 0, result.out
    assert sorted(p.name for p in out.iterdir()) == [
        "DISDUKCAPIL-a4.pdf", "DISDUKCAPIL-a4.png", "DISDUKCAPIL-xbanner.pdf",
        "DISDUKCAPIL-xbanner.png"]
    for size in ("a4", "xbanner"):
        assert decoded(out / f"DISDUKCAPIL-{size}.png") == sorted([TELEGRAM, WHATSAPP])
    # The PDFs print at the real size: A4 and 60 × 160 cm, in points.
    for size, (width_cm, height_cm) in (("a4", (21.0, 29.7)), ("xbanner", (60.0, 160.0))):
        pdf = (out / f"DISDUKCAPIL-{size}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        box = re.search(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", pdf)
        assert box is not None
        assert float(box[1]) == pytest.approx(width_cm / 2.54 * 72, rel=0.01)
        assert float(box[2]) == pytest.approx(height_cm / 2.54 * 72, rel=0.01)


async def test_qr_needs_the_bot_addresses_and_a_known_unit(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPI_TWILIO_WHATSAPP_NUMBER", raising=False)
    monkeypatch.delenv("SPI_TELEGRAM_BOT_USERNAME", raising=False)
    missing = await run_cli(monkeypatch, settings, "qr", "--all", "--out", str(tmp_path))
    assert missing.code == 2
    assert "SPI_TWILIO_WHATSAPP_NUMBER dan/atau SPI_TELEGRAM_BOT_USERNAME" in missing.out
    unknown = await run_cli(monkeypatch, settings, "qr", "--unit", "NOPE", "--out",
                            str(tmp_path), env=ENV)
    assert unknown.code == 1 and "Unit 'NOPE' tidak dikenal" in unknown.out


async def test_poster_with_only_telegram_configured_has_one_code(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPI_TWILIO_WHATSAPP_NUMBER", raising=False)
    result = await run_cli(monkeypatch, settings, "qr", "--unit", "DISDUKCAPIL", "--size",
                           "a4", "--out", str(tmp_path),
                           env={"SPI_TELEGRAM_BOT_USERNAME": "@SpiSukamajuBot"})
    assert result.code == 0, result.out
    assert "SPI_TWILIO_WHATSAPP_NUMBER belum diatur" in result.out
    assert decoded(tmp_path / "DISDUKCAPIL-a4.png") == [TELEGRAM]
