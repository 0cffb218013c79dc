"""Measure the checker on a labelled set: confusion matrix and the two safety properties.

    PYTHONPATH=. .venv/bin/python scripts/eval_checker.py tests/data/checker_dev.toml
    PYTHONPATH=. .venv/bin/python scripts/eval_checker.py tests/data/blind/checker_messages.toml

The properties: no scam or manipulation message is `official`, and no genuine message whose
link is KPK's but whose sender number or e-mail is unlisted is `suspicious`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.check.checker import VERDICTS  # noqa: E402
from tests.support.checker_sets import evaluate, load_cases  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1])
    cases = load_cases(path)
    report = evaluate(cases, year=int(sys.argv[2]) if len(sys.argv) > 2 else 2026)
    print(f"{path}: {len(cases)} messages, {report.correct} verdicts as expected "
          f"({report.correct / len(cases):.1%})")
    print("expected \\ got".ljust(16) + "".join(v.rjust(14) for v in VERDICTS))
    for expected in VERDICTS:
        row = [report.matrix.get((expected, got), 0) for got in VERDICTS]
        print(expected.ljust(16) + "".join(str(n).rjust(14) for n in row))
    print(f"scam or manipulation called official: {len(report.fakes_official)}")
    print(f"genuine with an unlisted sender called suspicious: "
          f"{len(report.unlisted_sender_suspicious)} of {report.unlisted_sender_total}")
    print(f"any genuine (official or unknown expected) called suspicious: "
          f"{len(report.genuine_suspicious)}")


if __name__ == "__main__":
    main()
