"""Labelled checker sets (the dev set and the frozen blind set) and what is measured on them."""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from handlers.check.checker import MANIPULATION, OFFICIAL, SUSPICIOUS, UNKNOWN, check_text
from handlers.check.registry import load_registry


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expect: str


@dataclass
class Report:
    correct: int = 0
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)
    fakes_official: list[str] = field(default_factory=list)
    unlisted_sender_suspicious: list[str] = field(default_factory=list)
    unlisted_sender_total: int = 0
    genuine_suspicious: list[str] = field(default_factory=list)


def load_cases(path: Path) -> list[Case]:
    """`[[message]] text, expect` (the blind set) or `[verdict] texts = [...]` (the dev set)."""
    data = tomllib.loads(path.read_text("utf-8"))
    if "message" in data:
        return [Case(m["text"], m["expect"]) for m in data["message"]]
    return [Case(text, verdict) for verdict, table in data.items() for text in table["texts"]]


def evaluate(cases: list[Case], *, year: int) -> Report:
    registry = load_registry()
    report = Report()
    for case in cases:
        result = check_text(case.text, registry, year=year)
        report.matrix[case.expect, result.verdict] += 1
        report.correct += case.expect == result.verdict
        if case.expect in (SUSPICIOUS, MANIPULATION) and result.verdict == OFFICIAL:
            report.fakes_official.append(case.text)
        if case.expect in (OFFICIAL, UNKNOWN):
            if result.verdict == SUSPICIOUS:
                report.genuine_suspicious.append(case.text)
            unlisted_sender = result.official_link and any(
                i.kind in ("phone", "email") and i.verdict != OFFICIAL for i in result.items)
            if unlisted_sender:
                report.unlisted_sender_total += 1
                if result.verdict == SUSPICIOUS:
                    report.unlisted_sender_suspicious.append(case.text)
    return report
