"""The composer's live check: the audience counted once (one grouped query, the same recipients
as a run's deliveries), reused for a few seconds per scope and audience, never across
institutions, forgotten after the console's own imports, and never used to create a broadcast.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from bot.app import App
from bot.console.data import PreviewCache
from core.scope import Scope
from outreach.audience import AudienceFilter, recipients_sql
from outreach.service import BroadcastRefused, BroadcastService, Preview
from tests.support.clock import FakeClock
from tests.support.console import add_institution, add_staff, form_token, logged_in
from tests.support.outreach import TEMPLATE, add_person, request, rows
from tests.support.server import running_server

pytestmark = pytest.mark.both_backends

CHECK = {"sumber": "katalog", "katalog": "sukarela", "jadwal": "segera", "uji": "0",
         "kanal": "telegram"}


async def mixed_people(app: App, clock: FakeClock) -> None:
    """Every kind of recipient the audience rules tell apart."""
    await add_person(app, "Siti Aminah", channel="telegram")
    await add_person(app, "  ", channel="telegram")  # no name
    await add_person(app, "Rina", channel="whatsapp", last_inbound_at=clock.now())
    await add_person(app, "Agus", channel="whatsapp",
                     last_inbound_at=clock.now() - timedelta(days=3))
    await add_person(app, "Impor", channel=None, source="import")
    await add_person(app, None, channel=None, source="import", unit="RSUD")
    await add_person(app, "Berhenti", opted_out=True)
    await add_person(app, "Belum", status="registered")
    rid, _ = await add_person(app, "Dua Kanal", channel="telegram",
                              last_inbound_at=clock.now() - timedelta(days=2))
    async with app.db.transaction() as conn:
        await app.deps.identities.link(conn, "whatsapp", "+6281299990000", rid, clock.now())
    # two people behind one WhatsApp address: one delivery
    await add_person(app, "Sama A", channel="whatsapp", address="+6281277770000")
    await add_person(app, "Sama B", channel=None)
    async with app.db.transaction() as conn:
        [(second,)] = await conn.execute_fetchall(
            "SELECT id FROM respondents WHERE name = 'Sama B'")
        await conn.execute("UPDATE respondents SET phone = '+6281277770000' WHERE id = ?",
                           (second,))


@pytest.mark.parametrize("audience", [
    AudienceFilter(), AudienceFilter(channels=("telegram",)),
    AudienceFilter(channels=("whatsapp",)), AudienceFilter(units=("rsud",)),
    AudienceFilter(categories=("expert",)),
])
async def test_the_grouped_count_matches_the_recipients_a_run_is_made_from(
    app: App, clock: FakeClock, audience: AudienceFilter,
) -> None:
    await mixed_people(app, clock)
    now = clock.now()
    sql, params = recipients_sql(audience, now, 1)
    recipients = await rows(app, f"""SELECT x.channel, x.closed_window, r.name, x.position,
                                        x.respondent_id FROM ({sql}) x
                                     JOIN respondents r ON r.id = x.respondent_id""",  # noqa: S608
                             *params)
    async with app.db.reading() as conn:
        counted = await BroadcastService(app.settings).count_audience(conn, audience, now)
    expected: dict[str, int] = {}
    for channel, *_ in recipients:
        expected[str(channel)] = expected.get(str(channel), 0) + 1
    assert counted.per_channel == expected
    assert counted.total == len(recipients)
    assert counted.closed_window == sum(1 for r in recipients if r[1])
    assert counted.missing_name == sum(1 for r in recipients if not (r[2] or "").strip())
    if recipients:
        first = min(recipients, key=lambda r: int(r[3]))
        assert (counted.sample_channel, counted.sample_closed, counted.sample_name) == \
            (first[0], bool(first[1]), first[2])
    else:
        assert counted.sample_channel is None


async def test_the_preview_counts_renders_and_refuses_from_one_count(
    app: App, clock: FakeClock,
) -> None:
    await mixed_people(app, clock)
    service = BroadcastService(app.settings)

    async def preview_of(text: str, template: str | None) -> object:
        req = request(text, template=template, variables={"1": "{unit}"} if template else {})
        async with app.db.reading() as conn:
            try:
                return await service.preview(conn, req, clock.now())
            except BroadcastRefused as exc:
                return exc.key, exc.values.get("count")

    preview = await preview_of("Halo dari {unit}", TEMPLATE)
    assert isinstance(preview, Preview)
    # Siti and the nameless on Telegram; Rina, Agus, the two imported numbers, "Dua Kanal"
    # (WhatsApp most recently) and one of the two people behind one number on WhatsApp
    assert preview.per_channel == {"telegram": 2, "whatsapp": 6}
    assert preview.total == 8
    assert preview.closed_window == 4
    assert preview.sample_channel == "telegram"
    assert preview.sample_text == "Halo dari Dinas Kependudukan dan Pencatatan Sipil"
    assert await preview_of("Halo {nama}", TEMPLATE) == ("broadcast.refuse_missing_name", 2)
    assert await preview_of("Halo dari {unit}", None) == ("broadcast.refuse_no_template", 4)


def test_a_count_is_kept_per_scope_and_audience_for_a_few_seconds() -> None:
    now = [100.0]
    cache = PreviewCache(fresh=5.0, timer=lambda: now[0])
    counted: list[tuple[int | None, str]] = []

    def counter(scope: Scope, key: str) -> object:
        async def count() -> str:
            counted.append((scope.institution_id, key))
            return f"{scope.institution_id}:{key}:{len(counted)}"
        return count

    async def ask(scope: Scope, key: str) -> str:
        return await cache.get(scope, key, counter(scope, key))  # type: ignore[arg-type]

    async def walk() -> None:
        first, other = Scope(1), Scope(2)
        assert await ask(first, "semua") == "1:semua:1"
        assert await ask(first, "semua") == "1:semua:1"  # reused
        assert await ask(other, "semua") == "2:semua:2"  # never another scope's
        assert await ask(first, "rsud") == "1:rsud:3"
        now[0] += 5.0
        assert await ask(first, "semua") == "1:semua:4"  # never older than `fresh`
        cache.forget()
        assert await ask(first, "semua") == "1:semua:5"
        # two asks at once count once
        answers = await asyncio.gather(ask(first, "baru"), ask(first, "baru"))
        assert answers == ["1:baru:6", "1:baru:6"]

        async def broken() -> str:
            raise RuntimeError("database gone")

        with pytest.raises(RuntimeError):
            await cache.get(first, "rusak", broken)
        assert await ask(first, "rusak") == "1:rusak:7"  # a failure is not kept

    asyncio.run(walk())


def count_of(html: str) -> int:
    found = re.search(r'id="jumlah-penerima">(\d+)<', html)
    assert found is not None, html[:2000]
    return int(found[1])


async def test_the_live_check_reuses_a_fresh_count_but_creation_counts_exactly(
    app: App, clock: FakeClock,
) -> None:
    for n in range(3):
        await add_person(app, f"Warga {n}", channel="telegram")
    await add_staff(app, "admin")
    async with running_server(app) as server, logged_in(server.url, "admin") as http:
        token = await form_token(http)
        check = {"csrf": token, **CHECK}
        assert count_of((await http.post("/staf/siaran/pratinjau", data=check)).text) == 3
        await add_person(app, "Warga baru", channel="telegram")  # registered by chat
        # within a few seconds the live check may show the count it just made...
        assert count_of((await http.post("/staf/siaran/pratinjau", data=check)).text) == 3
        # ...the text or the canary change nothing of the audience...
        other = {**check, "katalog": "rahasia", "uji": "1"}
        assert count_of((await http.post("/staf/siaran/pratinjau", data=other)).text) == 3
        # ...another audience is counted afresh...
        both = {**check, "kanal": ["telegram", "whatsapp"]}
        assert count_of((await http.post("/staf/siaran/pratinjau", data=both)).text) == 4
        # ...and creating the broadcast counts exactly, whatever the live check showed
        created = await http.post("/staf/siaran/baru", data={**check, "aksi": "buat"})
        assert created.status_code == 303
    [(detail,)] = await rows(app, "SELECT detail FROM audit_log WHERE action = "
                                  "'broadcast.created'")
    assert '"recipients": 4' in str(detail)


async def test_an_import_in_the_console_forgets_the_counts(app: App) -> None:
    await add_staff(app, "admin")
    listing = "Nama,No HP,Unit,Kategori\nSiti Aminah,081234567801,DISDUKCAPIL,eksternal\n"
    async with running_server(app) as server, logged_in(server.url, "admin") as http:
        token = await form_token(http)
        check = {"csrf": token, **CHECK, "kanal": "whatsapp"}
        refused = await http.post("/staf/siaran/pratinjau", data=check)
        assert "Tidak ada penerima" in refused.text  # nobody on WhatsApp yet
        report = await http.post("/staf/responden/unggah", data={"csrf": token},
                                 files={"berkas": ("d.csv", listing.encode(), "text/csv")})
        upload = re.search(r"/staf/responden/unggah/(\d+)/impor", report.text)
        assert upload is not None
        done = await http.post(f"/staf/responden/unggah/{upload[1]}/impor",
                               data={"csrf": token, "mode": "valid"})
        assert "Impor #" in done.text
        async with app.db.transaction() as conn:  # imported people are verified later
            await conn.execute("UPDATE respondents SET status = 'verified' "
                               "WHERE source = 'import'")
        answer = await http.post("/staf/siaran/pratinjau", data=check)
        # counted again, at once: one imported number, reached only by template
        assert "1 penerima WhatsApp berada di luar jendela 24 jam" in answer.text


async def test_another_institution_never_gets_a_count_the_first_one_made(
    app: App,
) -> None:
    await add_person(app, "Siti Aminah", channel="telegram")
    await add_staff(app, "admin1")
    await add_staff(app, "admin2", institution_id=await add_institution(app))
    async with running_server(app) as server:
        async with logged_in(server.url, "admin1") as first:
            check = {"csrf": await form_token(first), **CHECK}
            assert count_of((await first.post("/staf/siaran/pratinjau", data=check)).text) == 1
        async with logged_in(server.url, "admin2") as second:
            check = {"csrf": await form_token(second), **CHECK}
            answer = await second.post("/staf/siaran/pratinjau", data=check)
            # its own audience (nobody yet), counted for it, not the first one's count
            assert answer.status_code == 200 and "Tidak ada penerima" in answer.text
            assert "jumlah-penerima" not in answer.text and "Siti" not in answer.text
