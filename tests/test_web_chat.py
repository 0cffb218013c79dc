"""The local web chat: its HTTP API in-process, and a real browser registering through the page
served by a real `spi-bot run` process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.server.runtime import ServerRuntime
from core.settings import load_settings
from tests.support.clock import FakeClock
from tests.support.server import running_server

SESSION = "web-session-0123456789"
SPI_BOT = str(Path(sys.executable).parent / "spi-bot")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


async def test_registration_through_the_web_chat_api(app: App) -> None:
    async with running_server(app) as server:
        page = await server.http.get("/chat")
        assert page.status_code == 200
        assert 'name="viewport"' in page.text
        units = (await server.http.get("/chat/api/units")).json()
        assert {"code": "DISDUKCAPIL", "name": units[[u["code"] for u in units].index(
            "DISDUKCAPIL")]["name"]} in units

        async def say(payload: dict[str, str]) -> list[dict[str, object]]:
            answer = await server.http.post("/chat/api/message",
                                            json={"session": SESSION, **payload})
            assert answer.status_code == 200
            replies: list[dict[str, object]] = answer.json()["replies"]
            return replies

        first = await say({"start": "DISDUKCAPIL"})
        assert first[-1]["choices"] == [{"label": "Setuju"}, {"label": "Tidak setuju"}]
        for text in ("1", "Siti Aminah", "1", "1", "bulan lalu", "0812-3456-7890", "LEWATI",
                     "1"):
            await say({"text": text})
        last = await say({"text": "1"})
        assert "terdaftar" in str(last[0]["text"])
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, "+6281234567890")
    assert respondent is not None
    assert respondent.status == "registered"  # a typed number is not proven


@pytest.mark.parametrize("body", [
    {"session": "short", "text": "halo"},
    {"session": SESSION, "text": "x" * 2001},
    {"session": SESSION, "start": "DROP TABLE"},
    {"session": SESSION, "text": 5},
    ["not", "an", "object"],
])
async def test_web_chat_rejects_bad_requests_politely(app: App, body: object) -> None:
    async with running_server(app) as server:
        answer = await server.http.post("/chat/api/message", json=body)
    assert answer.status_code == 400


async def test_web_chat_is_off_on_a_public_address_unless_enabled(
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db")
    async with open_app(settings, clock) as app:
        assert ServerRuntime(app, host="127.0.0.1", port=8080).web_chat
        assert ServerRuntime(app, host="::1", port=8080).web_chat
        assert not ServerRuntime(app, host="0.0.0.0", port=8080).web_chat  # noqa: S104
    enabled = load_settings(_env_file=None, database_path=tmp_path / "bot.db", web_chat=True)
    async with open_app(enabled, clock) as app:
        assert ServerRuntime(app, host="0.0.0.0", port=8080).web_chat  # noqa: S104


# --- a real process and a real browser -------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bot_process(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    """`spi-bot run` with no credentials, as a deployer would start it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env |= {"SPI_DATABASE_PATH": str(tmp_path / "bot.db"), "SPI_PORT": str(port),
            "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen([SPI_BOT, "run"], cwd=tmp_path, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url, process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[str], log: Path) -> None:
    import urllib.request

    for _ in range(200):
        if process.poll() is not None:
            pytest.fail(f"spi-bot run exited early:\n{log.read_text()}")
        health = f"{url}/healthz"
        try:
            with urllib.request.urlopen(health, timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.05)
    pytest.fail(f"spi-bot run did not come up:\n{log.read_text()}")


def test_run_without_credentials_names_channels_and_stops_cleanly(
    bot_process: tuple[str, subprocess.Popen[str], Path],
) -> None:
    _, process, log = bot_process
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    lines = [line for line in log.read_text().splitlines() if "Kanal aktif" in line]
    assert len(lines) == 1
    assert "telegram: off" in lines[0]
    assert "whatsapp: off" in lines[0]
    assert "/chat" in lines[0]
    assert "Kanal ditutup" in log.read_text()


def _browser(user_data: Path) -> Any:
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
                 f"--user-data-dir={user_data}", "--window-size=390,844"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def test_browser_registers_through_the_web_chat_on_a_phone_sized_screen(
    bot_process: tuple[str, subprocess.Popen[str], Path], tmp_path: Path,
) -> None:
    url, process, _ = bot_process
    driver = _browser(tmp_path / "chromium-profile")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def idle() -> None:
        WebDriverWait(driver, 20).until(
            lambda d: d.find_element(By.ID, "messages").get_attribute("data-idle") == "1")

    def bot_texts() -> list[str]:
        return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".msg.bot")]

    def type_and_send(text: str) -> None:
        box = driver.find_element(By.ID, "text")
        box.send_keys(text)
        driver.find_element(By.ID, "send").click()
        idle()

    try:
        driver.get(f"{url}/chat")
        idle()
        Select(driver.find_element(By.ID, "unit")).select_by_value("DISDUKCAPIL")
        driver.find_element(By.ID, "start").click()
        idle()
        assert "Setuju" in bot_texts()[-1]
        driver.find_elements(By.CSS_SELECTOR, ".choice")[-2].click()
        idle()
        for text in ("Siti Aminah", "1", "1", "bulan lalu", "081234567890", "LEWATI", "1",
                     "1"):
            type_and_send(text)
        assert "terdaftar" in "\n".join(bot_texts()[-2:])
        fits = driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, "the page scrolls sideways on a phone-sized screen"
    finally:
        driver.quit()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    database = Path(tmp_path / "bot.db")
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT phone, unit_code, status FROM respondents").fetchall()
    assert rows == [("+6281234567890", "DISDUKCAPIL", "registered")]
