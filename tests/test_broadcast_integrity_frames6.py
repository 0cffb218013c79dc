"""Frames added on branch integrity6: a threat split from its survey sentence, people 'not yet'
tracked, honesty set above the score, and how the checker reads a genuine invitation's
sentences, lists of denied asks and receipt notes. Texts written for these tests, not taken
from any development or held-out set."""

from __future__ import annotations

import pytest

from handlers.check.checker import MANIPULATION, OFFICIAL
from handlers.check.checker import check_text as check_message
from handlers.check.registry import load_registry
from outreach.integrity import check_text

REFUSED = [
    "Survei integritas ditutup Kamis. Setelah itu, teguran tertulis menanti.",
    "Pengisian kuesioner KPK paling lambat tanggal 10. Sesudahnya sanksi administratif berlaku.",
    "Bulan depan tim kami akan menelusuri siapa yang belum mengisi SPI.",
    "Daftar kehadiran survei integritas akan dicocokkan dengan data kepegawaian.",
]
ALLOWED = [
    "Survei integritas ditutup Kamis. Tidak ada sanksi bagi yang tidak mengisi.",
    "Pendapat yang jujur lebih bermanfaat daripada skor yang bagus.",
    "Isi survei apa adanya: buruk bilang buruk, bagus bilang bagus.",
]


@pytest.mark.parametrize("text", REFUSED)
def test_threats_and_tracking_in_other_words_are_refused(text: str) -> None:
    assert not check_text(text).allowed, text


@pytest.mark.parametrize("text", ALLOWED)
def test_denied_sanctions_and_honesty_appeals_pass(text: str) -> None:
    assert check_text(text).allowed, check_text(text).reasons


GENUINE = [
    # the inspectorate named in one sentence, the reader asked in the next
    "Survei ini didukung Inspektorat Kota. Silakan isi secara mandiri di https://spi.kpk.go.id/r/Ab7",
    # a list of things never asked, one of which could be a verb
    "KPK tidak pernah meminta pulsa, transfer, atau PIN. Isi di https://spi.kpk.go.id/r/Cd8",
    # a rule of conduct, not a duty to take part
    "Survei wajib diisi sendiri oleh penerima tautan. https://spi.kpk.go.id/r/Ef9",
    # the survey's own receipt note
    "Terima kasih. Jawaban Anda sudah kami terima dan dirahasiakan. https://spi.kpk.go.id",
]


@pytest.mark.parametrize("text", GENUINE)
def test_genuine_invitation_wording_is_official(text: str) -> None:
    assert check_message(text, load_registry(), year=2026).verdict == OFFICIAL


def test_a_sentence_end_does_not_hide_an_ask_in_one_sentence() -> None:
    text = ("Atasan akan mengisikan survei Anda di https://spi.kpk.go.id/r/Gh1, "
            "kirim saja tautannya.")
    assert check_message(text, load_registry(), year=2026).verdict == MANIPULATION
