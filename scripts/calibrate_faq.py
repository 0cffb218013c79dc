"""Calibrates the FAQ's decision stage on outsiders' text, by counts only.

The OLD blind batches (tests/data/blind/faq_questions.toml, _2, _3, _4, and since faq29 _8, which
the lead declared a development set; written by people who never saw the knowledge base) are
used here as a calibration set, through aggregate counts and nothing else: this script never
prints a question, never writes one anywhere, and never trains on one (the classifier is
trained on the knowledge base's own examples only). Batches 5-7 and 9 are the lead's measure:
they are never opened here.

Per set and per candidate setting it prints: in scope right / wrong / abstained (of which the
right intent was offered as a choice), off-topic answered, scam-sign questions answered as
another intent, and how many questions asked the model. `--grid` scores a small grid of
candidates (GRID) and picks one by leave-one-batch-out over batches 1-4 and 8: chosen on four (most
right answers, or most right minus wrong; off-topic answered <= 5% on each of them and on
eval.toml's and faq_oos_tune_embed.toml's off-topic lists; no more scam-sign questions answered
as another intent than before), then counted on the fifth. faq21 shipped the "right minus
wrong" choice (handlers/faq/embedding.py says why and with what figures).

    .venv/bin/python scripts/calibrate_faq.py            # the current settings
    .venv/bin/python scripts/calibrate_faq.py --before   # the settings before faq21
    .venv/bin/python scripts/calibrate_faq.py --set TAU_ON_TOPIC=0.45 --causes
    .venv/bin/python scripts/calibrate_faq.py --grid     # the candidates and the LOBO figures

Since faq23 the dev files faq_dev2/3/5 and faq_dev_embed are training data (copied into
handlers/knowledge/faq_more.toml): their rows here are no longer held-out figures; eval.toml
and faq_oos_tune_embed.toml still are.

The question embeddings are kept in memory only (~2 minutes of one core to compute on first
use); `--vectors DIR` keeps them (numbers, no text) in DIR between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from handlers.faq import embedding, matcher  # noqa: E402
from handlers.faq.embedding import HybridMatcher, Reading, _softmax  # noqa: E402
from handlers.faq.matcher import INTENTS, OFF_TOPIC, SCAM_SIGNS, Match, load_knowledge  # noqa: E402

BLIND = ROOT / "tests" / "data" / "blind"
# Only these five (faq29: batch 8 declared a development set by the lead); faq_questions_5.toml,
# _6.toml, _7.toml and _9.toml are never opened.
BATCHES = {"b1": BLIND / "faq_questions.toml", "b2": BLIND / "faq_questions_2.toml",
           "b3": BLIND / "faq_questions_3.toml", "b4": BLIND / "faq_questions_4.toml",
           "b8": BLIND / "faq_questions_8.toml"}
DATA = ROOT / "tests" / "data"
DEV = {"eval": ROOT / "handlers" / "faq" / "eval.toml", "dev2": DATA / "faq_dev2.toml",
       "dev3": DATA / "faq_dev3.toml", "dev5": DATA / "faq_dev5.toml",
       "dev_embed": DATA / "faq_dev_embed.toml", "oos_tune": DATA / "faq_oos_tune_embed.toml"}
OFF_LIMIT = 0.05
# ...or, on a set already above it with the first candidate (the current settings), no more than
# that candidate answers (faq26: batch 3 answers 4/70 = 5.7% with every candidate of the grid).
# Off-topic answered must stay within OFF_LIMIT on these dev files as well as on each batch.
GUARDED_DEV = ("eval", "oos_tune")


@dataclass
class Labelled:
    in_scope: list[tuple[str, str]]
    off_topic: list[str]


def load(path: Path) -> Labelled:
    if path.name in {"faq_questions_5.toml", "faq_questions_6.toml", "faq_questions_7.toml",
                     "faq_questions_9.toml"}:
        raise SystemExit("batches 5-7 and 9 are the lead's measure: never opened here")
    data = tomllib.loads(path.read_text("utf-8"))
    intents = data.get("intents", {})
    return Labelled([(i, q) for i in INTENTS for q in intents.get(i, [])],
                    list(data.get("out_of_scope", {}).get("questions", [])))


@dataclass
class Counts:
    n_in: int = 0
    right: int = 0
    wrong: int = 0
    abstained: int = 0
    offered: int = 0  # abstained, but the right intent among the choices
    n_off: int = 0
    off_answered: int = 0
    off_choices: int = 0
    scam_as_other: int = 0
    asked: int = 0  # questions that asked the model
    causes: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)  # wrong: "true -> given" (faq30)

    def row(self) -> str:
        return (f"in {self.n_in:4d}: right {self.right:4d} ({self.right / max(self.n_in, 1):6.1%})"
                f" wrong {self.wrong:3d} abstained {self.abstained:3d} (offered {self.offered:3d},"
                f" reached {(self.right + self.offered) / max(self.n_in, 1):6.1%}) | off "
                f"{self.n_off:3d}: answered {self.off_answered:2d} "
                f"({self.off_answered / max(self.n_off, 1):5.1%}) choices {self.off_choices:2d}"
                f" | scam->other {self.scam_as_other} | model asked "
                f"{self.asked / max(self.n_in + self.n_off, 1):4.0%}")


# What a candidate may set: module constants of the two stages, the lexical threshold, and how
# the classifier is trained.
LEXICAL = ("DEFAULT_THRESHOLD", "CLARIFY_MARGIN", "REFUSE_MARGIN", "MARKED_REFUSE_MARGIN",
           "OFF_TOPIC_MARGIN", "UNNAMED_TOPIC_MARGIN", "NAMED_UNKNOWN_MARGIN", "CUE_BONUS")
HYBRID = ("CLOSE_GAP", "FUSE_WEIGHT", "TAU_ON_TOPIC", "TAU_OFF_TOPIC", "TAU_AGREED",
          "TAU_AGREED_UNNAMED", "REFUSAL_LIFT_VETO", "REFUSAL_LIFT_MARGIN",
          "OFF_TOPIC_VETO", "EMBED_REFUSE_MARGIN", "SUGGEST_MASS_ON_TOPIC",
          "SUGGEST_MASS_OFF_TOPIC")
# LEXICAL_SCALE > 0 (an experiment, not in the product): the word matcher's 21 scores, times
# this, join the embedding as the classifier's features (the knowledge base's examples scored
# out of fold: five word matchers, each built without a fifth of the examples).
TRAINING = ("L2", "TRAIN_STEPS", "OFF_TOPIC_WEIGHT", "BALANCED", "LEXICAL_SCALE")


@contextmanager
def patched(settings: Mapping[str, Any]) -> Iterator[None]:
    saved: list[tuple[Any, str, Any]] = []
    for name, value in settings.items():
        if name in TRAINING:
            continue
        module = matcher if name in LEXICAL else embedding
        if not hasattr(module, name):
            raise SystemExit(f"unknown setting {name}")
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


class _MemoLexical(matcher.FaqMatcher):
    """The word matcher's answer and scores, kept per question and lexical setting (the grid
    mostly varies the later stages)."""

    _memo: dict[tuple[Any, ...], Any]

    def _key(self, kind: str, question: str) -> tuple[Any, ...]:
        return (kind, question, self.threshold, *(getattr(matcher, n) for n in LEXICAL))

    def match(self, question: str) -> Match:
        key = self._key("match", question)
        if key not in self._memo:
            self._memo[key] = super().match(question)
        found: Match = self._memo[key]
        return found

    def scores(self, question: str) -> dict[str, float]:
        key = self._key("scores", question)
        if key not in self._memo:
            self._memo[key] = super().scores(question)
        return dict(self._memo[key])


class _Hybrid(HybridMatcher, _MemoLexical):
    pass


class Calibrator:
    def __init__(self, vectors_dir: Path | None) -> None:
        self.hybrid = _Hybrid(load_knowledge())
        self.hybrid._memo = {}
        if not self.hybrid.opinion.wait():
            raise SystemExit("the embedding model did not load")
        opinion = self.hybrid.opinion
        if opinion._matrix is None:
            raise SystemExit("no examples' matrix")
        self.intents = list(opinion._intents)
        # The classifier's training rows (faq_more.toml's off-topic questions are compared with
        # but not trained on); `similar` below uses every row.
        self.matrix = opinion._matrix[opinion._trained].astype(np.float32)
        self.labels = np.asarray(opinion._labels)[opinion._trained]
        self.starts = opinion._starts
        self.vectors_dir = vectors_dir
        self.sets = {name: load(path) for name, path in {**BATCHES, **DEV}.items()}
        self.paths = {**BATCHES, **DEV}
        self.vectors: dict[str, np.ndarray] = {}
        self.similar: dict[str, np.ndarray] = {}
        self._classifiers: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._out_of_fold: np.ndarray | None = None
        for name, labelled in self.sets.items():
            texts = [q for _, q in labelled.in_scope] + labelled.off_topic
            self.vectors[name] = self._embed(name, texts)
            sims = self.vectors[name] @ opinion._matrix.astype(np.float32).T
            self.similar[name] = np.maximum.reduceat(sims, self.starts, axis=1)

    def _embed(self, name: str, texts: Sequence[str]) -> np.ndarray:
        digest = hashlib.sha256(self.paths[name].read_bytes()).hexdigest()[:16]
        stored = self.vectors_dir / f"{name}-{digest}.npy" if self.vectors_dir else None
        if stored is not None and stored.exists():
            loaded: np.ndarray = np.load(stored)
            return loaded
        model = self.hybrid.opinion._model
        out = np.stack([model.encode(t, True) for t in texts]).astype(np.float32)
        if stored is not None:
            stored.parent.mkdir(parents=True, exist_ok=True)
            np.save(stored, out)
        return out

    def classifier(self, settings: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        key = tuple(settings.get(k) for k in TRAINING)
        if key not in self._classifiers:
            weights = None
            off_weight = settings.get("OFF_TOPIC_WEIGHT", 1.0)
            balanced = settings.get("BALANCED", False)
            if off_weight != 1.0 or balanced:
                counts = np.bincount(self.labels, minlength=len(self.intents))
                weights = (len(self.labels) / (len(self.intents) * counts[self.labels])
                           if balanced else np.ones(len(self.labels)))
                off = self.intents.index(OFF_TOPIC)
                weights = np.where(self.labels == off, weights * off_weight, weights)
            features = self.matrix
            scale = settings.get("LEXICAL_SCALE", 0.0)
            if scale:
                features = np.hstack([self.matrix, scale * self.out_of_fold()])
            self._classifiers[key] = embedding.train_classifier(
                features, list(self.labels), len(self.intents),
                l2=settings.get("L2", embedding.L2),
                steps=settings.get("TRAIN_STEPS", embedding.TRAIN_STEPS),
                sample_weight=weights)
        return self._classifiers[key]

    def out_of_fold(self) -> np.ndarray:
        """The word matcher's scores of each example (and off-topic exemplar) by a matcher
        built without its fifth of the examples."""
        if self._out_of_fold is None:
            knowledge = load_knowledge()
            texts = [t for i in self.intents
                     for t in (knowledge.off_topic if i == OFF_TOPIC else knowledge.examples[i])]
            folds = np.arange(len(texts)) % 5
            scores = np.zeros((len(texts), len(INTENTS)), np.float32)
            for fold in range(5):
                kept = {i: [t for t, f, label in zip(texts, folds, self.labels, strict=True)
                            if f != fold and self.intents[label] == i] for i in INTENTS}
                word_matcher = matcher.FaqMatcher(replace(knowledge, examples=kept))
                for row in np.flatnonzero(folds == fold):
                    found = word_matcher.scores(texts[row])
                    scores[row] = [found[i] for i in INTENTS]
            self._out_of_fold = scores
        return self._out_of_fold

    def evaluate(self, name: str, settings: Mapping[str, Any]) -> Counts:
        labelled = self.sets[name]
        w, b = self.classifier(settings)
        texts = [q for _, q in labelled.in_scope] + labelled.off_topic
        features = self.vectors[name]
        scale = settings.get("LEXICAL_SCALE", 0.0)
        if scale:
            lexical = np.array([[self.hybrid.scores(t)[i] for i in INTENTS] for t in texts],
                               np.float32).reshape(len(texts), len(INTENTS))
            features = np.hstack([features, scale * lexical])
        probability = _softmax(features @ w + b)
        similar = self.similar[name]
        index = {t: n for n, t in enumerate(texts)}
        intents = self.intents
        hybrid = self.hybrid

        counts = Counts(n_in=len(labelled.in_scope), n_off=len(labelled.off_topic))

        def read(question: str) -> Reading:
            n = index[question]
            counts.asked += 1
            return Reading(dict(zip(intents, map(float, similar[n]), strict=True)),
                           dict(zip(intents, map(float, probability[n]), strict=True)))

        hybrid.opinion.read = read  # type: ignore[method-assign]
        with patched(settings):
            hybrid.threshold = settings.get("DEFAULT_THRESHOLD", matcher.DEFAULT_THRESHOLD)
            for intent, question in labelled.in_scope:
                got = hybrid.match(question)
                if got.intent == intent:
                    counts.right += 1
                elif got.intent is not None:
                    counts.wrong += 1
                    cause = "wrong: " + _answered_by(hybrid, question, got)
                    pair = f"{intent} -> {got.intent}"
                    counts.pairs[pair] = counts.pairs.get(pair, 0) + 1
                    counts.causes[cause] = counts.causes.get(cause, 0) + 1
                    if intent == SCAM_SIGNS:
                        counts.scam_as_other += 1
                        # faq28: counts only, which answer and whether a request was named.
                        named = ("a request named" if hybrid.scam_request(question)
                                 else "none named")
                        cause = f"scam->{got.intent}: {cause[7:]}, {named}"
                        counts.causes[cause] = counts.causes.get(cause, 0) + 1
                else:
                    counts.abstained += 1
                    if intent in (*got.alternatives, *got.suggestions):
                        counts.offered += 1
                    cause = _cause(hybrid, question, got)
                    counts.causes[cause] = counts.causes.get(cause, 0) + 1
            for question in labelled.off_topic:
                got = hybrid.match(question)
                counts.off_answered += got.intent is not None
                if got.intent is not None:
                    cause = "off: " + _answered_by(hybrid, question, got)
                    counts.causes[cause] = counts.causes.get(cause, 0) + 1
                counts.off_choices += bool(got.alternatives or got.suggestions)
        return counts


def ceilings(calibrator: Calibrator, name: str, settings: Mapping[str, Any]) -> str:
    """How many in-scope questions each opinion's first choice gets right, were it always
    taken: the word matcher's best guess, the classifier's likeliest intent, the fused one,
    and the nearest example's intent (counts only)."""
    labelled = calibrator.sets[name]
    w, b = calibrator.classifier(settings)
    n_in = len(labelled.in_scope)
    probability = _softmax(calibrator.vectors[name][:n_in] @ w + b)
    similar = calibrator.similar[name][:n_in]
    intents = calibrator.intents
    off = intents.index(OFF_TOPIC)
    lexical = fused = classifier = nearest = top2 = 0
    with patched(settings):
        for n, (intent, question) in enumerate(labelled.in_scope):
            scores = calibrator.hybrid.scores(question)
            lexical += max(scores, key=scores.__getitem__) == intent
            p = probability[n].copy()
            p[off] = -1
            classifier += intents[int(p.argmax())] == intent
            top2 += intent in {intents[int(i)] for i in np.argsort(-p)[:2]}
            s = similar[n].copy()
            s[off] = -1
            nearest += intents[int(s.argmax())] == intent
            weight = settings.get("FUSE_WEIGHT", embedding.FUSE_WEIGHT)
            mixed = {i: v + weight * float(probability[n][intents.index(i)])
                     for i, v in scores.items()}
            fused += max(mixed, key=mixed.__getitem__) == intent
    return (f"first choice right of {n_in}: lexical {lexical}, classifier {classifier} "
            f"(in its top two {top2}), fused {fused}, nearest example {nearest}")


def _cause(hybrid: _Hybrid, question: str, got: Match) -> str:
    lexical = _MemoLexical.match(hybrid, question)
    if lexical.refused:
        return "lexical refusal"
    if got.refused:
        return "model refusal"
    if got.alternatives:
        return "torn"
    return "below tau"


def _answered_by(hybrid: HybridMatcher, question: str, got: Match) -> str:
    lexical, scores = hybrid._first_stage(question)
    if scores is None:
        return "lexical, sure"
    if lexical.intent is not None:
        return "lexical, checked"
    if lexical.alternatives:
        return "torn, settled"
    return "classifier"


# The settings before faq21 calibrated them here (the grid's first candidate).
BEFORE: dict[str, Any] = {"TAU_ON_TOPIC": 0.5, "TAU_AGREED": 1.01, "OFF_TOPIC_VETO": 1.01,
                          "CLOSE_GAP": 0.15, "BALANCED": False}


# The settings faq26 recalibrated from (faq21-faq24's shipped values): the grid's first candidate,
# and the scam-sign baseline (no candidate may answer more of them as another intent).
# faq29: the shipped values after faq26-faq28 (faq28's refusal lift never recalibrated).
CURRENT: dict[str, Any] = {"TAU_ON_TOPIC": 0.5, "TAU_AGREED": 0.2, "TAU_AGREED_UNNAMED": 0.45,
                           "OFF_TOPIC_VETO": 0.4, "CLOSE_GAP": 0.2, "REFUSAL_LIFT_VETO": 0.2,
                           "REFUSAL_LIFT_MARGIN": 0.02}


# The candidates: every combination of these values (the current value first; faq21's grid
# had TAU_ON 0.5/0.45/0.4, TAU_AGREED off/0.2, the veto off/0.5-0.3, CLOSE_GAP 0.15/0.3 and
# balanced class weights, which faq21 found no gain in). faq26: TAU_AGREED_UNNAMED is the
# agreement tau for questions that never name the topic (0.8 = TAU_OFF_TOPIC, i.e. none).
# faq29: batch 8 joins (five folds); EMBED_REFUSE_MARGIN stays 0.0 (0.0 in every faq26 fold), the
# refusal lift's veto and margin join.
GRID: dict[str, tuple[Any, ...]] = {
    "TAU_ON_TOPIC": (0.5, 0.45, 0.4, 0.55),
    "TAU_AGREED": (0.2, 0.15, 0.3),
    "TAU_AGREED_UNNAMED": (0.45, 0.3, 0.6),
    "OFF_TOPIC_VETO": (0.4, 0.5, 0.3),
    "CLOSE_GAP": (0.2, 0.15, 0.25),
    "REFUSAL_LIFT_VETO": (0.2, 0.3, 0.1),
    "REFUSAL_LIFT_MARGIN": (0.02, 0.0),
}
# The model may be asked for at most this share of a batch's questions, so the median answer
# stays a word-matcher one (issue 13: median <= 15 ms with the model; a model call ~25-30 ms);
# faq29: or no more often than the current settings (batch 8 asks it for 53% already).
MAX_ASKED = 0.45


def grid() -> list[dict[str, Any]]:
    return [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]


def describe(settings: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in settings.items()) or "(current)"


# How a fold ranks the admissible candidates on its other batches: "right" counts answers
# right; "net" subtracts the wrong ones (a wrong answer misleads as much as a right one helps).
# "reached" (for --suggest-grid) counts the right intent answered or among the offered choices.
OBJECTIVES: dict[str, Callable[[Counts], int]] = {
    "right": lambda c: c.right, "net": lambda c: c.right - c.wrong,
    "reached": lambda c: c.right + c.offered}
# The offered choices' candidates (--suggest-grid), over the current answering settings.
SUGGEST_GRID: dict[str, tuple[Any, ...]] = {
    "SUGGEST_MASS_ON_TOPIC": (0.5, 0.4),
    "SUGGEST_MASS_OFF_TOPIC": (0.8, 0.75, 0.7, 0.65, 0.6),
}


def lobo(results: Sequence[tuple[dict[str, Any], dict[str, Counts]]], objective: str, *,
         choices: bool = False) -> None:
    baseline = results[0][1]  # the first candidate: no scam-sign question may newly be answered
    gain = OBJECTIVES[objective]

    def admissible(counts: Mapping[str, Counts], names: Sequence[str]) -> bool:
        return all(counts[n].off_answered <= max(OFF_LIMIT * counts[n].n_off,
                                                 baseline[n].off_answered)
                   and (not choices or counts[n].off_choices <= OFF_LIMIT * counts[n].n_off)
                   and counts[n].scam_as_other <= baseline[n].scam_as_other
                   and counts[n].asked <= max(MAX_ASKED * (counts[n].n_in + counts[n].n_off),
                                              baseline[n].asked)
                   for n in (*names, *GUARDED_DEV))

    offered = " and offered choices" if choices else ""
    print(f"\nleave-one-batch-out (chosen on the others: most {objective}, off-topic "
          f"answered{offered} <= 5% on each and on {', '.join(GUARDED_DEV)}):")
    total_right = total_wrong = total_off = total_n = total_n_off = 0
    for held in BATCHES:
        rest = [n for n in BATCHES if n != held]
        fits = [(s, c) for s, c in results if admissible(c, rest)]
        if not fits:
            print(f"  {held}: no admissible candidate")
            continue
        best_s, best_c = max(fits, key=lambda sc: (sum(gain(sc[1][n]) for n in rest),
                                                   -sum(sc[1][n].wrong for n in rest)))
        total_right += best_c[held].right
        total_wrong += best_c[held].wrong
        total_off += best_c[held].off_answered
        total_n += best_c[held].n_in
        total_n_off += best_c[held].n_off
        print(f"  held out {held}, chosen {describe(best_s)}")
        print(f"    on {held}: {best_c[held].row()}")
    if total_n:
        print(f"  held-out total: right {total_right}/{total_n} = {total_right / total_n:.1%}, "
              f"wrong {total_wrong}, off-topic answered {total_off}/{total_n_off}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="score the candidate grid + LOBO")
    parser.add_argument("--suggest-grid", action="store_true",
                        help="score the offered choices' candidates + LOBO")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the single run (repeatable)")
    parser.add_argument("--before", action="store_true", help="the settings before faq21")
    parser.add_argument("--causes", action="store_true",
                        help="count why questions abstain, are wrong or off-topic answered")
    parser.add_argument("--pairs", action="store_true",
                        help="count wrong answers by (true intent -> given intent), over all sets")
    parser.add_argument("--ceiling", action="store_true",
                        help="count each opinion's first choice, were it always taken")
    parser.add_argument("--vectors", type=Path, help="keep question embeddings (numbers) here")
    args = parser.parse_args()
    calibrator = Calibrator(args.vectors)
    names = list(BATCHES) + list(DEV)
    if not args.grid and not args.suggest_grid:
        settings: dict[str, Any] = dict(BEFORE) if args.before else {}
        for item in args.set:
            key, _, value = item.partition("=")
            settings[key] = value == "True" if value in ("True", "False") else float(value)
            if key == "TRAIN_STEPS":
                settings[key] = int(settings[key])
        print(describe(settings))
        pairs: dict[str, dict[str, int]] = {}
        for name in names:
            counts = calibrator.evaluate(name, settings)
            print(f"  {name:9s} {counts.row()}")
            for pair, n in counts.pairs.items():
                pairs.setdefault(pair, {})[name] = n
            if args.ceiling and counts.n_in:
                print(f"            {ceilings(calibrator, name, settings)}")
            if args.causes:
                print(f"            why: {counts.causes}")
        if args.pairs:
            print("wrong answers by true -> given intent (batches total; per set):")
            for pair, per in sorted(pairs.items(), key=lambda kv: -sum(
                    kv[1].get(b, 0) for b in BATCHES)):
                print(f"  {sum(per.get(b, 0) for b in BATCHES):3d} {pair}: {per}")
        return 0
    if args.suggest_grid:
        return suggest_grid_run(calibrator, names)
    # The grid decides on the batches and the two guarded lists only (the other dev files are
    # training data since faq23, and skipping them keeps the bigger grid affordable).
    return grid_run(calibrator, [*BATCHES, *GUARDED_DEV])


def suggest_grid_run(calibrator: Calibrator, names: Sequence[str]) -> int:
    results: list[tuple[dict[str, Any], dict[str, Counts]]] = []
    for values in itertools.product(*SUGGEST_GRID.values()):
        settings = dict(zip(SUGGEST_GRID, values, strict=True))
        table = {name: calibrator.evaluate(name, settings) for name in names}
        results.append((settings, table))
        print(describe(settings))
        for name in names:
            print(f"  {name:9s} {table[name].row()}")
    lobo(results, "reached", choices=True)
    return 0


def grid_run(calibrator: Calibrator, names: Sequence[str]) -> int:
    results: list[tuple[dict[str, Any], dict[str, Counts]]] = []
    candidates = grid()
    if candidates[0] != CURRENT:
        raise SystemExit("the grid's first candidate must be the current settings")
    for settings in candidates:
        table = {name: calibrator.evaluate(name, settings) for name in names}
        results.append((settings, table))
        batches = sum(table[n].right for n in BATCHES), sum(table[n].n_in for n in BATCHES)
        devs = (sum(table[n].right for n in DEV if n in table),
                sum(table[n].n_in for n in DEV if n in table))
        off = " ".join(f"{n}:{table[n].off_answered}/{table[n].n_off}"
                       for n in (*BATCHES, *GUARDED_DEV))
        wrong = sum(table[n].wrong for n in BATCHES)
        asked = max(table[n].asked / (table[n].n_in + table[n].n_off) for n in BATCHES)
        print(f"{describe(settings)}\n  batches {batches[0]}/{batches[1]} "
              f"({batches[0] / batches[1]:.1%}) wrong {wrong}, dev {devs[0]}/{devs[1]} "
              f"({devs[0] / max(devs[1], 1):.1%}); off answered {off}; model asked <= "
              f"{asked:.0%}", flush=True)
    for objective in OBJECTIVES:
        lobo(results, objective)
    every = [(st, c) for st, c in results
             if all(c[n].off_answered <= max(OFF_LIMIT * c[n].n_off,
                                            results[0][1][n].off_answered)
                    and c[n].scam_as_other <= results[0][1][n].scam_as_other
                    and c[n].asked <= max(MAX_ASKED * (c[n].n_in + c[n].n_off),
                                          results[0][1][n].asked)
                    for n in (*BATCHES, *GUARDED_DEV))]
    print(f"\n{len(every)} of {len(results)} candidates keep off-topic <= 5% everywhere; best:")
    for st, c in sorted(every, key=lambda sc: -sum(sc[1][n].right for n in BATCHES))[:5]:
        print(f"  {describe(st)}: " + ", ".join(f"{n} {c[n].right}/{c[n].n_in}" for n in BATCHES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

