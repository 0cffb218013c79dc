"""Benchmark: median time per FAQ answer and per check, batch throughput, CLI cold start.

    .venv/bin/python scripts/bench_faq_check.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_catalog  # noqa: E402
from core.settings import load_settings  # noqa: E402
from handlers.check.checker import check_text  # noqa: E402
from handlers.check.registry import load_registry  # noqa: E402
from handlers.check.render import render  # noqa: E402
from handlers.faq.answers import answer_text  # noqa: E402
from handlers.faq.matcher import FaqMatcher, load_knowledge, shipped_matcher  # noqa: E402

CHECKS = [
    "https://spi.kpk.go.id/s/Ab12Cd",
    "Yth. Bapak/Ibu, Anda terpilih sebagai responden Survei Penilaian Integritas KPK. "
    "Silakan isi di https://spi.kpk.go.id/s/Ab12Cd. Info: call center 198.",
    "Selamat! Anda memenangkan hadiah SPI KPK. Klik kpk-go.id/hadiah dan kirim OTP ke "
    "0812 3456 7890, transfer biaya admin Rp 50.000",
    "wa.me/6281119194761",
    "cek +62 811-1919-4761",
    "https://kpk.go.id@evil.xyz/login",
    "xn--kk-lmc.go.id",
    "bit.ly/spi-2025",
    "pengaduan@kpk.go.id",
    "kpk.gov.id",
]


def _median_us(fn: object, inputs: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        for text in inputs:
            start = time.perf_counter()
            fn(text)  # type: ignore[operator]
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _cold_start(args: list[str], runs: int = 5) -> float:
    exe = ROOT / ".venv" / "bin" / "spi-bot"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), *args], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    settings = load_settings(_env_file=None)
    catalog = build_catalog(settings)
    registry = load_registry()
    matcher = shipped_matcher(settings.faq_threshold)
    data = tomllib.loads((ROOT / "handlers" / "faq" / "eval.toml").read_text("utf-8"))
    questions = [q for qs in data["intents"].values() for q in qs]
    questions += data["out_of_scope"]["questions"]

    def answer(question: str) -> str:
        match = matcher.match(question)
        if match.intent is None:
            return catalog.text("id", "faq.unsure", kept="")
        return answer_text(catalog, "id", match.intent, settings, registry)

    def check(text: str) -> str:
        return render(catalog, "id", check_text(text, registry, year=2026))

    for text in questions:  # warm the stem and correction caches as a running bot would be
        answer(text)
    faq_us = _median_us(answer, questions, rounds=20)
    check_us = _median_us(check, CHECKS, rounds=200)
    # Throughput with cold caches: a new matcher has seen only the knowledge base's words, so
    # every other word of every question is stemmed and corrected for the first time.
    fresh_matcher = FaqMatcher(load_knowledge(), settings.faq_threshold)
    start = time.perf_counter()
    for q in questions:
        fresh_matcher.match(q)
    faq_rate = len(questions) / (time.perf_counter() - start)
    batch = CHECKS * 100
    start = time.perf_counter()
    for text in batch:
        check(text)
    check_rate = len(batch) / (time.perf_counter() - start)

    print(f"FAQ: median {faq_us / 1000:.3f} ms per answer over {len(questions)} questions "
          f"(matching + rendering, warm caches)")
    print(f"FAQ batch: {faq_rate:,.0f} questions/s with cold caches (every word new)")
    print(f"Check: median {check_us / 1000:.3f} ms per check over {len(CHECKS)} texts")
    print(f"Check batch: {check_rate:,.0f} checks/s")
    print(f"CLI cold start `spi-bot faq \"apakah wajib\"`: median "
          f"{_cold_start(['faq', 'apakah wajib']):.2f} s (5 runs)")
    print(f"CLI cold start `spi-bot check kpk.go.id`: median "
          f"{_cold_start(['check', 'kpk.go.id']):.2f} s (5 runs)")
    print(f"CLI `spi-bot --help` (baseline, every command pays it): median "
          f"{_cold_start(['--help']):.2f} s (5 runs)")


if __name__ == "__main__":
    main()
