"""Creating a broadcast: preview counts, rendered sample, refusals with a clear reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from outreach.audience import AudienceFilter
from outreach.schedule import Schedule
from outreach.service import BroadcastRefused, BroadcastService
from tests.support.clock import FakeClock
from tests.support.outreach import TEMPLATE, add_person, create, request, rows

pytestmark = pytest.mark.both_backends


async def preview(app: App, req):  # type: ignore[no-untyped-def]
    async with app.db.reading() as conn:
        return await BroadcastService(app.settings).preview(conn, req, app.deps.clock.now())


async def refusal(app: App, req) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(BroadcastRefused) as info:
        await preview(app, req)
    return app.deps.catalog.text("id", info.value.key, **info.value.values)


async def test_preview_counts_channels_window_and_renders_a_sample(
    app: App, clock: FakeClock
) -> None:
    await add_person(app, "Siti Aminah", channel="telegram")
    await add_person(app, "Rina", channel="whatsapp", last_inbound_at=clock.now())
    await add_person(app, "Agus", channel="whatsapp",
                     last_inbound_at=clock.now() - timedelta(days=3))
    await add_person(app, "Imported", channel=None, source="import")
    await add_person(app, "Berhenti", opted_out=True)
    await add_person(app, "Belum", status="registered")
    p = await preview(app, request("Halo {nama} dari {unit}", template=TEMPLATE,
                                   variables={"1": "{nama}"}))
    assert p.total == 4
    assert p.per_channel == {"telegram": 1, "whatsapp": 3}
    assert p.closed_window == 2  # Agus (old window) and the imported number
    assert p.sample_text == "Halo Siti Aminah dari Dinas Kependudukan dan Pencatatan Sipil"


async def test_imported_respondents_only_get_whatsapp_templates(
    app: App, clock: FakeClock
) -> None:
    rid, _ = await add_person(app, "Impor", channel=None, source="import")
    async with app.db.transaction() as conn:  # even a Telegram identity is not used for them
        await app.deps.identities.link(conn, "telegram", "777", rid, clock.now())
    p = await preview(app, request(template=TEMPLATE, variables={"1": "{nama}"}))
    assert p.per_channel == {"whatsapp": 1}
    assert p.closed_window == 1
    assert p.sample_template == {"1": "Impor"}
    assert "templat" in await refusal(app, request())


async def test_one_delivery_per_person_on_the_channel_used_most_recently(
    app: App, clock: FakeClock
) -> None:
    rid, _ = await add_person(app, "Dua Kanal", channel="telegram",
                              last_inbound_at=clock.now() - timedelta(days=2))
    async with app.db.transaction() as conn:
        await app.deps.identities.link(conn, "whatsapp", "+6281299990000", rid, clock.now())
    p = await preview(app, request())
    assert p.per_channel == {"whatsapp": 1}
    assert p.closed_window == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("Halo {name}", "Placeholder {name} tidak dikenal"),
    ("Halo {nama", "Kurung kurawal"),
    ("Halo {nama!r}", "Placeholder {nama} tidak dikenal"),
    ("", "kosong"),
    ("x" * 1601, "maksimal 1600"),
    ("Apakah Anda sudah menerima survei SPI dari KPK?", "atau sudah mengisi survei SPI"),
    ("Balas YA jika Bapak/Ibu sudah mengisi survei SPI", "atau sudah mengisi survei SPI"),
    ("Mohon kirimkan screenshot jawaban survei Anda", "jawaban survei"),
    ("Jawablah sangat baik untuk semua pertanyaan", "mengarahkan jawaban"),
    ("Did you receive the SPI survey?", "atau sudah mengisi survei SPI"),
])
async def test_refusals_say_why(app: App, text: str, expected: str) -> None:
    await add_person(app, "Siti")
    assert expected in await refusal(app, request(text))


async def test_refuses_when_a_name_is_missing_for_some_recipient(app: App) -> None:
    await add_person(app, "Siti")
    await add_person(app, None)
    assert "1 penerima tidak punya nama" in await refusal(app, request("Halo {nama}"))
    assert (await preview(app, request("Halo dari {unit}"))).total == 2


async def test_refuses_closed_window_without_template_and_bad_template_values(
    app: App, clock: FakeClock
) -> None:
    await add_person(app, "Agus", channel="whatsapp")
    assert "1 penerima WhatsApp berada di luar jendela 24 jam" in await refusal(app, request())
    assert "ContentSid" in await refusal(app, request(template="HX123"))
    assert "Variabel templat \"1\"" in await refusal(
        app, request(template=TEMPLATE, variables={"1": " "}))
    assert "Placeholder {kode} tidak dikenal" in await refusal(
        app, request(template=TEMPLATE, variables={"1": "{kode}"}))
    only_telegram = AudienceFilter(channels=("telegram",))
    assert "Tidak ada penerima" in await refusal(app, request(audience=only_telegram))


async def test_refuses_past_times_and_schedules_without_occurrences(
    app: App, clock: FakeClock
) -> None:
    await add_person(app, "Siti")
    past = Schedule.once("2026-11-20 09:00", "WITA")
    assert "sudah lewat" in await refusal(app, request(schedule=past))
    ended = Schedule.recurring("senin 09:00", "WITA", "2026-08-01", "2026-10-31")
    assert "tidak punya waktu kirim" in await refusal(app, request(schedule=ended))


async def test_identical_broadcast_to_same_audience_is_refused_unless_forced(
    app: App, clock: FakeClock
) -> None:
    await add_person(app, "Siti")
    first = await create(app, request())
    with pytest.raises(BroadcastRefused) as info:
        await create(app, request("Halo  {nama}, survei SPI berlangsung sampai 31 Oktober."))
    assert info.value.key == "broadcast.refuse_duplicate"
    assert info.value.values["id"] == first.id
    other_audience = request(audience=AudienceFilter(units=("DISDUKCAPIL",)))
    assert (await create(app, other_audience)).id != first.id
    forced = await create(app, request(), force=True)
    clock.advance(hours=25)
    later = await create(app, request())
    assert len({first.id, forced.id, later.id}) == 3
    audit = await rows(app, "SELECT actor, action, detail FROM audit_log "
                            "WHERE action = 'broadcast.created'")
    assert len(audit) == 4
    assert all("Siti" not in str(row) for row in audit)
