"""The staff console in a real browser (Debian's chromium through chromium-driver): log in,
upload a list with bad rows and read the report, confirm the import, download a poster and
decode its QR codes, create a catalogue broadcast with a canary and resume it against the
loopback Telegram fake, log out. Each page is photographed at phone and laptop width: into a
temporary folder on every run (the tree stays clean), and into docs/screenshots/ (the README
points there) only with SPI_UPDATE_SCREENSHOTS=1:

    SPI_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/test_console_browser.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from bot.app import open_app
from core.settings import load_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.clock import FakeClock
from tests.support.console import PASSWORD, add_staff
from tests.support.outreach import add_person, rows
from tests.support.server import running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DOCS_SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZES = {"ponsel": (390, 844), "laptop": (1280, 860)}
WHATSAPP = "https://wa.me/6281100001111?text=DAFTAR%20DISDUKCAPIL"
TELEGRAM = "https://t.me/SpiSukamajuBot?start=DISDUKCAPIL"
# Two good rows, a name a spreadsheet would run as a formula, a bad number and unknown unit.
LIST = ("Nama,No. HP / WA,Kode Unit,Kategori\n"
        "Rina Wulandari,0813-1111-2201,DISDUKCAPIL,eksternal\n"
        "Agus Salim,081311112202,DISDUKCAPIL,internal\n"
        "=HYPERLINK(\"x\"),081311112203,DISDUKCAPIL,eksternal\n"
        "Dewi,12345,TIDAKADA,eksternal\n")
RECIPIENTS = 6
CANARY = 2


def _browser(profile: Path, downloads: Path) -> Any:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed "
                    "(python3 dev.py test installs them when run as root with apt-get)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=1280,860", "--lang=id"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False})
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


class Walk:
    """The browser side of the test, run in a thread while the server runs in the loop."""

    def __init__(self, driver: Any, url: str, downloads: Path, list_file: Path,
                 telegram_sent: Callable[[], int], *, screenshots: Path) -> None:
        self.d = driver
        self.url = url
        self.downloads = downloads
        self.screenshots = screenshots
        self.list_file = list_file
        self.telegram_sent = telegram_sent
        self.shots: list[str] = []

    def by(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, css)

    def wait(self, check: Callable[[], bool], what: str, seconds: float = 60,
             refresh: bool = False) -> None:
        """A liveness bound, not a speed check: a loaded machine may take long."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except Exception:  # noqa: S110 - the element is not there yet
                pass
            time.sleep(0.3)
            if refresh:
                self.d.refresh()
        from selenium.webdriver.common.by import By

        shown = self.d.find_element(By.TAG_NAME, "body").text[:1500]
        raise AssertionError(f"timed out waiting for {what}; page {self.d.current_url}:\n{shown}")

    def go(self, path: str) -> None:
        self.d.get(self.url + path)

    def shoot(self, name: str) -> None:
        """The page at phone and laptop width; the page must not scroll sideways on a phone."""
        for label, (width, height) in SIZES.items():
            self.d.set_window_size(width, height)
            time.sleep(0.2)
            if label == "ponsel":
                fits = self.d.execute_script(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1")
                assert fits, f"{name} scrolls sideways on a phone-sized screen"
            self._full_page(self.screenshots / f"{name}-{label}.png", width)
        self.d.set_window_size(*SIZES["laptop"])
        self.shots.append(name)

    def _full_page(self, path: Path, width: int) -> None:
        """The whole page, not only what fits the window (at most 2,400 px tall)."""
        import base64

        height = min(2400, int(self.d.execute_script(
            "return document.documentElement.scrollHeight")))
        shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        path.write_bytes(base64.b64decode(shot["data"]))

    def run(self) -> None:
        self.go("/staf/")
        self.wait(lambda: "/staf/masuk" in self.d.current_url, "the login page")
        self.shoot("masuk")
        self.by("#username").send_keys("admin")
        self.by("#password").send_keys(PASSWORD)
        self.by("#masuk").click()
        self.wait(lambda: self.by("h1").text == "Beranda", "Beranda")
        self.shoot("beranda")
        self.import_list()
        self.posters()
        self.broadcast()
        self.go("/staf/statistik")
        self.wait(lambda: self.d.execute_script(
            "const i = document.querySelector('figure.chart img'); "
            "return i.complete && i.naturalWidth > 0"), "the registrations chart")
        self.shoot("statistik")
        for path, name in (("/staf/audit", "audit"), ("/staf/akun", "akun")):
            self.go(path)
            self.shoot(name)
        self.by("#keluar").click()
        self.wait(lambda: "Anda sudah keluar" in self.d.page_source, "the logout notice")
        self.go("/staf/responden")
        self.wait(lambda: "/staf/masuk" in self.d.current_url, "a login after logout")

    def import_list(self) -> None:
        self.go("/staf/responden")
        self.by("#berkas").send_keys(str(self.list_file))
        self.by("#periksa-berkas").click()
        self.wait(lambda: self.by("#bermasalah").text == "2", "the quality report")
        assert self.by("#baru").text == "2"
        lines = self.by("#laporan").text.splitlines()[1:]
        assert lines[0].startswith("4 ditolak") and "rumus" in lines[0]
        assert lines[1].startswith("5 ditolak") and "nomor HP tidak valid" in lines[1]
        assert "unit tidak dikenal" in lines[1]
        self.shoot("responden-laporan")
        self.by("#impor").click()
        self.wait(lambda: "Impor #" in self.by("#impor-selesai").text, "the import")
        self.go("/staf/responden?unit=DISDUKCAPIL")
        assert "Rina Wulandari" in self.d.page_source
        self.shoot("responden")
        from selenium.webdriver.common.by import By

        self.d.find_element(By.LINK_TEXT, "Rina Wulandari").click()
        self.wait(lambda: "+6281311112201" in self.by("dl.facts").text, "one person's data")
        self.shoot("responden-orang")

    def posters(self) -> None:
        self.go("/staf/unit")
        self.by("details summary").click()
        self.wait(lambda: self.d.execute_script(
            "const i = document.querySelector('img.preview'); "
            "return i !== null && i.complete && i.naturalWidth > 0"), "the poster preview")
        self.shoot("unit")
        self.by("a.poster-a4-png[href$='/DISDUKCAPIL/a4.png']").click()
        target = self.downloads / "DISDUKCAPIL-a4.png"
        self.wait(lambda: target.exists() and target.stat().st_size > 0
                  and not list(self.downloads.glob("*.crdownload")), "the poster download")

    def broadcast(self) -> None:
        from selenium.webdriver.common.keys import Keys

        self.go("/staf/siaran")
        self.by("#siaran-baru").click()
        self.wait(lambda: self.by("h1").text == "Buat siaran", "the composer")
        canary = self.by("#uji")
        canary.clear()
        canary.send_keys(str(CANARY))
        canary.send_keys(Keys.TAB)  # a change: htmx asks for the live check by itself
        self.wait(lambda: self.by("#jumlah-penerima").text == str(RECIPIENTS), "the live check")
        assert "Uji coba: 2 penerima pertama" in self.by("#pratinjau").text
        self.by("#periksa").click()
        self.wait(lambda: self.by("#jumlah-penerima").text == str(RECIPIENTS), "the preview")
        assert "telegram" in self.by("#hasil-periksa").text
        self.shoot("siaran-baru")
        self.by("#buat").click()
        self.wait(lambda: "/staf/siaran/" in self.d.current_url
                  and "Siaran dibuat" in self.d.page_source, "the broadcast page")
        self.wait(lambda: self.telegram_sent() == CANARY
                  and self.by("#lanjut") is not None, "the canary", refresh=True)
        self.shoot("siaran-uji-coba")
        self.by("#lanjut").click()
        self.wait(lambda: self.telegram_sent() == RECIPIENTS, "the rest of the list")
        self.wait(lambda: self.by("#status-siaran").text == "selesai", "completion",
                  refresh=True)
        self.shoot("siaran")
        self.go("/staf/siaran")
        self.shoot("siaran-daftar")


def screenshot_folder(tmp_path: Path) -> Path:
    """docs/screenshots/ when asked to refresh them (SPI_UPDATE_SCREENSHOTS=1), else a folder
    of this run that pytest removes: a test run must not rewrite files under git."""
    if os.environ.get("SPI_UPDATE_SCREENSHOTS", "") not in ("", "0"):
        return DOCS_SCREENSHOTS
    return tmp_path / "screenshots"


def decoded(path: Path) -> list[str]:
    with Image.open(path) as image:
        return sorted(code.text for code in zxingcpp.read_barcodes(image))


async def test_staff_console_in_a_real_browser(tmp_path: Path) -> None:
    clock = FakeClock()  # 11:00 WITA: outside quiet hours everywhere
    screenshots = screenshot_folder(tmp_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    downloads = tmp_path / "unduhan"
    downloads.mkdir()
    list_file = tmp_path / "daftar-disdukcapil.csv"
    list_file.write_text(LIST, encoding="utf-8")
    async with FakeTelegramApi() as telegram:
        settings = load_settings(
            _env_file=None, database_path=tmp_path / "bot.db",
            telegram_bot_token=telegram.token, telegram_api_base_url=telegram.base_url,
            telegram_bot_username="SpiSukamajuBot", twilio_whatsapp_number="0811-0000-1111")
        async with open_app(settings, clock) as app:
            staff_id = await add_staff(app, "admin")
            for n in range(RECIPIENTS):
                await add_person(app, f"Warga Uji {chr(65 + n)}", channel="telegram")
            async with running_server(app) as server:
                driver = await asyncio.to_thread(_browser, tmp_path / "profile", downloads)
                walk = Walk(driver, server.url, downloads, list_file,
                            lambda: len(telegram.sent_texts()), screenshots=screenshots)
                try:
                    await asyncio.to_thread(walk.run)
                finally:
                    await asyncio.to_thread(driver.quit)
            texts = telegram.sent_texts()
            assert len(texts) == RECIPIENTS
            assert all("SPI" in text for text in texts)
            imported = await rows(app, "SELECT name FROM respondents WHERE source = 'import' "
                                       "ORDER BY name")
            assert imported == [("Agus Salim",), ("Rina Wulandari",)]
            actions = [r[0] for r in await rows(
                app, "SELECT action FROM audit_log WHERE actor = ? ORDER BY id",
                f"staff:{staff_id}")]
    assert decoded(downloads / "DISDUKCAPIL-a4.png") == sorted([TELEGRAM, WHATSAPP])
    for action in ("console.login", "respondents.imported", "respondent.shown",
                   "broadcast.created",
                   "broadcast.resumed", "console.logout"):
        assert action in actions
    assert len(walk.shots) == 13
    for name in walk.shots:
        for label in SIZES:
            assert (screenshots / f"{name}-{label}.png").stat().st_size > 0


def test_screenshots_go_to_docs_only_when_asked(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPI_UPDATE_SCREENSHOTS", raising=False)
    assert screenshot_folder(tmp_path) == tmp_path / "screenshots"
    monkeypatch.setenv("SPI_UPDATE_SCREENSHOTS", "0")
    assert screenshot_folder(tmp_path) == tmp_path / "screenshots"
    monkeypatch.setenv("SPI_UPDATE_SCREENSHOTS", "1")
    assert screenshot_folder(tmp_path) == DOCS_SCREENSHOTS
