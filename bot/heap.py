"""Garbage-collector settings for the long-running server.

The bot keeps a large, long-lived heap (catalogues, phone-number metadata, FAQ indexes); each
full collection walks all of it and stalls every conversation for tens of milliseconds.
Freezing what exists after start-up takes it out of the collector's sight, and a larger
young generation makes collections rarer. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION = 20_000  # CPython's default is 700 allocations


def settle_heap() -> None:
    """Call once the app is built and warmed up."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, old)
