"""Finds the FAQ intent a question asks about, or none when it is not confident enough.

Each intent is a set of example phrasings. A question and an example are compared as
weighted bags of stems (cosine with inverse-intent-frequency weights), so words that only one
intent uses ("wajib", "rahasia") count most and words every intent uses ("spi") count little.
Words the knowledge base never uses still weigh on the question's side: a question mostly
about something else ("harga cabai hari ini") scores low instead of latching onto one word.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from handlers.faq import language
from handlers.faq.language import Normalizer, Stemmer

INTENTS = (
    "is_official", "who_runs", "what_is_spi", "official_channels", "why_contacted",
    "is_mandatory", "duration", "confidentiality", "payment_scam_signs", "how_to_register",
    "eligibility", "timeline", "not_selected", "results", "opt_out_delete", "contact_human",
    "report_manipulation", "how_to_fill", "already_participated", "bot_privacy", "honorarium",
)

SCAM_SIGNS = "payment_scam_signs"
HONORARIUM = "honorarium"
DEFAULT_THRESHOLD = 0.28
MAX_WEIGHT = 0.7  # best single example vs. the intent as a whole
# A question that never names the topic (SPI, KPK, survey...) must be clearer to be answered,
# the more so when it uses words the knowledge base does not know: "apakah bpjs wajib" shares
# a word with is_mandatory but is about something else, while a bare "apakah wajib?" is not.
# Question words say what kind of answer is wanted: "kapan" (when) asks for the timeline even
# when the rest of the sentence reads like "who runs it". In a question about the topic, each
# intent gains up to this much by how many of its examples ask with the same question word.
CUE_BONUS = 0.15
# Two confident intents closer than this: a one-tap question instead of a coin toss.
CLARIFY_MARGIN = 0.02
OFF_TOPIC_MARGIN = 0.25
UNNAMED_TOPIC_MARGIN = 0.15
# A question naming the topic but also using words the knowledge base never uses ("kpk periksa
# bupati kapan sidangnya") is about something else more often than not: it must be clearer.
NAMED_UNKNOWN_MARGIN = 0.05
# The refusal stage: questions the bot must NOT answer are written down too ([off_topic] in
# faq.toml: LHKPN, reporting corruption, KPK in the news, other surveys, other services...).
# When the question is closer to one of them than to any intent's closest example, by more than
# this, it is refused even if it names KPK or the survey ("lapor lhkpn ke kpk kapan").
# faq21's calibration on outsiders' text (scripts/calibrate_faq.py, four old blind batches,
# counts only): -0.05 refuses 8-16 in-scope questions a batch outright, and 0.0 would answer 3
# more of 1,348 right with the model's off-topic veto, but the word matcher alone (no model)
# would then answer "bayar pajak di mana" as a scam sign: kept.
REFUSE_MARGIN = -0.05
# ...and by this much when the question uses a word only the off-topic exemplars use (lhkpn,
# gratifikasi, cpns, zoom...): such a word says what the question is about.
MARKED_REFUSE_MARGIN = -0.15
OFF_TOPIC = "_off_topic"


@dataclass(frozen=True, slots=True)
class Match:
    """The best intent for a question; `intent` is None below the confidence threshold."""

    intent: str | None
    score: float
    best_guess: str | None
    on_topic: bool = False  # the question names SPI, KPK, the survey...
    # Two intents too close to tell apart: ask which one is meant instead of guessing.
    alternatives: tuple[str, ...] = ()
    # Closer to an off-topic exemplar than to any intent: not ours to answer, no guess offered.
    refused: bool = False
    # Unsure, but the model's likeliest two or three intents together are likely enough: offered
    # as one-tap choices instead of a bare "not sure" (handlers/faq/embedding.py).
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Example:
    """One phrasing (or an intent's phrasings together) as stem weights, ready for cosine."""

    intent: str
    weights: Mapping[str, float]
    norm: float


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Intent id -> example phrasings, and the words that name the topic at all."""

    examples: Mapping[str, Sequence[str]]
    topic_words: Sequence[str]
    # Concept words that make any question about the topic a scam-sign question.
    scam_signs: Sequence[str] = ()
    # Spelled forms of those words that say the respondent is paid (the honorarium question).
    paid_forms: Sequence[str] = ()
    # A sign word and a fraud word together ask what the signs of a scam are.
    sign_words: Sequence[str] = ()
    fraud_words: Sequence[str] = ()
    # A win word (as spelled) with a prize word: told one has won, a scam's lure.
    win_forms: Sequence[str] = ()
    prize_words: Sequence[str] = ()
    # A question saying only one of these ("gratis?") asks about paying or being paid: both.
    either_words: Sequence[str] = ()
    # A login word (as spelled) is a bank login only beside one of these account words.
    login_forms: Sequence[str] = ()
    account_words: Sequence[str] = ()
    # Question words (kapan, siapa, berapa...) that tell one kind of answer from another.
    cue_words: Sequence[str] = ()
    # Questions that share words with the topic but that no intent answers (the refusal stage).
    off_topic: Sequence[str] = ()
    # More such questions for the refusal stage only (faq_more.toml): the word matcher and the
    # model's nearest example refuse by them, the classifier is not trained on them.
    refused_too: Sequence[str] = ()


def load_knowledge() -> KnowledgeBase:
    """The shipped knowledge base: intent id -> example phrasings, and the topic's own words.
    faq_more.toml's phrasings join faq.toml's examples, its off-topic questions the refusal
    stage (`refused_too`)."""
    knowledge = resources.files("handlers.knowledge")
    data: dict[str, Any] = tomllib.loads(knowledge.joinpath("faq.toml").read_text("utf-8"))
    more: dict[str, Any] = tomllib.loads(knowledge.joinpath("faq_more.toml").read_text("utf-8"))
    intents: dict[str, Any] = data["intents"]
    extra: dict[str, Any] = more.get("intents", {})
    unknown = (set(intents) | set(extra)) - set(INTENTS)
    if unknown:
        raise ValueError(f"faq.toml has unknown intents: {sorted(unknown)}")
    safety = data.get("safety", {})
    return KnowledgeBase({intent: [*intents[intent]["examples"],
                                   *extra.get(intent, {}).get("examples", ())]
                          for intent in INTENTS},
                         list(data["topic"]["words"]),
                         scam_signs=list(safety.get("scam_signs", ())),
                         paid_forms=list(safety.get("paid_forms", ())),
                         sign_words=list(safety.get("sign_words", ())),
                         fraud_words=list(safety.get("fraud_words", ())),
                         win_forms=list(safety.get("win_forms", ())),
                         prize_words=list(safety.get("prize_words", ())),
                         either_words=list(safety.get("either_words", ())),
                         login_forms=list(safety.get("login_forms", ())),
                         account_words=list(safety.get("account_words", ())),
                         cue_words=list(data["topic"].get("question_words", ())),
                         off_topic=list(data.get("off_topic", {}).get("examples", ())),
                         refused_too=list(more.get("off_topic", {}).get("examples", ())))


class FaqMatcher:
    """Scores a question against every intent's examples; built once, then read-only."""

    def __init__(self, knowledge: KnowledgeBase, threshold: float = DEFAULT_THRESHOLD, *,
                 stemmer: Stemmer | None = None) -> None:
        examples = knowledge.examples
        self.threshold = threshold
        self._normalizer = Normalizer(stemmer=stemmer)
        words = _example_words(examples, self._normalizer)
        self._normalizer.set_vocabulary(
            {w for phrases in words.values() for p in phrases for w in p})
        stemmed = {intent: [self._normalizer.stems_of_words(p) for p in phrases]
                   for intent, phrases in words.items()}
        intents_using: Counter[str] = Counter()
        for phrases in stemmed.values():
            intents_using.update({stem for p in phrases for stem in p})
        total = len(stemmed)
        self._idf = {stem: math.log(1 + total / n) for stem, n in intents_using.items()}
        # Question word -> intent -> the share of that intent's examples asking with it.
        cues = {self._normalizer.stem(w) for w in knowledge.cue_words}
        self._cue_share = {cue: {intent: sum(cue in p for p in phrases) / len(phrases)
                                 for intent, phrases in stemmed.items() if phrases}
                           for cue in cues}
        # A word the knowledge base never uses is as telling as the rarest known word.
        self._unknown_weight = math.log(1 + total)
        self._examples = [self._example(intent, p) for intent, phrases in stemmed.items()
                          for p in phrases]
        self._centroids = {intent: self._example(intent, [s for p in phrases for s in p])
                           for intent, phrases in stemmed.items()}
        # Stem -> (example number, its weight there over the example's norm): a question's
        # cosine with every example is the sum over its own stems' postings, and only the
        # examples sharing a stem can score above zero.
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for number, example in enumerate(self._examples):
            for stem, weight in example.weights.items():
                self._postings.setdefault(stem, []).append((number, weight / example.norm))
        self._intent_of = [example.intent for example in self._examples]
        self._topic = frozenset(s for w in knowledge.topic_words
                                for s in self._normalizer.stems(w))
        self._common = frozenset(self._normalizer.common_words) - self._idf.keys()
        self._scam_signs = frozenset(s for w in knowledge.scam_signs
                                     for s in self._normalizer.stems(w))
        self._paid_forms = frozenset(w.casefold() for w in knowledge.paid_forms)
        self._sign_words = frozenset(s for w in knowledge.sign_words
                                     for s in self._normalizer.stems(w))
        self._fraud_words = frozenset(s for w in knowledge.fraud_words
                                      for s in self._normalizer.stems(w))
        self._win_forms = frozenset(w.casefold() for w in knowledge.win_forms)
        self._login_forms = frozenset(w.casefold() for w in knowledge.login_forms)
        self._account_words = frozenset(w.casefold() for w in knowledge.account_words)
        self._either = frozenset(s for w in knowledge.either_words
                                 for s in self._normalizer.stems(w))
        self._prizes = frozenset(s for w in knowledge.prize_words
                                 for s in self._normalizer.stems(w))
        # Off-topic exemplars, weighted as a question is (their own words are not added to the
        # vocabulary nor to the weights: they must not change how SPI questions are read).
        self._off_postings: dict[str, list[tuple[int, float]]] = {}
        off_stems: set[str] = set()
        for number, phrase in enumerate((*knowledge.off_topic, *knowledge.refused_too)):
            # Our own spelling: no typo correction needed (it would cost ~0.1 s at start-up).
            stems = {s for s in self._normalizer.stems_of_words(
                self._normalizer.words(phrase), correct=False) if s not in self._common}
            off_stems |= stems
            weights = {s: self._idf.get(s, self._unknown_weight) for s in stems}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for stem, weight in weights.items():
                self._off_postings.setdefault(stem, []).append((number, weight / norm))
        self._off_only = frozenset(off_stems - self._idf.keys())

    def _example(self, intent: str, stems: Sequence[str]) -> _Example:
        weights = {s: self._idf[s] for s in set(stems)}
        return _Example(intent, weights, math.sqrt(sum(w * w for w in weights.values())) or 1.0)

    def scores(self, question: str) -> dict[str, float]:
        """Confidence per intent, 0..1."""
        return self._scores(self._question_stems(question))

    def _question_stems(self, question: str) -> set[str]:
        # Common words the knowledge base never uses ("langsung", "dulu") are just noise.
        return {s for s in self._normalizer.stems(question) if s not in self._common}

    def _scores(self, stems: set[str]) -> dict[str, float]:
        return self._scored(stems)[0]

    def _scored(self, stems: set[str]) -> tuple[dict[str, float], dict[str, float]]:
        """Per intent: the blended score, and the cosine with its closest example; plus, under
        OFF_TOPIC in the second, the cosine with the closest off-topic exemplar."""
        if not stems:
            return dict.fromkeys(INTENTS, 0.0), dict.fromkeys((*INTENTS, OFF_TOPIC), 0.0)
        query = {s: self._idf.get(s, self._unknown_weight) for s in stems}
        norm = math.sqrt(sum(w * w for w in query.values()))
        dots: dict[int, float] = {}
        off: dict[int, float] = {}
        for stem, weight in query.items():
            for number, share in self._postings.get(stem, ()):
                dots[number] = dots.get(number, 0.0) + weight * share
            for number, share in self._off_postings.get(stem, ()):
                off[number] = off.get(number, 0.0) + weight * share
        best: dict[str, float] = dict.fromkeys(self._centroids, 0.0)
        for number, dot in dots.items():
            intent = self._intent_of[number]
            best[intent] = max(best[intent], dot)
        closest = {intent: dot / norm for intent, dot in best.items()}
        closest[OFF_TOPIC] = max(off.values(), default=0.0) / norm
        return ({intent: MAX_WEIGHT * closest[intent]
                 + (1 - MAX_WEIGHT) * _cosine(query, norm, centroid)
                 for intent, centroid in self._centroids.items()}, closest)

    def scam_request(self, question: str) -> bool:
        """The question mentions handing over a secret or money (or asks what a scam's signs
        are): whatever else it asks, its answer is the scam-sign warning."""
        return self._scam_sign(question, self._question_stems(question))

    def _scam_sign(self, question: str, stems: set[str]) -> bool:
        if stems & self._sign_words and stems & self._fraud_words:
            return True
        signs = stems & self._scam_signs
        if not signs and not stems & self._prizes:
            return False
        spelled = self._normalizer.spelled(question)
        if not signs:
            return bool(self._win_forms.intersection(spelled))
        by_word = {w: set(self._normalizer.stems(w)) for w in spelled}
        # Words glossary phrases make of several ("ibu kandung", "kata sandi") stay signs.
        phrased = signs - {s for ws in by_word.values() for s in ws}
        # A bare "login" is a bank login only beside a bank or wallet word ("harus login dulu
        # sebelum mengisi?" asks how to fill the survey in).
        if self._login_forms.intersection(spelled) \
                and not self._account_words.intersection(spelled):
            signs -= {s for w, ws in by_word.items() if w in self._login_forms for s in ws} \
                - {s for w, ws in by_word.items() if w not in self._login_forms for s in ws}
        # A money word counts only in a form that asks it of the person: "bayarannya berapa"
        # (being paid) is not a sign, "harus bayar dulu" is. A secret has no such form.
        asked = {s for w, ws in by_word.items() if w not in self._paid_forms for s in ws}
        return bool(phrased or signs & asked)

    def stem(self, word: str) -> str:
        return self._normalizer.stem(word)

    def spelled(self, text: str) -> list[str]:
        """The words of `text`, lower-cased, chat spellings expanded."""
        return self._normalizer.spelled(text)

    def known_words(self, word: str) -> list[tuple[str, str] | None]:
        """What one spelled word is to the knowledge base: per word it stands for, that
        knowledge-base word and its stem, or None where unknown ([] for a stopword)."""
        out: list[tuple[str, str] | None] = []
        for meant in self._normalizer.words(word):
            known = self._normalizer.as_known(meant)
            out.append(None if known is None else (known, self._normalizer.stem(known)))
        return out

    async def match_async(self, question: str) -> Match:
        """`match` for a chat: the word matcher is fast enough to run on the event loop (a
        matcher with a model to ask overrides this and asks it on another thread)."""
        return self.match(question)

    def match(self, question: str) -> Match:
        stems = self._question_stems(question)
        scores, closest = self._scored(stems)
        intent = max(scores, key=scores.__getitem__)
        score = round(scores[intent], 3)
        on_topic = bool(stems & self._topic)
        if score <= 0:
            return Match(None, 0.0, None, on_topic)
        needed = self.threshold
        unknown = any(s not in self._idf for s in stems)
        if not on_topic:
            needed += OFF_TOPIC_MARGIN if unknown else UNNAMED_TOPIC_MARGIN
        elif unknown:
            needed += NAMED_UNKNOWN_MARGIN
        cues = [self._cue_share[s] for s in stems if s in self._cue_share]
        if on_topic and cues:
            scores = {i: v + CUE_BONUS * sum(c.get(i, 0.0) for c in cues) / len(cues)
                      for i, v in scores.items()}
            intent = max(scores, key=scores.__getitem__)
            score = round(scores[intent], 3)
        if intent == SCAM_SIGNS and on_topic:
            needed = self.threshold  # the warning is never a harmful answer: no extra margin
        answered = intent if score >= needed else None
        signs = self._scam_sign(question, stems)
        if signs and on_topic:
            # Handing over a secret or money: the safe answer, whatever else it asks.
            return Match(SCAM_SIGNS, max(score, needed), SCAM_SIGNS, on_topic)
        margin = MARKED_REFUSE_MARGIN if stems & self._off_only else REFUSE_MARGIN
        if closest[OFF_TOPIC] > max(closest[i] for i in INTENTS) + margin:
            # Closer to a question we must not answer than to any we answer: refused.
            return Match(None, score, intent, on_topic, refused=True)
        if signs and answered is not None:
            return Match(SCAM_SIGNS, max(score, needed), SCAM_SIGNS, on_topic)
        if answered is not None and stems & self._either and not stems - self._either \
                - self._topic:
            # "Free?" alone: must one pay (a scam's sign) or is one paid? Ask which; the scam
            # sign as best guess keeps the model from settling it (NEVER_OVERRULED).
            return Match(None, score, SCAM_SIGNS, on_topic, (SCAM_SIGNS, HONORARIUM))
        if answered is not None:
            second = max((i for i in scores if i != intent), key=scores.__getitem__)
            if scores[second] >= needed and score - scores[second] < CLARIFY_MARGIN:
                return Match(None, score, intent, on_topic, (intent, second))
        return Match(answered, score, intent, on_topic)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spi-bot"


def _example_words(examples: Mapping[str, Sequence[str]],
                   normalizer: Normalizer) -> dict[str, list[list[str]]]:
    """Every example's words (Normalizer.words), read from a cache file keyed by the examples,
    the slang table, the glossary and the code that reads them: working them out for ~4,000
    examples is ~0.2 s of every cold start (`spi-bot faq`, a new web process). Any failure to
    read or write the cache just means working them out."""
    digest = hashlib.sha256()
    knowledge = resources.files("handlers.knowledge")
    for name in ("slang.toml", "glossary.toml"):
        digest.update(knowledge.joinpath(name).read_bytes())
    digest.update(Path(language.__file__).read_bytes())
    for intent, phrases in examples.items():
        digest.update(f"\x00{intent}\x00".encode())
        for phrase in phrases:
            digest.update(phrase.encode("utf-8") + b"\n")
    path = default_cache_dir() / f"faq-words-{digest.hexdigest()[:20]}.json"
    try:
        cached = json.loads(path.read_text("utf-8"))
        if isinstance(cached, dict) and list(cached) == list(examples) and all(
                len(cached[i]) == len(p) for i, p in examples.items()):
            return {i: [list(map(str, w)) for w in ws] for i, ws in cached.items()}
    except (OSError, ValueError):
        pass
    words = {intent: [normalizer.words(p) for p in phrases]
             for intent, phrases in examples.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(words, ensure_ascii=False), "utf-8")
        partial.replace(path)
    except OSError:
        pass
    return words


def _cosine(query: Mapping[str, float], norm: float, example: _Example) -> float:
    dot = sum(w * example.weights[s] for s, w in query.items() if s in example.weights)
    return dot / (norm * example.norm)


@lru_cache(maxsize=4)
def shipped_matcher(threshold: float = DEFAULT_THRESHOLD, embedding: bool = False) -> FaqMatcher:
    """The matcher over the shipped knowledge base, built once per process; `embedding` adds
    the sentence-embedding second opinion (handlers/faq/embedding.py) where it is installed."""
    if embedding:
        from handlers.faq.embedding import HybridMatcher  # noqa: PLC0415  (imports this module)
        return HybridMatcher(load_knowledge(), threshold)
    return FaqMatcher(load_knowledge(), threshold)


def stems_worked_out() -> dict[str, str]:
    """Every word that building the shipped matcher stems, with its stem worked out afresh
    (what scripts/faq_stems.py ships as handlers/knowledge/stems.json)."""
    worked_out: dict[str, str] = {}

    class Recording(Stemmer):
        def _stem(self, word: str) -> str:
            stem = super()._stem(word)
            if len(word) > 3 and not word.isdigit():
                worked_out[word] = stem
            return stem

    FaqMatcher(load_knowledge(), stemmer=Recording(shipped_table=False))
    return worked_out
