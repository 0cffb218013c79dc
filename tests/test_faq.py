"""FAQ: accuracy on unseen phrasings, every intent in a chat, the honest fallback, the CLI."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from core.messages import Channel
from handlers.faq.matcher import INTENTS, load_knowledge, shipped_matcher
from handlers.faq.redact import redact
from tests.support.dialog import User

EVAL = tomllib.loads((Path(__file__).parent / "data" / "faq_eval.toml").read_text("utf-8"))
INTENT_PHRASES = EVAL["intents"]
OUT_OF_SCOPE = EVAL["out_of_scope"]["questions"]


def test_eval_set_is_big_enough_and_apart_from_the_knowledge_base() -> None:
    assert set(INTENT_PHRASES) == set(INTENTS)
    assert all(len(phrases) >= 10 for phrases in INTENT_PHRASES.values())
    assert len(OUT_OF_SCOPE) >= 30
    known = {p.casefold() for ps in load_knowledge().examples.values() for p in ps}
    overlap = [p for ps in INTENT_PHRASES.values() for p in ps if p.casefold() in known]
    assert overlap == []


def test_top1_accuracy_at_least_90_percent_and_off_topic_at_most_10_percent() -> None:
    matcher = shipped_matcher()
    pairs = [(intent, q) for intent, qs in INTENT_PHRASES.items() for q in qs]
    correct = sum(matcher.match(q).intent == intent for intent, q in pairs)
    answered = [q for q in OUT_OF_SCOPE if matcher.match(q).intent is not None]
    assert correct / len(pairs) >= 0.90
    assert len(answered) / len(OUT_OF_SCOPE) <= 0.10, answered


@pytest.mark.parametrize("intent", INTENTS)
async def test_every_intent_is_answered_in_a_chat(app: App, intent: str) -> None:
    matcher = shipped_matcher()
    question = next(q for q in INTENT_PHRASES[intent] if matcher.match(q).intent == intent)
    user = User(app.engine, Channel.TELEGRAM, "faq-user")
    await user.say(question)
    expected = app.deps.catalog.text("id", f"faq_answer.{intent}", senders="", survey_site="",
                                     survey_period="", registration_link="")
    first_line = expected.splitlines()[0].split("{")[0][:30]
    assert first_line.split(",")[0][:20] in user.text
    async with app.db.reading() as conn:
        assert (await app.deps.faq_stats.daily(conn))[0][1:] == (intent, 1)


async def test_year_values_come_from_settings_and_registry(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "faq-years")
    await user.say("kapan survei spi ditutup?")
    assert "belum kami terima dari KPK" in user.text  # SPI_SURVEY_PERIOD not set
    await user.say("nomor wa resmi spi apa saja")
    assert "081119194761" in user.text and "2024" in user.text
    assert "spi.kpk.go.id" in user.text


async def test_custom_survey_period_is_used(app: App) -> None:
    period = "3 Agustus – 30 Oktober 2027"
    settings = app.deps.settings.model_copy(update={"survey_period": period})
    from handlers.check.registry import load_registry
    from handlers.faq.answers import answer_text

    text = answer_text(app.deps.catalog, "id", "timeline", settings, load_registry())
    assert period in text


async def test_unrelated_question_is_not_answered_and_kept_masked_without_identity(
    app: App,
) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281299998888", "+6281299998888")
    await user.say("harga cabai hari ini berapa ya, nama saya Budi Santoso")
    assert "belum bisa menjawab" in user.text
    assert "Inspektorat Kabupaten Sukamaju" in user.text
    assert "menu:faq" in user.choices
    assert app.deps.catalog.text("id", "faq.more") not in user.text  # no SPI answer given
    async with app.db.reading() as conn:
        rows = await app.deps.faq_stats.unanswered(conn)
        assert (await app.deps.faq_stats.daily(conn))[0][1:] == ("", 1)
    assert len(rows) == 1
    assert "Budi" not in rows[0].question_masked
    assert "cabai" in rows[0].question_masked
    with sqlite3.connect(app.settings.database_path) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(faq_unanswered)")]
    assert columns == ["id", "day", "question_masked"]


async def test_a_lone_word_falls_back_to_not_understood(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "faq-lone")
    await user.say("xyzzy")
    assert "belum paham" in user.text


async def test_english_user_gets_english_answer(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "faq-en")
    await user.say("BAHASA EN")
    await user.say("survei spi wajib?")
    assert "voluntary" in user.text


async def test_question_in_english_is_answered_in_english(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "faq-en2")
    await user.say("how long does the survey take?")
    assert "About 5–15 minutes" in user.text
    await user.say("berapa lama isi survei?")
    assert "Sekitar 5–15 menit" in user.text


def test_redact_masks_numbers_emails_links_and_names() -> None:
    masked = redact("nama saya Siti Aminah, hp 0812-3456-7890, email siti@mail.com, "
                    "lihat https://x.y/z kata Pak Joko")
    for secret in ("Siti", "Aminah", "3456", "siti@", "https://x.y", "Joko"):
        assert secret not in masked
    assert "[nomor]" in masked and "[email]" in masked and "[nama]" in masked


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "cli.db"))
    return tmp_path


def test_cli_answers_one_question_as_json(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "--json", "apakah survei ini wajib?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"question", "intent", "score", "answer"}
    assert result["intent"] == "is_mandatory" and "sukarela" in result["answer"]
    assert not (env / "cli.db").exists()  # answering needs no database


def test_cli_unknown_question_has_null_intent(env: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "--json", "harga cabai hari ini"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"] is None


def test_cli_batch_prints_one_object_per_line(env: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    batch = env / "q.txt"
    batch.write_text("berapa lama isi survei\n\nresep rendang\nsiapa penyelenggara spi\n")
    assert main(["faq", "--batch", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["intent"] for r in lines] == ["duration", None, "who_runs"]


def test_cli_eval_prints_accuracy_per_intent(env: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "eval"]) == 0
    out = capsys.readouterr().out
    assert all(intent in out for intent in INTENTS)
    assert "Akurasi top-1" in out


async def test_cli_lists_unanswered_questions(app: App, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    await User(app.engine, Channel.TELEGRAM, "faq-u").say("jadwal kereta api besok pagi")
    monkeypatch.setenv("SPI_DATABASE_PATH", str(app.settings.database_path))
    from bot.commands.faq import unanswered

    assert await unanswered(10, app.settings) == 0
    out = capsys.readouterr().out
    assert "jadwal kereta api besok pagi" in out


async def test_a_near_miss_offers_the_likeliest_answer_as_a_choice(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "faq-guess")
    await user.say("spi bisa diisi lewat laptop?")
    assert "belum bisa menjawab" in user.text
    guesses = [c for c in user.choices if c.startswith("faq:")]
    assert len(guesses) == 1
    await user.say("1")
    assert app.deps.catalog.text("id", "faq.more") in user.text


@pytest.mark.parametrize(("text", "english"), [
    ("how long does the survey take", True), ("is spi legit", True),
    ("berapa lama isi survei", False), ("survei spi wajib?", False), ("spi", False),
])
def test_english_questions_are_recognised(text: str, english: bool) -> None:
    from handlers.faq.language import looks_english

    assert looks_english(text) is english
