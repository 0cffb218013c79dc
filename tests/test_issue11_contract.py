"""Issue 11's JSON contract for the FAQ: the intent ids `already_participated` and
`bot_privacy` exist beside the 18 and come back from `spi-bot faq --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from handlers.faq.matcher import INTENTS


def test_the_two_new_intent_ids_exist_beside_the_18() -> None:
    assert {"already_participated", "bot_privacy"} <= set(INTENTS)
    assert len(INTENTS) >= 20


@pytest.mark.parametrize(("question", "intent"), [
    ("saya sudah isi survei spi", "already_participated"),
    ("data saya disimpan bot ini berapa lama dan siapa yang bisa lihat", "bot_privacy"),
])
def test_cli_json_names_the_new_intents(question: str, intent: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "cli.db"))
    assert main(["faq", "--json", question]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"question", "intent", "score", "answer"}
    assert result["intent"] == intent and result["answer"]
