"""`--batch FILE` for the one-shot commands: one input per line in, one JSON line out each."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def run_batch(path: Path, to_json: Callable[[str], str]) -> int:
    """Print `to_json(line)` for every non-empty line of `path`; 2 when it cannot be read."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Berkas {path} tidak bisa dibaca: {exc}", file=sys.stderr)
        return 2
    for line in (raw.strip() for raw in lines):
        if line:
            print(to_json(line))
    return 0
