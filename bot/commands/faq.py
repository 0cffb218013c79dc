"""`spi-bot faq "question"`, `faq --batch FILE`, `faq eval` and `faq unanswered [--purge]`.

Answering needs no database, so a single question is answered from a cold start; where the word
matcher is unsure the model's second opinion is loaded from the package (~0.3 s), so it answers
as the chat does.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from bot.commands.batch import run_batch
from bot.commands.institution_option import add_institution_argument, scope_for_code
from core.settings import Settings
from core.text_safety import for_terminal

TARGET_ACCURACY = 0.92  # issue 13
TARGET_OUT_OF_SCOPE = 0.05  # issue 13


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "faq", help="jawab pertanyaan tentang SPI; 'faq eval' mengukur akurasi, "
                    "'faq unanswered' menampilkan pertanyaan yang belum terjawab")
    parser.add_argument("question", nargs="*", help="pertanyaan, atau: eval | unanswered")
    parser.add_argument("--json", action="store_true", help="keluaran JSON satu objek")
    parser.add_argument("--batch", type=Path, metavar="FILE",
                        help="satu pertanyaan per baris; satu objek JSON per baris")
    parser.add_argument("--lang", choices=["id", "en"], help="bahasa jawaban")
    parser.add_argument("--file", type=Path,
                        help="berkas evaluasi untuk 'faq eval' (bawaan: yang ikut terpasang)")
    parser.add_argument("--summary", action="store_true",
                        help="'faq eval' tanpa daftar pertanyaan (untuk set buta)")
    parser.add_argument("--limit", type=int, default=200,
                        help="jumlah maksimum untuk 'faq unanswered'")
    parser.add_argument("--purge", action="store_true",
                        help="'faq unanswered --purge' menghapus semua pertanyaan yang disimpan")
    add_institution_argument(parser)
    parser.set_defaults(handler=faq, default_log_level="WARNING")


async def faq(args: argparse.Namespace, settings: Settings) -> int:
    words = args.question
    if words == ["eval"]:
        return evaluate(args.file, settings, list_questions=not args.summary)
    if args.purge and words != ["unanswered"]:
        print("--purge hanya untuk: spi-bot faq unanswered --purge", file=sys.stderr)
        return 2
    if words == ["unanswered"]:
        if args.purge:
            return await purge_unanswered(settings, args.institution)
        return await unanswered(args.limit, settings, args.institution)
    answerer = Answerer(settings, args.lang or settings.default_language)
    if args.batch is not None:
        return run_batch(args.batch,
                         lambda q: json.dumps(answerer.answer(q), ensure_ascii=False))
    question = " ".join(words).strip()
    if not question:
        print('Tulis pertanyaannya, misalnya: spi-bot faq "apakah survei ini wajib?"',
              file=sys.stderr)
        return 2
    result = answerer.answer(question)
    print(json.dumps(result, ensure_ascii=False) if args.json else result["answer"])
    return 0


class Answerer:
    """Matches a question and renders the answer text, without a database."""

    def __init__(self, settings: Settings, lang: str) -> None:
        from bot.catalog import build_catalog  # noqa: PLC0415
        from handlers.check.registry import load_registry  # noqa: PLC0415
        from handlers.faq.matcher import shipped_matcher  # noqa: PLC0415

        self._settings = settings
        self._lang = lang
        self._catalog = build_catalog(settings)
        self._registry = load_registry(settings.registry_file)
        self._matcher = shipped_matcher(settings.faq_threshold, settings.faq_embedding)

    def answer(self, question: str) -> dict[str, Any]:
        from handlers.faq.answers import answer_text  # noqa: PLC0415
        from handlers.faq.embedding import match_now  # noqa: PLC0415

        # As the chat answers once warm; the model (~0.3 s from the shipped matrix) is loaded
        # only for a question the word matcher does not settle, so most cold starts skip it.
        match = match_now(self._matcher, question)
        if match.suggestions:  # what the chat offers as one-tap choices
            text = "\n".join([self._catalog.text(self._lang, "faq.suggest", kept=""), *(
                f"{n}. {self._catalog.text(self._lang, f'faq_title.{intent}')}"
                for n, intent in enumerate(match.suggestions, 1))])
        elif match.intent is None:
            text = self._catalog.text(self._lang, "faq.unsure", kept="")
        else:
            text = answer_text(self._catalog, self._lang, match.intent, self._settings,
                               self._registry, today=datetime.now(UTC).date())
        # The JSON contract (issue 3) is exactly these four keys; offered choices are in the
        # answer's text, numbered as the chat shows them.
        return {"question": question, "intent": match.intent, "score": match.score,
                "answer": text}


def evaluate(path: Path | None, settings: Settings, *, list_questions: bool = True) -> int:
    """Accuracy per intent on an evaluation file; exit 1 when below the issue's targets."""
    from handlers.faq.embedding import warm  # noqa: PLC0415
    from handlers.faq.matcher import INTENTS, shipped_matcher  # noqa: PLC0415

    try:
        raw = (path.read_text("utf-8") if path is not None
               else resources.files("handlers.faq").joinpath("eval.toml").read_text("utf-8"))
        data = tomllib.loads(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        print(f"Berkas evaluasi {path} tidak bisa dibaca: {exc}", file=sys.stderr)
        return 2
    matcher = shipped_matcher(settings.faq_threshold, settings.faq_embedding)
    warm(matcher, wait=True)  # measure what the bot answers once warm
    total = correct = offered = 0
    print(f"{'intent':<22} {'benar':>5} {'jumlah':>6} {'akurasi':>8}")
    for intent in INTENTS:
        questions = data.get("intents", {}).get(intent, [])
        matches = [matcher.match(q) for q in questions]
        hits = sum(m.intent == intent for m in matches)
        offered += sum(m.intent is None and intent in (*m.alternatives, *m.suggestions)
                       for m in matches)
        total += len(questions)
        correct += hits
        share = hits / len(questions) if questions else 0.0
        print(f"{intent:<22} {hits:>5} {len(questions):>6} {share:>8.1%}")
    out_of_scope = data.get("out_of_scope", {}).get("questions", [])
    oos_matches = [(q, matcher.match(q)) for q in out_of_scope]
    answered = [q for q, m in oos_matches if m.intent is not None]
    given_choices = sum(bool(m.alternatives or m.suggestions) for _, m in oos_matches)
    accuracy = correct / total if total else 0.0
    leaked = len(answered) / len(out_of_scope) if out_of_scope else 0.0
    print(f"\nAkurasi top-1: {correct}/{total} = {accuracy:.1%} (target ≥ {TARGET_ACCURACY:.0%})")
    reached = (correct + offered) / total if total else 0.0
    print(f"Benar, atau di antara pilihan yang ditawarkan: {correct + offered}/{total} = "
          f"{reached:.1%}")
    print(f"Di luar topik yang tetap dijawab: {len(answered)}/{len(out_of_scope)} = "
          f"{leaked:.1%} (target ≤ {TARGET_OUT_OF_SCOPE:.0%})")
    offered_off = given_choices / len(out_of_scope) if out_of_scope else 0.0
    print(f"Di luar topik yang diberi pilihan: {given_choices}/{len(out_of_scope)} = "
          f"{offered_off:.1%}")
    for question in answered if list_questions else ():
        print(f"  dijawab padahal di luar topik: {question}")
    return 0 if accuracy >= TARGET_ACCURACY and leaked <= TARGET_OUT_OF_SCOPE else 1


async def unanswered(limit: int, settings: Settings, institution: str | None = None) -> int:
    """The kept topic words of one institution's unanswered questions (`--institution`)."""
    from bot.app import open_app  # noqa: PLC0415
    from storage.repositories.faq_check_stats import UNANSWERED_KEEP_DAYS  # noqa: PLC0415

    async with open_app(settings) as app:
        async with app.db.transaction() as conn:  # what is past its 30 days is never shown
            await app.deps.faq_stats.prune_unanswered(conn, app.deps.clock.now())
        async with app.db.reading() as conn:
            scope = await scope_for_code(conn, (institution or "").strip() or None)
            rows = await app.deps.faq_stats.unanswered(conn, limit, scope=scope)
    if not rows:
        print("Belum ada pertanyaan yang tidak terjawab.")
        return 0
    print(f"{len(rows)} pertanyaan terbaru yang belum bisa dijawab (kata topiknya saja, "
          f"disimpan paling lama {UNANSWERED_KEEP_DAYS} hari):")
    for row in rows:
        print(f"{row.day}  {for_terminal(row.question_masked)}")
    return 0


async def purge_unanswered(settings: Settings, institution: str | None = None) -> int:
    from bot.app import open_app  # noqa: PLC0415

    async with open_app(settings) as app, app.db.transaction() as conn:
        scope = await scope_for_code(conn, (institution or "").strip() or None)
        deleted = await app.deps.faq_stats.purge_unanswered(conn, scope=scope)
        await app.deps.audit.record(conn, app.deps.clock.now(), "cli", "faq.unanswered_purged",
                                    None, scope=scope, count=deleted)
    print(f"{deleted} pertanyaan yang tidak terjawab dihapus.")
    return 0
