"""Writes handlers/knowledge/faq_embed.npz: the shipped knowledge base's example embeddings
(float16) and the FAQ classifier trained on them, so a fresh install's first start need not
embed ~2,000 examples (~35-45 s of a core).

    .venv/bin/python scripts/faq_embeddings.py     # after editing handlers/knowledge/faq.toml

It reads the cache on disk when that matches, else embeds (only the texts the old file lacks).
tests/test_faq_embedding.py fails when the file no longer matches the knowledge base.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.faq.embedding import (  # noqa: E402
    SHIPPED,
    opinion_examples,
    opinion_untrained,
    write_shipped,
)
from handlers.faq.matcher import load_knowledge  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    path = ROOT / "handlers" / "knowledge" / SHIPPED
    knowledge = load_knowledge()
    shipped = write_shipped(opinion_examples(knowledge), path,
                            untrained=opinion_untrained(knowledge))
    print(f"{shipped.matrix.shape[0]} examples ({shipped.key}) written to "
          f"{path.relative_to(ROOT)}, {path.stat().st_size // 1024} KB, "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
