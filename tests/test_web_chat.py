"""The local web chat: its HTTP API in-process, and a real browser registering through the page
served by a real `spi-bot run` process."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.channels.web_chat import NEW_SESSION_RATE, SESSION_RATE
from bot.server.runtime import ServerRuntime
from core.scope import DEFAULT_SCOPE
from core.settings import SettingsError, load_settings
from tests.support.clock import FakeClock
from tests.support.server import RunningServer, running_server

SPI_BOT = str(Path(sys.executable).parent / "spi-bot")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
async def web_app(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db", web_chat=True)
    async with open_app(settings, clock) as app:
        yield app


async def new_session(server: RunningServer) -> str:
    answer = await server.http.post("/chat/api/session", json={})
    assert answer.status_code == 200
    session: str = answer.json()["session"]
    return session


async def test_registration_through_the_web_chat_api(web_app: App) -> None:
    app = web_app
    async with running_server(app) as server:
        page = await server.http.get("/chat")
        assert page.status_code == 200
        assert 'name="viewport"' in page.text
        units = (await server.http.get("/chat/api/units")).json()
        assert any(u["code"] == "DISDUKCAPIL" and u["name"] for u in units)

        session = await new_session(server)

        async def say(payload: dict[str, str]) -> list[dict[str, object]]:
            answer = await server.http.post("/chat/api/message",
                                            json={"session": session, **payload})
            assert answer.status_code == 200
            replies: list[dict[str, object]] = answer.json()["replies"]
            return replies

        first = await say({"start": "DISDUKCAPIL"})
        assert first[-1]["choices"] == [{"label": "Setuju"}, {"label": "Tidak setuju"},
                                        {"label": "INFO"}]
        for text in ("1", "Siti Aminah", "1", "1", "bulan lalu", "0812-3456-7890", "LEWATI",
                     "1"):
            await say({"text": text})
        last = await say({"text": "1"})
        assert "terdaftar" in str(last[0]["text"])
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281234567890")
    assert respondent is not None
    assert respondent.status == "registered"  # a typed number is not proven


@pytest.mark.parametrize("body", [
    {"text": "x" * 2001},
    {"start": "DROP TABLE"},
    {"text": 5},
    ["not", "an", "object"],
])
async def test_web_chat_rejects_bad_requests_politely(web_app: App, body: object) -> None:
    async with running_server(web_app) as server:
        session = await new_session(server)
        if isinstance(body, dict):
            body = {"session": session, **body}
        answer = await server.http.post("/chat/api/message", json=body)
        assert answer.status_code == 400
        assert answer.json()["error"]  # a sentence for the page, not a traceback
        # a lone surrogate sent as raw JSON escape must not reach the engine either
        raw = b'{"session": "%s", "text": "\\ud800"}' % session.encode()
        answer = await server.http.post("/chat/api/message", content=raw,
                                        headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
    async with web_app.db.reading() as conn, conn.execute(
            "SELECT COUNT(*) FROM sessions") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_web_chat_is_off_unless_enabled_whatever_the_address(
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db")
    async with open_app(settings, clock) as app:
        assert not ServerRuntime(app, host="127.0.0.1", port=8080).web_chat
        assert not ServerRuntime(app, host="0.0.0.0", port=8080).web_chat  # noqa: S104
        async with running_server(app) as server:
            assert (await server.http.get("/chat")).status_code == 404
            answer = await server.http.post("/chat/api/message", json={"text": "halo"})
            assert answer.status_code in (404, 405)
    enabled = load_settings(_env_file=None, database_path=tmp_path / "bot.db", web_chat=True)
    async with open_app(enabled, clock) as app:
        assert ServerRuntime(app, host="0.0.0.0", port=8080).web_chat  # noqa: S104


async def test_a_session_id_chosen_by_the_client_is_refused(web_app: App) -> None:
    async with running_server(web_app) as server:
        real = await new_session(server)
        forged = [None, "web-session-0123456789", real[:23] + "A" * 22,
                  "A" * 22 + "." + real.split(".")[1]]
        for session in forged:
            answer = await server.http.post("/chat/api/message",
                                            json={"session": session, "text": "halo"})
            assert answer.status_code == 401
        assert (await server.http.post("/chat/api/message",
                                       json={"session": real, "text": "halo"})).status_code == 200


def test_a_web_chat_identity_can_never_be_staff(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="tidak bisa menjadi admin"):
        load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                      admins="web:abcdefghijklmnop0123")


async def test_cross_site_posts_are_refused(web_app: App) -> None:
    async with running_server(web_app) as server:
        session = await new_session(server)
        body = {"session": session, "text": "halo"}
        # a plain HTML form from another site: form-encoded, never parsed as JSON
        form = await server.http.post("/chat/api/message", data=body)
        assert form.status_code == 415
        text_plain = await server.http.post(
            "/chat/api/message", content=json.dumps(body),
            headers={"Content-Type": "text/plain"})
        assert text_plain.status_code == 415
        evil = await server.http.post("/chat/api/message", json=body,
                                      headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403
        fetch_site = await server.http.post("/chat/api/message", json=body,
                                            headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch_site.status_code == 403
        session_evil = await server.http.post("/chat/api/session", json={},
                                              headers={"Origin": "https://evil.example"})
        assert session_evil.status_code == 403
        own = await server.http.post("/chat/api/message", json=body,
                                     headers={"Origin": server.url,
                                              "Sec-Fetch-Site": "same-origin"})
        assert own.status_code == 200
    async with web_app.db.reading() as conn, conn.execute(
            "SELECT COUNT(*) FROM processed_inbound") as cur:
        assert (await cur.fetchone())[0] <= 1


async def test_web_chat_is_rate_limited_per_session_and_per_address(web_app: App) -> None:
    async with running_server(web_app) as server:
        session = await new_session(server)
        codes = [(await server.http.post("/chat/api/message",
                                         json={"session": session, "text": "halo"})).status_code
                 for _ in range(SESSION_RATE.amount + 1)]
        assert codes[:-1] == [200] * SESSION_RATE.amount
        assert codes[-1] == 429
        # new sessions from one address are limited too, so rotating sessions does not help
        made = [(await server.http.post("/chat/api/session", json={})).status_code
                for _ in range(NEW_SESSION_RATE.amount + 1)]
        assert made[-1] == 429


async def test_pages_carry_csp_and_frame_protection(web_app: App) -> None:
    async with running_server(web_app) as server:
        page = await server.http.get("/chat")
        health = await server.http.get("/healthz")
    for answer in (page, health):
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-frame-options"] == "DENY"
    assert "UJI COBA" in page.text


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
            "SPI_WEB_CHAT": "true", "PYTHONUNBUFFERED": "1"}
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
    """A liveness bound, not a speed check: a loaded CI machine may take many seconds."""
    import time
    import urllib.request

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"spi-bot run exited early:\n{log.read_text()}")
        health = f"{url}/healthz"
        try:
            with urllib.request.urlopen(health, timeout=1) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
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
        next(e for e in driver.find_elements(By.CSS_SELECTOR, ".choice")
             if e.text.strip() == "1. Setuju").click()
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
