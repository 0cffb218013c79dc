"""Benchmark: time per broadcast text of the integrity check (outreach/integrity.py).

    PYTHONPATH=. .venv/bin/python scripts/bench_integrity.py [CHECKOUT] [--without-allow-list]

Times `check_text` on every text of the dev sets integrity_dev, integrity_tune and
integrity_dev2 of CHECKOUT (default: this one), three passes after one warm-up pass, and
prints the median, the 95th percentile and the total per pass. Run it with PYTHONPATH set to
two checkouts in turn to compare them on the same texts; `--without-allow-list` switches off the
allow-list stage (outreach/integrity_allow.py).
"""

from __future__ import annotations

import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import outreach.integrity  # noqa: E402
from outreach.integrity import check_text  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--without-allow-list"]
    outreach.integrity.ALLOW_LIST_STAGE = "--without-allow-list" not in sys.argv
    root = Path(args[0]) if args else ROOT
    texts: list[str] = []
    for name in ("integrity_dev.toml", "integrity_tune.toml", "integrity_dev2.toml"):
        data = tomllib.loads((root / "tests" / "data" / name).read_text("utf-8"))
        texts += [t["text"] for t in data["text"]]
    for text in texts:
        check_text(text)  # warm caches, as in a running bot
    times = []
    for _ in range(3):
        for text in texts:
            start = time.perf_counter()
            check_text(text)
            times.append(time.perf_counter() - start)
    times.sort()
    print(f"{len(texts)} texts: median {statistics.median(times) * 1e3:.3f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1e3:.3f} ms, "
          f"total per pass {sum(times) / 3:.2f} s")


if __name__ == "__main__":
    main()
