"""The engine's map (bot/engine/__init__.py) names tests and modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

import bot.engine

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_and_file_the_engine_map_names_exists() -> None:
    text = bot.engine.__doc__ or ""
    files = set(re.findall(r"\b((?:tests|storage|bot)/[\w/]+\.py)\b", text))
    assert files and all((ROOT / f).is_file() for f in files), files
    sources = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
    named = set(re.findall(r"`(test_\w+)`", text))
    assert len(named) >= 10
    missing = [name for name in named if f"def {name}(" not in sources]
    assert missing == []
