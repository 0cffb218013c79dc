"""The staff console over HTTP: accounts, sessions, the CSRF and role gates, institutions kept
apart, and the import flow, on SQLite and PostgreSQL (the browser test is
tests/test_console_browser.py)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pyotp
import pytest

from bot.app import App
from bot.console.auth import LOCK_AFTER
from core.roles import StaffRole
from core.settings import Settings, load_settings
from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from tests.support.console import (
    PASSWORD,
    add_staff,
    csrf_of,
    form_token,
    logged_in,
    login,
)
from tests.support.outreach import add_person, rows
from tests.support.server import running_server

pytestmark = pytest.mark.both_backends


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """As everywhere, with a bot name so the poster pages are on (they answer 404 without)."""
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         database_url=database_url, telegram_bot_username="SpiUjiBot")


async def audit_actions(app: App, actor: str) -> list[str]:
    return [str(r[0]) for r in await rows(app, "SELECT action FROM audit_log WHERE actor = ? "
                                               "ORDER BY id", actor)]


async def test_staff_add_prints_a_one_time_link_that_sets_the_password(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = await run_cli(monkeypatch, settings, "staff", "add", "--institution", "utama",
                           "--role", "admin", "Siti.A", "Siti Aminah")
    assert result.code == 0, result.out
    link = re.search(r"http://localhost:\d+(/staf/sandi/\S+)", result.out)
    assert link is not None
    listed = await run_cli(monkeypatch, settings, "staff", "list")
    assert "siti.a" in listed.out and "menunggu kata sandi" in listed.out
    # nothing secret is stored as given
    [(stored,)] = await rows(app, "SELECT token_hash FROM staff_tokens")
    assert str(stored) not in link[1]
    async with running_server(app) as server:
        http = server.http
        page = await http.get(link[1])
        assert page.status_code == 200 and "Siti Aminah" in page.text
        weak = await http.post(link[1], data={"csrf": csrf_of(page.text), "password": "pendek",
                                              "confirm": "pendek"})
        assert weak.status_code == 400 and "minimal 10" in weak.text
        page = await http.get(link[1])
        done = await http.post(link[1], data={"csrf": csrf_of(page.text), "password": PASSWORD,
                                              "confirm": PASSWORD})
        assert done.status_code == 303
        assert (await http.get(link[1])).status_code == 404  # used once
        assert (await login(http, "siti.a")).status_code == 303
        home = await http.get("/staf/")
        assert home.status_code == 200 and "Beranda" in home.text
    [(hashed,)] = await rows(app, "SELECT password_hash FROM staff_credentials")
    assert str(hashed).startswith("$argon2id$") and PASSWORD not in str(hashed)
    bad = await run_cli(monkeypatch, settings, "staff", "add", "--role", "operator", "budi",
                        "Budi")
    assert bad.code == 1 and "--institution" in bad.out
    off = await run_cli(monkeypatch, settings, "staff", "disable", "siti.a")
    assert off.code == 0


async def test_a_cross_site_post_is_refused(app: App) -> None:
    rid, _ = await add_person(app, "Siti Aminah")
    await add_staff(app, "admin")
    async with running_server(app) as server, logged_in(server.url, "admin") as http:
        token = await form_token(http, f"/staf/responden/{rid}")
        form = {"csrf": token, "alasan": "permintaan", "yakin": "ya"}
        path = f"/staf/responden/{rid}/hapus"
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                        {"Origin": "null", "Sec-Fetch-Site": "same-site"}):
            answer = await http.post(path, data=form, headers=headers)
            assert answer.status_code == 403, headers
        without_token = await http.post(path, data={**form, "csrf": "x" * 43})
        assert without_token.status_code == 403
        assert (await rows(app, "SELECT status FROM respondents WHERE id = ?", rid)) == \
            [("verified",)]
        # the login form is guarded the same way
        evil_login = await http.post("/staf/masuk", data={"username": "admin"},
                                     headers={"Origin": "https://evil.example"})
        assert evil_login.status_code == 403
        own = await http.post(path, data=form, headers={"Origin": server.url,
                                                        "Sec-Fetch-Site": "same-origin"})
        assert own.status_code == 303
    assert (await rows(app, "SELECT status FROM respondents WHERE id = ?", rid)) == \
        [("erased",)]


async def test_five_wrong_passwords_lock_the_account_for_a_while(
    app: App, clock: FakeClock,
) -> None:
    staff_id = await add_staff(app, "admin")
    async with running_server(app) as server:
        http = server.http
        answers = [await login(http, "admin", "salah-sekali-ini") for _ in range(LOCK_AFTER)]
        assert [a.status_code for a in answers] == [401] * LOCK_AFTER
        assert "dikunci" in answers[-1].text
        right_but_locked = await login(http, "admin")
        assert right_but_locked.status_code == 401 and "dikunci" in right_but_locked.text
        clock.advance(minutes=16)
        assert (await login(http, "admin")).status_code == 303
    assert await audit_actions(app, "console:login") == \
        ["console.login_failed"] * LOCK_AFTER + ["console.login_locked"]
    assert await audit_actions(app, f"staff:{staff_id}") == ["console.login"]


async def test_one_address_may_try_ten_logins_a_minute_whatever_the_account(
    app: App,
) -> None:
    await add_staff(app, "admin")
    async with running_server(app) as server:
        http = server.http
        answers = [await login(http, f"tidak-ada-{n}", "salah-sekali-ini") for n in range(10)]
        assert [a.status_code for a in answers] == [401] * 10
        refused = await login(http, "admin")  # even the right password, from this address
        assert refused.status_code == 429 and "Terlalu banyak percobaan" in refused.text
    # no account was locked by guesses at other names
    assert (await rows(app, "SELECT failed_attempts, locked_until FROM staff_credentials")) == \
        [(0, None)]


async def test_an_operator_cannot_reach_export_or_delete(app: App) -> None:
    rid, _ = await add_person(app, "Siti Aminah")
    operator = await add_staff(app, "operator", StaffRole.OPERATOR)
    async with running_server(app) as server, logged_in(server.url, "operator") as http:
        token = await form_token(http)
        for path in ("/staf/responden/ekspor", f"/staf/responden/{rid}/hapus",
                     "/staf/akun/petugas", "/staf/responden/unggah"):
            answer = await http.post(path, data={"csrf": token, "alasan": "permintaan",
                                                 "yakin": "ya", "format": "csv"})
            assert answer.status_code == 403, path
        for path in (f"/staf/responden/{rid}", "/staf/audit"):
            assert (await http.get(path)).status_code == 403, path
        page = await http.get("/staf/responden")
        assert page.status_code == 200 and "Siti Aminah" not in page.text
        assert "Ekspor" not in page.text and "Unggah" not in page.text
        # catalogue broadcasts yes, free text no
        composer = await http.get("/staf/siaran/baru")
        assert 'value="sendiri"' not in composer.text
        free = await http.post("/staf/siaran/pratinjau", data={
            "csrf": token, "sumber": "sendiri", "teks": "Halo {nama}"})
        assert "hanya boleh memakai teks dari katalog" in free.text
    assert (await rows(app, "SELECT status FROM respondents WHERE id = ?", rid)) == \
        [("verified",)]
    assert (await audit_actions(app, f"staff:{operator}")).count("console.refused") == 7


async def test_the_national_role_sees_only_aggregates(app: App) -> None:
    await add_person(app, "Siti Aminah")
    await add_staff(app, "pusat", StaffRole.NATIONAL)
    async with running_server(app) as server, logged_in(server.url, "pusat") as http:
        for path in ("/staf/", "/staf/statistik", "/staf/statistik.csv"):
            page = await http.get(path)
            assert page.status_code == 200 and "Siti Aminah" not in page.text, path
        for path in ("/staf/responden", "/staf/unit", "/staf/siaran", "/staf/audit",
                     "/staf/unit/DISDUKCAPIL/a4.png"):
            assert (await http.get(path)).status_code == 403, path


async def test_sessions_end_after_inactivity_and_can_be_revoked(
    app: App, clock: FakeClock,
) -> None:
    await add_staff(app, "admin")
    async with running_server(app) as server, logged_in(server.url, "admin") as first, \
                logged_in(server.url, "admin") as second:
        clock.advance(minutes=20)
        assert (await first.get("/staf/")).status_code == 200
        clock.advance(minutes=20)  # first touched 20 minutes ago, second 40
        assert (await first.get("/staf/")).status_code == 200
        assert (await second.get("/staf/")).status_code == 303
        async with logged_in(server.url, "admin") as third:
            page = await first.get("/staf/akun")
            [sid] = [int(s) for s in re.findall(r"/staf/akun/sesi/(\d+)/cabut", page.text)]
            revoked = await first.post(f"/staf/akun/sesi/{sid}/cabut",
                                       data={"csrf": csrf_of(page.text)})
            assert revoked.status_code == 303
            assert (await third.get("/staf/")).status_code == 303
        logout = await first.post("/staf/keluar",
                                  data={"csrf": await form_token(first)})
        assert logout.status_code == 303
        assert (await first.get("/staf/")).status_code == 303


async def test_an_admin_turns_on_the_second_factor_and_each_code_works_once(
    app: App, clock: FakeClock,
) -> None:
    await add_staff(app, "admin")
    async with running_server(app) as server:
        async with logged_in(server.url, "admin") as http:
            page = await http.get("/staf/akun/totp")
            secret = re.search(r'id="kunci">([A-Z2-7]+)<', page.text)
            assert secret is not None
            code = pyotp.TOTP(secret[1]).at(clock.now())
            done = await http.post("/staf/akun/totp", data={
                "csrf": csrf_of(page.text), "rahasia": secret[1], "kode": code})
            assert done.status_code == 303
        clock.advance(seconds=30)
        async with running_server(app) as again:
            http = again.http
            step = await login(http, "admin")
            assert step.headers["location"] == "/staf/masuk/kode"
            assert (await http.get("/staf/")).status_code == 303  # not in before the code
            page = await http.get("/staf/masuk/kode")
            code = pyotp.TOTP(secret[1]).at(clock.now())
            done = await http.post("/staf/masuk/kode", data={"csrf": csrf_of(page.text),
                                                             "code": code})
            assert done.status_code == 303
            assert (await http.get("/staf/")).status_code == 200
            await http.post("/staf/keluar", data={"csrf": await form_token(http)})
            await login(http, "admin")
            page = await http.get("/staf/masuk/kode")
            reused = await http.post("/staf/masuk/kode", data={"csrf": csrf_of(page.text),
                                                               "code": code})
            assert reused.status_code == 401


BAD_LIST = ("Nama,No HP,Unit,Kategori\n"
            "Siti Aminah,081234567801,DISDUKCAPIL,eksternal\n"
            "Budi Santoso,0812-3456-7802,DISDUKCAPIL,eksternal\n"
            "=HYPERLINK(1),081234567803,DISDUKCAPIL,eksternal\n"
            "Ani,12345,NOPE,eksternal\n")


async def _upload_bad_list(http: httpx.AsyncClient) -> tuple[str, httpx.Response]:
    """BAD_LIST uploaded on Responden: the form token and the quality report page."""
    token = await form_token(http, "/staf/responden")
    report = await http.post("/staf/responden/unggah", data={"csrf": token},
                             files={"berkas": ("daftar.csv", BAD_LIST.encode(), "text/csv")})
    return token, report


async def test_an_uploaded_list_is_reported_then_imported_on_confirmation(app: App) -> None:
    staff_id = await add_staff(app, "admin")
    async with running_server(app) as server, logged_in(server.url, "admin") as http:
        token, report = await _upload_bad_list(http)
        assert report.status_code == 200
        assert re.search(r'id="bermasalah">2<', report.text)
        assert re.search(r'id="baru">2<', report.text)
        assert (await rows(app, "SELECT COUNT(*) FROM respondents")) == [(0,)]
        upload = re.search(r"/staf/responden/unggah/(\d+)/impor", report.text)
        assert upload is not None
        csv_report = await http.get(f"/staf/responden/unggah/{upload[1]}/laporan.csv")
        assert csv_report.status_code == 200 and "ditolak" in csv_report.text
        assert "'=HYPERLINK" in csv_report.text  # written inert, as the CLI's report
        done = await http.post(f"/staf/responden/unggah/{upload[1]}/impor",
                               data={"csrf": csrf_of(report.text), "mode": "valid"})
        assert done.status_code == 200 and "Impor #" in done.text
        again = await http.post("/staf/responden/unggah", data={"csrf": token},
                                files={"berkas": ("daftar.csv", BAD_LIST.encode(), "text/csv")})
        assert "sudah diimpor" in again.text
    assert (await rows(app, "SELECT COUNT(*) FROM respondents WHERE source = 'import'")) == \
        [(2,)]
    assert (await rows(app, "SELECT COUNT(*) FROM staff_uploads")) == [(0,)]
    actions = await audit_actions(app, f"staff:{staff_id}")
    # Kept while waiting, the report downloaded, then imported: each step audited.
    assert actions.count("respondents.upload_staged") == 1
    assert actions.count("respondents.upload_report_downloaded") == 1
    assert "respondents.imported" in actions
    assert "respondents.upload_cancelled" not in actions


async def test_a_cancelled_upload_is_forgotten_and_audited(app: App) -> None:
    staff_id = await add_staff(app, "admin")
    async with running_server(app) as server, logged_in(server.url, "admin") as http:
        _, report = await _upload_bad_list(http)
        upload = re.search(r"/staf/responden/unggah/(\d+)/impor", report.text)
        assert upload is not None
        assert (await rows(app, "SELECT COUNT(*) FROM staff_uploads")) == [(1,)]
        cancelled = await http.post(f"/staf/responden/unggah/{upload[1]}/batal",
                                    data={"csrf": csrf_of(report.text)})
        assert cancelled.status_code == 303
    assert (await rows(app, "SELECT COUNT(*) FROM staff_uploads")) == [(0,)]
    assert (await rows(app, "SELECT COUNT(*) FROM respondents")) == [(0,)]
    actions = await audit_actions(app, f"staff:{staff_id}")
    assert actions.count("respondents.upload_staged") == 1
    assert actions.count("respondents.upload_cancelled") == 1
    details = await rows(
        app, "SELECT detail FROM audit_log WHERE action LIKE 'respondents.upload%'")
    assert not any("Siti" in str(d[0]) or "0812" in str(d[0]) for d in details)  # counts only


def test_console_bodies_are_capped_before_any_parsing() -> None:
    from bot.server.web import body_limit
    from inspectorate.incoming_file import MAX_FILE_BYTES

    assert body_limit("/staf/responden/unggah") > MAX_FILE_BYTES  # the CLI import's own cap
    assert body_limit("/staf/responden/unggah") < MAX_FILE_BYTES + 1024 * 1024
    assert body_limit("/staf/unit/unggah") == body_limit("/staf/responden/unggah")
    assert body_limit("/staf/akun/sandi") == 256 * 1024
    assert body_limit("/twilio/whatsapp") == 64 * 1024
