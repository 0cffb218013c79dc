"""The staff console with two institutions in one deployment (issues 15 and 16), on SQLite and
PostgreSQL: staff of B see B's own respondents, units, broadcasts, statistics and audit and
none of A's; every page and action of A named by id in the URL answers 404 for B; a broadcast
B's admin creates reaches only B's people; posters name the unit's own institution; the
national role sees totals equal to the sum across institutions and no per-person page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from core.roles import StaffRole
from core.scope import Scope
from core.settings import Settings, load_settings
from storage.repositories.respondents import Respondent
from storage.repositories.units import Unit
from tests.support.clock import FakeClock
from tests.support.console import (
    add_institution,
    add_staff,
    csrf_of,
    form_token,
    logged_in,
)
from tests.support.outreach import add_person, create, request, rows
from tests.support.server import running_server

pytestmark = pytest.mark.both_backends

B_NAME = "Inspektorat Kabupaten Contoh B"
B_PHONE = "(0411) 5550198"
B_UNIT, B_UNIT_NAME = "UB1", "Unit Rahasia B"
A_PEOPLE = ("Siti Aminah", "Sari Dari A", "Susi Dari A")
B_PEOPLE = ("Budi Dari B", "Citra Dari B", "Dedi Dari B")


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """With a bot name so the poster pages are on."""
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         database_url=database_url, telegram_bot_username="SpiUjiBot")


@dataclass
class Two:
    b: int  # institution B's id (A is institution 1)
    a_people: list[int]
    b_people: list[int]
    a_broadcast: int
    a_admin: int
    b_admin: int
    a_unit_name: str


_numbers = iter(range(20_000_000, 29_999_999))


async def _person_of_b(app: App, b: int, name: str) -> int:
    now = app.deps.clock.now()
    async with app.db.transaction() as conn:
        saved = await app.deps.respondents.save(conn, Scope(b), Respondent(
            id=None, phone=f"+628124{next(_numbers)}", name=name, email=None,
            unit_code=B_UNIT, status="verified", source="bot"), now)
        assert saved.id is not None
        await app.deps.identities.link(conn, "telegram", str(saved.id + 7000), saved.id, now)
    return saved.id


async def two_institutions(app: App, clock: FakeClock) -> Two:
    """A (institution 1, the sample units) and B (its own unit and contact), three verified
    people with a Telegram chat each, a broadcast of A, an admin each and a national one."""
    a_people = [(await add_person(app, name))[0] for name in A_PEOPLE]
    a_broadcast = await create(app, request("Halo {nama}, info SPI resmi.", now=clock.now()))
    b = await add_institution(app, "KAB-B")
    async with app.db.transaction() as conn:
        await conn.execute("UPDATE institutions SET name = ?, contact_phone = ? WHERE id = ?",
                           (B_NAME, B_PHONE, b))
        await app.deps.units.save(conn, Unit(B_UNIT, B_UNIT_NAME, "Wilayah B", "Asia/Makassar",
                                             ("Layanan B",)), clock.now(), scope=Scope(b))
    b_people = [await _person_of_b(app, b, name) for name in B_PEOPLE]
    [(a_unit_name,)] = await rows(app, "SELECT name FROM units WHERE code = 'DISDUKCAPIL'")
    a_admin = await add_staff(app, "admin1")
    b_admin = await add_staff(app, "admin2", institution_id=b)
    await add_staff(app, "pusat", StaffRole.NATIONAL)
    return Two(b, a_people, b_people, a_broadcast.id or 0, a_admin, b_admin, str(a_unit_name))


async def test_staff_of_b_see_their_own_institution_and_none_of_a(
    app: App, clock: FakeClock,
) -> None:
    two = await two_institutions(app, clock)
    async with running_server(app) as server, logged_in(server.url, "admin2") as http:
        token = await form_token(http)
        created = await http.post("/staf/siaran/baru", data={
            "csrf": token, "sumber": "katalog", "katalog": "sukarela", "bahasa": "id",
            "jadwal": "segera", "uji": "0", "aksi": "buat"})
        assert created.status_code == 303, created.text
        b_broadcast = int(created.headers["location"].split("/")[-1].split("?")[0])
        pages: dict[str, str] = {}
        for path in ("/staf/", "/staf/responden", "/staf/responden?mutu=1", "/staf/unit",
                     "/staf/siaran", "/staf/statistik", "/staf/statistik.csv", "/staf/audit",
                     "/staf/akun", f"/staf/responden/{two.b_people[0]}",
                     f"/staf/siaran/{b_broadcast}", "/staf/siaran/baru"):
            page = await http.get(path)
            assert page.status_code == 200, path
            pages[path] = page.text
            for secret in (*A_PEOPLE, "DISDUKCAPIL", two.a_unit_name, "admin1",
                           "info SPI resmi", f"staff:{two.a_admin}<"):
                assert secret not in page.text, (path, secret)
        assert all(name in pages["/staf/responden"] for name in B_PEOPLE)
        assert B_UNIT_NAME in pages["/staf/responden?mutu=1"]
        assert B_UNIT in pages["/staf/unit"] and B_UNIT_NAME in pages["/staf/unit"]
        assert f"#{b_broadcast}" in pages["/staf/siaran"]
        assert f"#{two.a_broadcast}<" not in pages["/staf/siaran"]
        assert B_UNIT_NAME in pages["/staf/statistik"] and B_UNIT_NAME in pages[
            "/staf/statistik.csv"]
        assert "broadcast.created" in pages["/staf/audit"]
        assert "admin2" in pages["/staf/akun"]
        assert B_PEOPLE[0] in pages[f"/staf/responden/{two.b_people[0]}"]
        assert B_UNIT_NAME in pages["/staf/siaran/baru"]
        # the live check counts B's three people, not A's
        preview = await http.post("/staf/siaran/pratinjau", data={
            "csrf": token, "sumber": "katalog", "katalog": "sukarela", "jadwal": "segera"})
        assert re.search(r"\b3\b", preview.text) and "Budi Dari B" in preview.text, preview.text
        exported = await http.post("/staf/responden/ekspor", data={"csrf": token})
        assert exported.status_code == 200
        assert all(name in exported.text for name in B_PEOPLE)
        assert not any(name in exported.text for name in A_PEOPLE)
    # B's broadcast, started as the worker would, reaches B's three people only
    async with app.db.transaction() as conn:
        await app.deps.broadcasts.fire(conn, b_broadcast, clock.now())
    deliveries = await rows(app, "SELECT d.institution_id, r.institution_id, r.name "
                                 "FROM deliveries d JOIN respondents r ON r.id = d.respondent_id "
                                 "WHERE d.broadcast_id = ? ORDER BY r.name", b_broadcast)
    assert deliveries == [(two.b, two.b, name) for name in B_PEOPLE]
    assert await rows(app, "SELECT institution_id FROM broadcasts WHERE id = ?",
                      b_broadcast) == [(two.b,)]
    # what B's admin did is in B's audit, not A's
    audited = await rows(app, "SELECT DISTINCT institution_id FROM audit_log WHERE actor = ?",
                         f"staff:{two.b_admin}")
    assert audited == [(two.b,)]


async def test_every_page_and_action_of_a_by_id_is_not_found_for_b(
    app: App, clock: FakeClock,
) -> None:
    two = await two_institutions(app, clock)
    rid = two.a_people[0]
    async with running_server(app) as server:
        async with logged_in(server.url, "admin1") as first:
            own = await first.get(f"/staf/responden/{rid}")
            assert own.status_code == 200 and "Siti Aminah" in own.text
            report = await first.post(
                "/staf/responden/unggah", data={"csrf": csrf_of(own.text)},
                files={"berkas": ("daftar.csv", LIST_OF_A.encode(), "text/csv")})
            upload = re.search(r"/staf/responden/unggah/(\d+)/impor", report.text)
            assert upload is not None, report.text
            # and A cannot reach B's person or unit either
            assert (await first.get(f"/staf/responden/{two.b_people[0]}")).status_code == 404
            assert (await first.get(f"/staf/unit/{B_UNIT}/a4.png")).status_code == 404
        [(session,)] = await rows(app, "SELECT id FROM staff_sessions WHERE staff_id = ?",
                                  two.a_admin)
        async with logged_in(server.url, "admin2") as http:
            token = await form_token(http)
            bid = two.a_broadcast
            for path in (f"/staf/responden/{rid}", f"/staf/siaran/{bid}",
                         f"/staf/siaran/{bid}/kemajuan",
                         f"/staf/responden/unggah/{upload[1]}/laporan.csv",
                         "/staf/unit/DISDUKCAPIL/pratinjau.png", "/staf/unit/DISDUKCAPIL/a4.pdf",
                         "/staf/unit/DISDUKCAPIL/xbanner.png"):
                assert (await http.get(path)).status_code == 404, path
            for path, form in ((f"/staf/responden/{rid}/hapus",
                                {"alasan": "permintaan", "yakin": "ya"}),
                               ("/staf/responden/ekspor", {"unit": "DISDUKCAPIL"}),
                               (f"/staf/responden/unggah/{upload[1]}/impor", {"mode": "valid"}),
                               (f"/staf/responden/unggah/{upload[1]}/batal", {}),
                               (f"/staf/siaran/{bid}/jeda", {}),
                               (f"/staf/siaran/{bid}/lanjut", {}),
                               (f"/staf/siaran/{bid}/batal", {}),
                               (f"/staf/akun/petugas/{two.a_admin}/nonaktif", {}),
                               (f"/staf/akun/petugas/{two.a_admin}/akhiri", {}),
                               (f"/staf/akun/sesi/{session}/cabut", {})):
                answer = await http.post(path, data={"csrf": token, **form})
                assert answer.status_code == 404, path
            # A's audit entries do not show in B's log, whatever the filter
            for query in (f"?pelaku=staff:{two.a_admin}", "?aksi=respondent.shown",
                          "?aksi=broadcast.created&pelaku=cli"):
                page = await http.get("/staf/audit" + query)
                assert page.status_code == 200 and f"respondent:{rid}" not in page.text
                assert "<tbody>\n<tr>" not in page.text and "<td>" not in page.text, query
            # a units file naming A's unit code is refused whole; A's unit stays A's
            taken = await http.post("/staf/unit/unggah", data={"csrf": token}, files={
                "berkas": ("unit.csv", b"kode,nama,wilayah,zona_waktu,layanan\n"
                                       b"UB2,Baru B,B,WITA,KTP\n"
                                       b"DISDUKCAPIL,Curian,B,WITA,KTP\n", "text/csv")})
            assert taken.status_code == 200 and "instansi lain" in taken.text
    assert await rows(app, "SELECT status FROM respondents WHERE id = ?", rid) == \
        [("verified",)]
    assert await rows(app, "SELECT state FROM broadcasts WHERE id = ?", two.a_broadcast) == \
        [("active",)]
    assert await rows(app, "SELECT disabled_at FROM staff WHERE id = ?", two.a_admin) == \
        [(None,)]
    assert await rows(app, "SELECT COUNT(*), MIN(institution_id) FROM staff_uploads") == \
        [(1, 1)]
    assert await rows(app, "SELECT revoked_at FROM staff_sessions WHERE id = ?", session) == \
        [(None,)]
    assert await rows(app, "SELECT institution_id, name FROM units WHERE code IN "
                           "('DISDUKCAPIL', 'UB2')") == [(1, two.a_unit_name)]


async def test_a_poster_names_the_units_own_institution_and_contact(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from inspectorate import posters

    await two_institutions(app, clock)
    drawn: list[dict[str, Any]] = []
    real = posters.render_poster

    def spy(*args: Any, **kwargs: Any) -> Any:
        drawn.append({"unit": args[0].code, "links": args[1], **kwargs})
        return real(*args, **kwargs)

    monkeypatch.setattr(posters, "render_poster", spy)
    async with running_server(app) as server:
        async with logged_in(server.url, "admin2") as http:
            page = await http.get(f"/staf/unit/{B_UNIT}/a4.png")
            assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
            archive = await http.get("/staf/unit/semua-a4.zip")
            assert archive.status_code == 200
            import io
            import zipfile

            names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
            assert sorted(names) == [f"{B_UNIT}-a4.pdf", f"{B_UNIT}-a4.png"]
        async with logged_in(server.url, "admin1") as http:
            assert (await http.get("/staf/unit/DISDUKCAPIL/a4.png")).status_code == 200
    of_b, of_a = drawn[0], drawn[-1]
    assert of_b["unit"] == B_UNIT and of_b["institution"].name == B_NAME
    assert of_b["institution"].phone == B_PHONE
    assert B_UNIT in of_b["links"].telegram
    assert of_a["unit"] == "DISDUKCAPIL" and of_a["institution"].name != B_NAME
    assert of_a["institution"].name == app.settings.inspectorate_name


def _cell(html: str, section: str, label: str) -> int:
    block = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    found = re.search(rf"<td>{re.escape(label)}</td><td>(\d+)</td>", block)
    assert found is not None, (section, label, block)
    return int(found[1])


async def test_national_sees_totals_of_all_institutions_and_no_person(
    app: App, clock: FakeClock,
) -> None:
    two = await two_institutions(app, clock)
    label = "Nomor terverifikasi"
    async with running_server(app) as server:
        own = []
        for name in ("admin1", "admin2"):
            async with logged_in(server.url, name) as http:
                page = await http.get("/staf/statistik")
                own.append(_cell(page.text, "respondent_status", label))
        async with logged_in(server.url, "pusat") as http:
            page = await http.get("/staf/statistik")
            assert page.status_code == 200
            assert _cell(page.text, "national_status", label) == sum(own) == 6
            for secret in (*A_PEOPLE, *B_PEOPLE, B_UNIT_NAME, two.a_unit_name, B_NAME):
                assert secret not in page.text
            home = await http.get("/staf/")
            assert home.status_code == 200 and ">6<" in home.text
            csv = await http.get("/staf/statistik.csv")
            assert csv.status_code == 200 and B_UNIT_NAME not in csv.text
            token = await form_token(http)
            for path in (f"/staf/responden/{two.a_people[0]}", f"/staf/responden/"
                         f"{two.b_people[0]}", "/staf/responden", "/staf/unit",
                         f"/staf/unit/{B_UNIT}/a4.png", "/staf/siaran",
                         f"/staf/siaran/{two.a_broadcast}", "/staf/audit"):
                assert (await http.get(path)).status_code == 403, path
            for path in ("/staf/responden/ekspor", f"/staf/responden/{two.b_people[0]}/hapus",
                         "/staf/siaran/pratinjau"):
                answer = await http.post(path, data={"csrf": token, "alasan": "permintaan",
                                                     "yakin": "ya"})
                assert answer.status_code == 403, path
            assert (await http.get("/staf/statistik/grafik.png")).status_code == 404


LIST_OF_A = ("Nama,No HP,Unit,Kategori\n"
             "Eko Dari A,081234567811,DISDUKCAPIL,eksternal\n")
