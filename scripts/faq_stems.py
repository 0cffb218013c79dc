"""Writes handlers/knowledge/stems.json: the stem of every word the FAQ matcher stems while it
is built from the knowledge base, so start-up need not run Sastrawi on them (~0.15 s).

    .venv/bin/python scripts/faq_stems.py          # after editing handlers/knowledge/*.toml

tests/test_faq.py fails when the table no longer matches the knowledge base.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.faq.language import STEM_TABLE  # noqa: E402
from handlers.faq.matcher import stems_worked_out  # noqa: E402


def main() -> None:
    table = stems_worked_out()
    path = ROOT / "handlers" / "knowledge" / STEM_TABLE
    path.write_text(json.dumps(table, ensure_ascii=True, indent=0, sort_keys=True) + "\n",
                    encoding="utf-8")
    print(f"{len(table)} stems written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
