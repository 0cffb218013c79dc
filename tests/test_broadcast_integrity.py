"""Broadcast texts by policy: the approved catalogue, the integrity check through every door
(CLI, chat, template bodies from Twilio), the check-text contract, and the reminder cap."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, build_catalog, open_app
from core.messages import Channel
from core.settings import Settings, load_settings
from outreach.integrity import check_broadcast, check_text
from outreach.reminders import IDS, text_key, title_key
from outreach.render import placeholders_in
from tests.fakes.twilio_api import FakeTwilioApi
from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from tests.support.dialog import User
from tests.support.outreach import FakeSender, add_person, create, request, rows, worker

pytestmark = pytest.mark.both_backends

DATA = Path(__file__).parent / "data"
TEMPLATE = "HX" + "fedcba9876543210" * 2


def labelled(path: Path) -> tuple[list[str], list[str]]:
    texts = tomllib.loads(path.read_text("utf-8"))["text"]
    return ([t["text"] for t in texts if t["label"] == "forbidden"],
            [t["text"] for t in texts if t["label"] == "harmless"])


def rates(path: Path) -> tuple[float, float]:
    """(share of forbidden texts refused, share of harmless texts allowed)."""
    forbidden, harmless = labelled(path)
    refused = sum(not check_text(t).allowed for t in forbidden)
    allowed = sum(check_text(t).allowed for t in harmless)
    return refused / len(forbidden), allowed / len(harmless)


# The classifier --------------------------------------------------------------------------

def test_dev_set() -> None:
    refused, allowed = rates(DATA / "integrity_dev.toml")
    assert refused >= 0.98
    assert allowed >= 0.95


# Outsiders' texts (tests/data/blind/, frozen when written). Batches 1-4 were opened as
# development sets in the fourth session (bcast9, bcast10 fixed their misses), so they only keep
# the rules from sliding back. Batch 5 (broadcast_texts_5.toml) was never read, only counted (the
# lead's merge checks), and is held to the issue's goal with the product as shipped: rules and
# the model's second opinion. The newest batch is measured by the lead (docs/benchmarks.md).
DEV_BATCHES = [DATA / "blind" / name for name in (
    "broadcast_texts.toml", "broadcast_texts_2.toml", "broadcast_texts_3.toml",
    "broadcast_texts_4.toml")]
HELD_OUT = DATA / "blind" / "broadcast_texts_5.toml"


def test_outsiders_held_out_batch_meets_the_goal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPI_BROADCAST_MODEL", "on")
    refused, allowed = rates(HELD_OUT)
    assert refused >= 0.98
    assert allowed >= 0.90


@pytest.mark.parametrize("path", DEV_BATCHES, ids=lambda p: p.stem)
def test_outsiders_dev_batches_do_not_slide_back(path: Path) -> None:
    refused, allowed = rates(path)
    assert refused >= 0.99
    assert allowed >= 0.97


@pytest.mark.parametrize("text", [
    "Jangan kirimkan jawaban survei Anda kepada siapa pun",
    "Kami tidak akan menanyakan apakah Anda sudah menerima atau mengisi survei",
])
def test_warnings_against_the_forbidden_pass(text: str) -> None:
    assert check_text(text).allowed


@pytest.mark.parametrize("text", [
    "Bapak/Ibu yang sudah dapat WA dari KPK mohon lapor ke inspektorat.",
    "Reply YES if you have completed the survey",
    "Sdh dpt link survei? Bls ya",
    "Yg udah dapet link spi tolong japri admin",
    "Kirim screenshot setelah mengisi survei",
    "Kasih nilai bagus ya di survei KPK",
    "isi survei SPI bersama-sama di aula",
    "jangan sampai nama Anda tercatat belum mengisi",
])
def test_the_issues_examples_are_refused(text: str) -> None:
    assert not check_text(text).allowed


def test_a_sentence_split_over_two_template_variables_is_read_whole() -> None:
    variables = {"1": "mohon lapor ke atasan", "2": "bila sudah menerima undangan survei SPI"}
    assert all(check_text(v).allowed for v in variables.values())
    verdict = check_broadcast("Halo {nama}", "Halo {{1}} {{2}}.", variables)
    assert verdict.reasons == ("receipt",)


# The catalogue ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_catalogue_text_passes_and_uses_only_known_placeholders(
    settings: Settings, lang: str
) -> None:
    catalog = build_catalog(settings)
    for reminder in IDS:
        text = catalog.text(lang, text_key(reminder))
        assert catalog.text(lang, title_key(reminder))
        assert check_broadcast(text).allowed, (reminder, text)
        assert placeholders_in(text) <= {"nama", "unit"}
        assert len(text) <= 1600


# Through the front doors -----------------------------------------------------------------

def twilio_env(api: FakeTwilioApi) -> dict[str, str]:
    return {"SPI_TWILIO_ACCOUNT_SID": api.account_sid, "SPI_TWILIO_AUTH_TOKEN": api.auth_token,
            "SPI_TWILIO_API_BASE_URL": api.base_url}


async def test_check_text_prints_one_json_object_per_text(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    single = await run_cli(monkeypatch, settings, "broadcast", "check-text",
                           "Kirim screenshot setelah mengisi survei")
    assert json.loads(single.out) == {"text": "Kirim screenshot setelah mengisi survei",
                                      "verdict": "refused", "reasons": ["proof"]}
    batch = tmp_path / "texts.txt"
    batch.write_text("Jangan kirimkan jawaban survei Anda kepada siapa pun\n\n"
                     "Sdh dpt link survei? Bls ya\n", "utf-8")
    result = await run_cli(monkeypatch, settings, "broadcast", "check-text", "--json",
                           "--batch", str(batch))
    assert result.code == 0
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [(x["verdict"], x["reasons"]) for x in lines] == [
        ("allowed", []), ("refused", ["receipt"])]


async def test_cli_refuses_a_forbidden_text_even_with_yes_and_force(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_person(app, "Siti", address="1")
    result = await run_cli(
        monkeypatch, settings, "broadcast", "create", "--text",
        "Yg udah dapet link spi tolong japri admin", "--channel", "telegram", "--yes",
        "--force")
    assert result.code == 1
    first, *rest = result.out.splitlines()
    assert first.startswith("Siaran tidak dibuat: Teks ditolak:")
    assert "Teks katalog terdekat (rahasia)" in rest[0]
    assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


async def test_cli_catalogue_lists_and_creates_by_id(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_person(app, "Siti", address="1")
    listed = await run_cli(monkeypatch, settings, "broadcast", "catalog", "--lang", "en")
    assert listed.out.startswith("sukarela: The SPI survey is voluntary")
    unknown = await run_cli(monkeypatch, settings, "broadcast", "create", "--catalog", "x",
                            "--yes")
    assert "Teks katalog \"x\" tidak ada" in unknown.out
    made = await run_cli(monkeypatch, settings, "broadcast", "create", "--catalog", "rahasia",
                         "--channel", "telegram", "--yes")
    assert made.code == 0, made.out
    [(text,)] = await rows(app, "SELECT text FROM broadcasts")
    assert text.startswith("Halo {nama}, KPK menjamin kerahasiaan")


@pytest.mark.parametrize(("body", "variables", "expected"), [
    # A forbidden sentence split over two variables.
    ("Halo {{1}}. Mohon {{2}} {{3}}.",
     ["1={nama}", "2=lapor ke atasan", "3=bila sudah menerima undangan survei SPI"],
     "Teks ditolak"),
    # A forbidden template body.
    ("Halo {{1}}, kirim screenshot setelah mengisi survei SPI ya.", ["1={nama}"],
     "Teks ditolak"),
    # A template Twilio does not know.
    (None, ["1={nama}"], "tidak bisa dibaca dari Twilio (HTTP 404)"),
])
async def test_cli_checks_the_template_body_with_variables_filled(  # noqa: PLR0917
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, twilio_api: FakeTwilioApi,
    body: str | None, variables: list[str], expected: str,
) -> None:
    await add_person(app, "Rina", channel="whatsapp")
    if body is not None:
        twilio_api.templates[TEMPLATE] = body
    args = ["broadcast", "create", "--text", "Halo {nama}, survei SPI bersifat sukarela.",
            "--template", TEMPLATE, "--yes", "--force"]
    for v in variables:
        args += ["--var", v]
    result = await run_cli(monkeypatch, settings, *args, env=twilio_env(twilio_api))
    assert result.code == 1
    assert expected in result.out
    assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]
    assert twilio_api.calls("Content.fetch")


async def test_cli_refuses_a_template_when_twilio_is_not_configured(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_person(app, "Rina", channel="whatsapp")
    result = await run_cli(monkeypatch, settings, "broadcast", "create", "--text", "Halo",
                           "--template", TEMPLATE, "--var", "1={nama}", "--yes")
    assert "tidak bisa dibaca dari Twilio (Twilio belum dikonfigurasi)" in result.out
    assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


@pytest.fixture
def staff_settings(tmp_path: Path) -> Settings:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         admins="telegram:900")


async def test_chat_refuses_free_text_and_offers_the_catalogue(
    staff_settings: Settings, clock: FakeClock
) -> None:
    async with open_app(staff_settings, clock) as app:
        await add_person(app, "Siti", address="1")
        admin = User(app.engine, Channel.TELEGRAM, "900")
        await admin.say("/siaran buat")
        assert admin.choices == [f"bcast:cat:{rid}" for rid in IDS]
        await admin.say("Kirim screenshot setelah mengisi survei ya")
        assert "Teks ditolak: siaran tidak boleh meminta bukti" in admin.text
        assert "Teks katalog terdekat (rahasia)" in admin.text
        await admin.say("Sdh isi survei? Bls ya")
        assert "Teks ditolak" in admin.text
        assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]
        await admin.say("5")  # the fifth catalogue entry: rahasia
        await admin.say("1")  # everyone
        await admin.say("1")  # now
        assert "Halo Siti, KPK menjamin kerahasiaan" in admin.text
        await admin.say("ya")
        assert "Siaran 1 dibuat" in admin.text


# The reminder cap ------------------------------------------------------------------------

async def test_one_person_is_reminded_at_most_once_a_week_across_broadcasts(
    app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 8, 3, 2, tzinfo=UTC))
    await add_person(app, "Siti", address="1")
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    first = await create(app, request("Halo {nama}, survei SPI bersifat sukarela.",
                                      now=clock.now()))
    await w.fire(first.id or 0)
    await w.dispatcher.send_due()
    clock.advance(hours=3)
    second = await create(app, request("Halo {nama}, jawab dari pengalaman sendiri.",
                                       now=clock.now()))
    await w.fire(second.id or 0)
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 1
    assert await rows(app, "SELECT broadcast_id, state, reason FROM deliveries ORDER BY id") \
        == [(first.id, "sent", None), (second.id, "skipped", "reminder_cap")]
    clock.advance(days=7)
    third = await create(app, request("Halo {nama}, pendaftaran masih dibuka.", now=clock.now()))
    await w.fire(third.id or 0)
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 2


async def test_the_season_cap_counts_the_calendar_year(
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             broadcast_cap_per_week=0, broadcast_cap_per_season=2)
    async with open_app(settings, clock) as app:
        clock.set(datetime(2026, 8, 3, 2, tzinfo=UTC))
        await add_person(app, "Siti", address="1")
        tg = FakeSender(Channel.TELEGRAM, clock)
        w = worker(app, tg)
        for day in range(3):
            clock.set(datetime(2026, 8, 3, 2, tzinfo=UTC) + timedelta(days=day))
            b = await create(app, request(f"Halo {{nama}}, pengingat SPI nomor {day + 1}.",
                                          now=clock.now()))
            await w.fire(b.id or 0)
            await w.dispatcher.send_due()
        assert len(tg.accepted) == 2
        clock.set(datetime(2027, 1, 4, 2, tzinfo=UTC))
        b = await create(app, request("Halo {nama}, pengingat SPI tahun baru.", now=clock.now()))
        await w.fire(b.id or 0)
        await w.dispatcher.send_due()
        assert len(tg.accepted) == 3
