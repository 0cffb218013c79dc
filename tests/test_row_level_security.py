"""PostgreSQL's row-level security, the backstop behind the repositories' scopes (issue 15).

The application role (`spi_app`) owns no table and sees only the rows of the institution its
transaction names; without one it sees none. The worker role crosses institutions."""

from __future__ import annotations

import psycopg
import pytest

from bot.app import App
from core.scope import NATIONAL, Scope
from storage.scoping import ScopeRefused, institution_of

pytestmark = pytest.mark.both_backends

TENANT_TABLES = ("units", "respondents", "channel_identities", "broadcasts", "broadcast_runs",
                 "deliveries", "import_batches", "import_issues", "audit_log", "faq_daily",
                 "faq_unanswered", "check_daily", "staff_uploads")


async def _two_institutions(app: App) -> int:
    async with app.db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at) "
            "VALUES ('KAB-B', 'Inspektorat B', 'kabupaten', 'Asia/Makassar', 't', 't') "
            "RETURNING id")
        other = int((await cur.fetchone())[0])
        await conn.execute("INSERT INTO units (code, name, region, timezone, services, "
                           "created_at, updated_at, institution_id) VALUES "
                           "('UB1', 'Unit B', 'B', 'Asia/Makassar', '[]', 't', 't', ?)", (other,))
        unit_a = (await conn.execute_fetchall(
            "SELECT code FROM units WHERE institution_id = 1 LIMIT 1"))[0][0]
        for institution, unit, phone in ((1, unit_a, "+62811"), (other, "UB1", "+62822"),
                                         (other, "UB1", "+62833")):
            await conn.execute(
                "INSERT INTO respondents (institution_id, phone, unit_code, status, created_at, "
                "updated_at) VALUES (?, ?, ?, 'registered', 't', 't')",
                (institution, phone, unit))
    return other


def _pg_url(app: App) -> str:
    url = getattr(app.db, "url", None)
    assert isinstance(url, str)
    return url


async def test_raw_query_as_the_application_role_without_a_scope_sees_nothing(
        app: App, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's; SQLite relies on the repositories")
    other = await _two_institutions(app)
    async with await psycopg.AsyncConnection.connect(_pg_url(app)) as raw:
        await raw.execute("SET ROLE spi_app")
        for table in TENANT_TABLES:
            cur = await raw.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            assert (await cur.fetchone())[0] == 0, table
        await raw.execute("SELECT set_config('spi.institution_id', %s, true)", (str(other),))
        cur = await raw.execute("SELECT phone FROM respondents ORDER BY phone")
        assert [r[0] for r in await cur.fetchall()] == ["+62822", "+62833"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # WITH CHECK
            await raw.execute(
                "INSERT INTO respondents (institution_id, phone, unit_code, status, "
                "created_at, updated_at) VALUES (1, '+62899', 'UB1', 'registered', 't', 't')")
        await raw.rollback()
        await raw.execute("SET ROLE spi_app")
        cur = await raw.execute("SELECT COUNT(*) FROM respondents")  # setting was local
        assert (await cur.fetchone())[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # owns nothing
            await raw.execute("ALTER TABLE respondents DISABLE ROW LEVEL SECURITY")
        await raw.rollback()
        await raw.execute("SET ROLE spi_worker")
        cur = await raw.execute("SELECT COUNT(*) FROM respondents")
        assert (await cur.fetchone())[0] == 3


async def test_a_scoped_connection_sees_only_its_institution_even_without_a_filter(
        app: App, backend: str) -> None:
    other = await _two_institutions(app)
    async with app.db.reading() as conn:
        assert institution_of(conn, Scope(other)) == other
        rows = await conn.execute_fetchall("SELECT phone FROM respondents ORDER BY phone")
    phones = [r[0] for r in rows]
    if backend == "postgresql":
        assert phones == ["+62822", "+62833"]  # the policy, not the query, filtered
    else:
        assert len(phones) == 3  # SQLite: the repositories' own filters are the enforcement
    async with app.db.transaction() as conn:
        institution_of(conn, Scope(1))
        rows = await conn.execute_fetchall("SELECT phone FROM respondents")
        if backend == "postgresql":
            assert [r[0] for r in rows] == ["+62811"]
    async with app.db.reading() as conn:  # the pool's next user is not scoped
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM respondents")
    assert rows[0][0] == 3


async def test_the_national_scope_reaches_no_institution(app: App) -> None:
    async with app.db.reading() as conn:
        with pytest.raises(ScopeRefused):
            institution_of(conn, NATIONAL)
        with pytest.raises(TypeError):
            institution_of(conn, 1)  # type: ignore[arg-type]


async def test_the_worker_crosses_institutions_as_spi_worker_not_as_the_owner(
        app: App, backend: str) -> None:
    from storage.repositories.deliveries import DeliveryRepository
    from storage.scoping import as_worker

    other = await _two_institutions(app)
    async with app.db.transaction() as conn:
        as_worker(conn)
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM respondents")
        assert rows[0][0] == 3  # every institution's
        if backend == "postgresql":
            assert (await conn.execute_fetchall("SELECT current_user"))[0][0] == "spi_worker"
            institution_of(conn, Scope(other))  # narrowed to one institution again
            assert (await conn.execute_fetchall("SELECT current_user"))[0][0] == "spi_app"
            await DeliveryRepository().in_flight_workers(conn)  # a worker method: back
            assert (await conn.execute_fetchall("SELECT current_user"))[0][0] == "spi_worker"
    async with app.db.reading() as conn:  # a worker's read, then the pool's next user
        await DeliveryRepository().in_flight_workers(conn)
    async with app.db.reading() as conn:
        if backend == "postgresql":
            assert (await conn.execute_fetchall("SELECT current_user"))[0][0] != "spi_worker"
