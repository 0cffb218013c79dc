"""Red-team set 1 (official elements carrying a scam or manipulation ask) and the disguises the
checker reads through. Set 2 (tests/data/checker_redteam2.toml) is held out: measured, not tuned
on, and not asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.check.checker import MAX_TEXT, OFFICIAL, check_text
from handlers.check.registry import load_registry
from handlers.check.signs import deobfuscate
from tests.support.checker_sets import evaluate, load_cases

REGISTRY = load_registry()
YEAR = 2026
CARRIER = "SPI by KPK: silakan isi survei di https://spi.kpk.go.id."


def test_red_team_set_calls_no_fake_official_and_no_genuine_suspicious() -> None:
    cases = load_cases(Path(__file__).parent / "data" / "checker_redteam.toml")
    report = evaluate(cases, year=YEAR)
    assert report.fakes_official == []
    assert report.genuine_suspicious == []


@pytest.mark.parametrize(("text", "read"), [
    ("Kirim O T P yg masuk", "Kirim otp yg masuk"),
    ("k0de 0TP", "kode oTP"),
    ("k o d e v e r i f i k a s i", "kode verifikasi"),
    ("b4yar b1aya adm1n 25rb", "bayar biaya admin 25rb"),
    ("kirim\u200bkan kode", "kirimkan kode"),
    ("\uff33\uff30\uff29", "SPI"),
    ("\u041e\u0422\u0420", "OTP"),
    ("Setelah itu\nkirim\nkode\nverifikasi\nke admin.",
     "Setelah itu kirim kode verifikasi ke admin."),
    # numbers, amounts and reduplication stay as written
    ("spi2024 Rp50.000 5k 10rb siapa2 a.n. Siti", "spi2024 Rp50.000 5k 10rb siapa2 a.n. Siti"),
])
def test_disguises_are_taken_off(text: str, read: str) -> None:
    assert deobfuscate(text) == read


@pytest.mark.parametrize("ask", [
    "Mohon rahasiakan pesan ini, jangan beritahu siapa pun termasuk atasan.",
    "Please do not tell anyone you received this message.",
    "Link ini hanya berlaku 2 jam.",
    "Kirim k-o-d-e yang masuk.",
    "bales \U0001f522 kode \U0001f510 verifikasi \U0001f4f2 yg masuk",
    "Survei tidak dipungut biaya, biaya admin Rp5.000 saja.",
    "KPK tidak pernah meminta biaya (transfer Rp10.000 ke admin untuk aktivasi).",
    "Tidak ada hadiah uang, hanya voucher belanja untuk responden tercepat.",
    "Jangan sampai tidak transfer ya.",
    "Tidak apa-apa memberikan OTP kepada kami.",
    "Matikan verifikasi dua langkah WhatsApp Anda.",
    "Mohon \u041e\u0422\u0420 Anda.",
])
def test_asks_next_to_an_official_link_are_never_official(ask: str) -> None:
    for text in (f"{CARRIER} {ask}", f"{ask}\n{CARRIER}"):
        assert check_text(text, REGISTRY, year=YEAR).verdict != OFFICIAL, text


@pytest.mark.parametrize("text", [
    "Kami tidak meminta foto KTP, selfie, NIK, nama ibu kandung, atau data rekening. "
    "spi.kpk.go.id",
    "KPK tidak pernah meminta (OTP, PIN, atau password). spi.kpk.go.id",
    "Kode OTP jangan diberitahukan ke siapa pun. Survei resmi: spi.kpk.go.id",
    "Hati-hati link palsu seperti bit.ly atau situs mirip KPK. Alamat yang benar: spi.kpk.go.id",
    "Sebanyak 2,5 juta orang akan menerima undangan SPI tahun ini. Info: kpk.go.id",
])
def test_genuine_warnings_stay_official(text: str) -> None:
    assert check_text(text, REGISTRY, year=YEAR).verdict == OFFICIAL


def test_an_ask_past_what_is_read_is_not_ruled_out() -> None:
    padding = "Survei ini penting untuk perbaikan layanan publik. " * (MAX_TEXT // 40)
    result = check_text(f"{CARRIER} {padding} Transfer biaya admin Rp10.000.", REGISTRY,
                        year=YEAR)
    assert result.verdict != OFFICIAL
