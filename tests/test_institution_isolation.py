"""Staff of institution A cannot read or erase anyone of institution B through the CLI, on
both backends (issue 15). The same phone registered with both is two separate people."""

from __future__ import annotations

import pytest

from bot.app import App
from core.settings import Settings
from tests.support.cli import run_cli

pytestmark = pytest.mark.both_backends

PHONE = "+6281234567890"
T = "2025-01-01T00:00:00+00:00"


async def _two_institutions_one_phone(app: App) -> None:
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at) "
            "VALUES ('KAB-B', 'Inspektorat B', 'kabupaten', 'Asia/Makassar', ?, ?)", (T, T))
        await conn.execute("INSERT INTO units (code, name, region, timezone, services, "
                           "created_at, updated_at, institution_id) VALUES "
                           "('UB1', 'Unit Rahasia B', 'B', 'Asia/Makassar', '[]', 't', 't', 2)")
        unit_a = (await conn.execute_fetchall(
            "SELECT code FROM units WHERE institution_id = 1 LIMIT 1"))[0][0]
        for institution, unit, name in ((1, unit_a, "Ani Dari A"), (2, "UB1", "Budi Dari B")):
            await conn.execute(
                "INSERT INTO respondents (institution_id, phone, name, unit_code, status, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, 'verified', ?, ?)",
                (institution, PHONE, name, unit, T, T))


async def test_with_two_institutions_the_cli_asks_which(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await _two_institutions_one_phone(app)
    result = await run_cli(monkeypatch, settings, "respondents", "show", PHONE)
    assert result.code == 2
    assert "--institution" in result.out
    assert "Budi" not in result.out and "Ani" not in result.out
    unknown = await run_cli(monkeypatch, settings, "units", "list", "--institution", "KAB-X")
    assert unknown.code == 2 and "tidak ditemukan" in unknown.out


async def test_staff_of_a_see_and_erase_only_a(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await _two_institutions_one_phone(app)
    shown = await run_cli(monkeypatch, settings, "respondents", "show", PHONE,
                          "--institution", "UTAMA")
    assert shown.code == 0 and "Ani Dari A" in shown.out and "Budi" not in shown.out
    units = await run_cli(monkeypatch, settings, "units", "list", "--institution", "UTAMA")
    assert units.code == 0 and "UB1" not in units.out and "Rahasia" not in units.out
    erased = await run_cli(monkeypatch, settings, "respondents", "delete", PHONE, "--yes",
                           "--institution", "UTAMA")
    assert erased.code == 0
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT institution_id, name, status FROM respondents ORDER BY institution_id")
    assert [tuple(r) for r in rows] == [(1, None, "erased"), (2, "Budi Dari B", "verified")]
    gone = await run_cli(monkeypatch, settings, "respondents", "show", PHONE,
                         "--institution", "UTAMA")
    assert gone.code == 1 and "Budi" not in gone.out
    theirs = await run_cli(monkeypatch, settings, "respondents", "show", PHONE,
                           "--institution", "KAB-B")
    assert theirs.code == 0 and "Budi Dari B" in theirs.out


async def test_a_unit_code_of_another_institution_cannot_be_taken_over(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    await _two_institutions_one_phone(app)
    from pathlib import Path

    path = Path(str(tmp_path)) / "units.csv"
    path.write_text("kode,nama,wilayah,zona_waktu,layanan\nUB1,Curian,A,WIB,KTP\n",
                    encoding="utf-8")
    result = await run_cli(monkeypatch, settings, "units", "import", str(path),
                           "--institution", "UTAMA")
    assert result.code == 1 and "instansi lain" in result.out  # the whole file is refused
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT name, institution_id FROM units "
                                           "WHERE code = 'UB1'")
    assert [tuple(r) for r in rows] == [("Unit Rahasia B", 2)]


# --- Every other door: exports, imports, broadcasts, statistics, chat staff (issue 15) -------

ONLY_B = "+6281299998888"  # someone registered with institution B only
A_ADMIN, A_OPERATOR, B_ADMIN, NATIONAL_STAFF = "7001", "7002", "7003", "7009"


async def _two_institutions_with_staff(app: App) -> str:
    """Both institutions, the shared phone in each, a person of B only, every person with a
    Telegram chat; chat staff of A (admin, operator), of B (admin) and the national role.
    Returns unit A's name."""
    await _two_institutions_one_phone(app)
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO respondents (institution_id, phone, name, unit_code, status, "
            "created_at, updated_at) VALUES (2, ?, 'Citra Dari B', 'UB1', 'verified', ?, ?)",
            (ONLY_B, T, T))
        people = await conn.execute_fetchall(
            "SELECT id, institution_id FROM respondents ORDER BY id")
        for rid, institution in people:
            await conn.execute(
                "INSERT INTO channel_identities (institution_id, channel, address, "
                "respondent_id, created_at) VALUES (?, 'telegram', ?, ?, ?)",
                (institution, f"50{rid}", rid, T))
        for telegram, institution, role, name in (
                (A_ADMIN, 1, "admin", "a-admin"), (A_OPERATOR, 1, "operator", "a-operator"),
                (B_ADMIN, 2, "admin", "b-admin"), (NATIONAL_STAFF, None, "national", "pusat")):
            await conn.execute(
                "INSERT INTO staff (institution_id, role, username, display_name, telegram_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (institution, role, name, name, telegram, T))
        unit_a = (await conn.execute_fetchall(
            "SELECT u.name FROM units u JOIN respondents r ON r.unit_code = u.code "
            "WHERE r.institution_id = 1"))[0][0]
    return str(unit_a)


async def _rows(app: App, sql: str) -> list[tuple[object, ...]]:
    async with app.db.reading() as conn:
        return [tuple(r) for r in await conn.execute_fetchall(sql)]


async def _fire_all(app: App, *, cli: bool = True) -> None:
    """Start every broadcast that is due, as the worker would, just after it was created: by
    the CLI (the real clock) or in chat (the test's clock)."""
    from datetime import UTC, datetime, timedelta

    now = (datetime.now(UTC) if cli else app.deps.clock.now()) + timedelta(seconds=5)
    for (bid,) in await _rows(app, "SELECT id FROM broadcasts ORDER BY id"):
        async with app.db.transaction() as conn:
            await app.deps.broadcasts.fire(conn, int(str(bid)), now)


async def test_the_cli_exports_imports_and_reports_one_institution(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    unit_a = await _two_institutions_with_staff(app)
    out = Path(str(tmp_path)) / "daftar.csv"
    exported = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                             "--institution", "UTAMA")
    assert exported.code == 0, exported.out
    text = out.read_text(encoding="utf-8-sig")
    assert "Ani Dari A" in text and "Budi" not in text and "Citra" not in text
    other_unit = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                               "--unit", "UB1", "--institution", "UTAMA")
    assert other_unit.code == 1 and "tidak dikenal" in other_unit.out
    quality = await run_cli(monkeypatch, settings, "respondents", "quality",
                            "--institution", "UTAMA")
    assert quality.code == 0 and "Rahasia" not in quality.out
    stats = await run_cli(monkeypatch, settings, "stats", "--institution", "UTAMA")
    assert stats.code == 0 and unit_a in stats.out and "Rahasia" not in stats.out
    national = await run_cli(monkeypatch, settings, "stats", "--national")
    assert national.code == 0 and "Rahasia" not in national.out and unit_a not in national.out
    # An import into B of a number only A holds: not a duplicate there (per institution).
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO respondents (institution_id, phone, name, unit_code, status, "
            "created_at, updated_at) SELECT 1, '+6281277776666', 'Eko Dari A', unit_code, "
            "'verified', created_at, updated_at FROM respondents WHERE phone = ? "
            "AND institution_id = 1", (PHONE,))
    source = Path(str(tmp_path)) / "b.csv"
    source.write_text("nama,telepon,email,unit,kategori,tanggal mulai\n"
                      "Eko Untuk B,081277776666,,UB1,internal,\n", encoding="utf-8")
    imported = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                             "--institution", "KAB-B")
    assert imported.code == 0, imported.out
    assert await _rows(app, "SELECT institution_id, name FROM respondents WHERE phone = "
                            "'+6281277776666' ORDER BY institution_id") == [
        (1, "Eko Dari A"), (2, "Eko Untuk B")]
    into_a = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                           "--institution", "UTAMA")  # B's unit is not A's: refused whole
    assert into_a.code == 1
    assert await _rows(app, "SELECT institution_id, COUNT(*) FROM import_batches "
                            "GROUP BY institution_id") == [(2, 1)]
    assert ("respondents.exported", 1) in await _rows(
        app, "SELECT action, institution_id FROM audit_log")
    assert ("respondents.imported", 2) in await _rows(
        app, "SELECT action, institution_id FROM audit_log")


async def test_a_broadcast_reaches_only_its_own_institution(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await _two_institutions_with_staff(app)
    text = "Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id"
    created = await run_cli(monkeypatch, settings, "broadcast", "create", "--text", text,
                            "--channel", "telegram", "--yes", "--institution", "UTAMA")
    assert created.code == 0, created.out
    to_b_unit = await run_cli(monkeypatch, settings, "broadcast", "create", "--text", text,
                              "--unit", "UB1", "--force", "--yes", "--institution", "UTAMA")
    assert to_b_unit.code == 1  # nobody of A in B's unit: no recipients
    of_b = await run_cli(monkeypatch, settings, "broadcast", "create", "--text", text,
                         "--channel", "telegram", "--yes", "--institution", "KAB-B")
    assert of_b.code == 0, of_b.out
    await _fire_all(app)
    deliveries = await _rows(
        app, "SELECT b.institution_id, d.institution_id, r.institution_id, r.name "
             "FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id "
             "JOIN respondents r ON r.id = d.respondent_id ORDER BY b.id, r.name")
    assert deliveries == [(1, 1, 1, "Ani Dari A"), (2, 2, 2, "Budi Dari B"),
                          (2, 2, 2, "Citra Dari B")]
    (b_id,) = (await _rows(app, "SELECT id FROM broadcasts WHERE institution_id = 2"))[0]
    listed = await run_cli(monkeypatch, settings, "broadcast", "list", "--institution", "UTAMA")
    assert listed.code == 0 and f"#{b_id} " not in listed.out
    for action in ("show", "pause", "cancel"):
        result = await run_cli(monkeypatch, settings, "broadcast", action, str(b_id),
                               "--institution", "UTAMA")
        assert result.code == 1, (action, result.out)
    assert await _rows(app, f"SELECT state FROM broadcasts WHERE id = {b_id}") != [  # noqa: S608
        ("cancelled",)]
    assert await _rows(app, "SELECT institution_id FROM audit_log WHERE action = "
                            "'broadcast.created' ORDER BY id") == [(1,), (2,)]


async def test_chat_staff_act_in_their_own_institution_with_their_role(app: App) -> None:
    from core.messages import Channel
    from tests.support.dialog import User

    unit_a = await _two_institutions_with_staff(app)

    def staff(telegram: str) -> User:
        return User(app.engine, Channel.TELEGRAM, telegram)

    a_admin, a_operator, b_admin, national = (staff(t) for t in (
        A_ADMIN, A_OPERATOR, B_ADMIN, NATIONAL_STAFF))
    await a_admin.say("/stats")
    assert unit_a in a_admin.text and "Rahasia" not in a_admin.text
    await b_admin.say("/stats")
    assert "Rahasia" in b_admin.text and unit_a not in b_admin.text
    await a_operator.say("/stats")
    assert unit_a in a_operator.text
    await national.say("/stats")
    assert "Cakupan nasional" in national.text
    assert "Rahasia" not in national.text and unit_a not in national.text
    for command in ("/siaran daftar", f"/hapusresponden {PHONE} YA"):
        await national.say(command)
        assert "peran Anda" in national.text, command
    # Deleting: an operator may not; an admin of A reaches A's people only.
    await a_operator.say(f"/hapusresponden {PHONE} YA")
    assert "peran Anda" in a_operator.text
    await a_admin.say(f"/hapusresponden {ONLY_B} YA")
    assert "Tidak ada data" in a_admin.text
    await a_admin.say(f"/hapusresponden {PHONE}")
    assert "YA" in a_admin.text  # asks to confirm first
    assert await _rows(app, "SELECT COUNT(*) FROM respondents WHERE status = 'erased'") == [
        (0,)]
    await a_admin.say(f"/hapusresponden {PHONE} YA")
    assert "sudah dihapus" in a_admin.text
    assert await _rows(app, "SELECT institution_id, name, status FROM respondents "
                            "ORDER BY institution_id, id") == [
        (1, None, "erased"), (2, "Budi Dari B", "verified"), (2, "Citra Dari B", "verified")]
    assert ("staff:a-admin", "respondent.erased", 1) in await _rows(
        app, "SELECT actor, action, institution_id FROM audit_log")
    # Broadcasting in chat: B's unit is unknown to A; "everyone" means A's people only.
    await a_operator.say("/siaran buat")
    await a_operator.say("Pesan bebas dari operator untuk {nama}")
    assert "katalog" in a_operator.text  # operators send catalogue texts only
    await b_admin.say("/siaran buat")
    await b_admin.say("Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id")
    await b_admin.say("1")  # everyone
    await b_admin.say("1")  # now
    assert "2" in b_admin.text  # two recipients: B's own
    await b_admin.say("ya")
    await a_admin.say("/siaran buat")
    await a_admin.say("Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id")
    await a_admin.say("2")  # one unit
    await a_admin.say("UB1")
    assert "UB1" in a_admin.text and a_admin.choices == []  # not a unit of A: asked again
    await a_admin.say("/siaran daftar")
    assert "#1" not in a_admin.text  # B's broadcast is not listed to A
    await a_admin.say("/siaran batal 1")
    assert await _rows(app, "SELECT institution_id, state FROM broadcasts") == [(2, "active")]
    await _fire_all(app, cli=False)
    assert await _rows(app, "SELECT DISTINCT r.institution_id FROM deliveries d "
                            "JOIN respondents r ON r.id = d.respondent_id") == [(2,)]
