"""Checker verdicts that read the whole message: the worst part wins, negation is read per
clause, employer asks are `manipulation`, dated registry entries, and forwarded texts in chat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from core.messages import Channel
from handlers.check.checker import check_text
from handlers.check.registry import load_registry
from tests.support.checker_sets import Report, evaluate, load_cases
from tests.support.dialog import User

REGISTRY = load_registry()
YEAR = 2026  # the year of the test clock
DATA = Path(__file__).parent / "data"


def test_the_dev_set_gets_every_expected_verdict() -> None:
    cases = load_cases(DATA / "checker_dev.toml")
    report = evaluate(cases, year=YEAR)
    wrong = {k: n for k, n in report.matrix.items() if k[0] != k[1]}
    assert report.correct == len(cases), wrong


def test_no_dev_set_calls_a_scam_or_manipulation_official() -> None:
    """dev2 was measured only (1 manipulation message was official before branch integrity4,
    0 after); dev3 was written before integrity4 changed the checker (12 were official)."""
    for name in ("checker_dev2.toml", "checker_dev3.toml"):
        report = evaluate(load_cases(DATA / name), year=YEAR)
        assert report.fakes_official == [], name
        assert report.unlisted_sender_suspicious == [], name
        assert report.genuine_suspicious == [], name


def test_dev3_verdicts() -> None:
    cases = load_cases(DATA / "checker_dev3.toml")
    report = evaluate(cases, year=YEAR)
    assert report.correct >= 80, {k: n for k, n in report.matrix.items() if k[0] != k[1]}


def _blind_report() -> Report:
    # Measured only: the blind set is never used to tune the signs. Its size and figures live
    # in docs/benchmarks.md (the lead measures and records them), not in this file.
    return evaluate(load_cases(DATA / "blind" / "checker_messages.toml"), year=YEAR)


def test_on_the_blind_set_no_fake_is_official_and_no_unlisted_sender_is_suspicious() -> None:
    report = _blind_report()
    assert report.fakes_official == []
    assert report.unlisted_sender_suspicious == []


def test_the_blind_set_figures_do_not_get_worse() -> None:
    report = _blind_report()
    assert report.unlisted_sender_total > 0
    assert report.fakes_official == []  # figures over time: docs/benchmarks.md
    assert report.unlisted_sender_suspicious == []


@pytest.mark.parametrize("text", [
    "Jangan lupa transfer biaya admin Rp50.000 agar link https://spi.kpk.go.id/s/abc aktif",
    "Gratis! Tanpa antre. Cukup top up Rp20.000 lalu isi https://spi.kpk.go.id/s/abc",
    "Survei https://spi.kpk.go.id/s/abc: kirim 6 angka yang baru masuk lewat SMS",
    "Jangan berikan OTP kepada siapa pun kecuali petugas kami. https://spi.kpk.go.id/s/abc",
])
def test_an_official_link_never_whitewashes_a_scam_ask(text: str) -> None:
    assert check_text(text, REGISTRY, year=YEAR).verdict == "suspicious"


@pytest.mark.parametrize("text", [
    "Jangan berikan kode OTP kepada siapa pun. Survei resmi: https://spi.kpk.go.id/s/abc",
    "Survei ini gratis, tanpa biaya dan tanpa memasang aplikasi: https://spi.kpk.go.id/s/abc",
    "Siapkan KTP saat mendaftar di loket. Survei di https://spi.kpk.go.id/s/abc",
])
def test_warnings_and_a_passing_ktp_are_not_asks(text: str) -> None:
    assert check_text(text, REGISTRY, year=YEAR).verdict == "official"


LINK = "https://spi.kpk.go.id/r/A1"


@pytest.mark.parametrize("text", [
    "Partisipasi Anda sangat berarti bagi perbaikan layanan.",
    "Mohon kesediaan Bapak/Ibu mengisi survei melalui tautan berikut.",
    "Survei ini bersifat rahasia. Jawablah sesuai pengalaman Anda.",
    "Batas pengisian tanggal 31 Oktober 2026. Terima kasih atas partisipasinya.",
    "Link bersifat personal, jangan dibagikan.",
    "Pesan ini dikirim kepada Anda sebagai responden terpilih.",
    "Pastikan Anda mengisi survei hingga halaman terakhir dan menekan tombol kirim.",
    "Jawaban yang sudah dikirim tidak dapat diubah.",
    "Mohon periksa kembali jawaban Anda sebelum menekan tombol selesai.",
    "Kami menghargai setiap jawaban, baik positif maupun negatif.",
    "Berikan penilaian Anda secara objektif.",
    "Data Anda diperoleh dari instansi tempat Anda bekerja atau menerima layanan.",
    "Mohon lengkapi seluruh pertanyaan agar jawaban Anda tercatat.",
    "Your responses have been recorded. Thank you for taking part.",
    "Kami mengucapkan terima kasih atas kerja sama dan partisipasi Bapak/Ibu.",
    "Inspektorat telah menyampaikan data pegawai kepada KPK; KPK memilih responden secara acak.",
    "Yth. Sdr. Budi Santoso, Dinas Kesehatan. Survei ini didukung oleh Inspektorat. "
    "Link Anda unik.",
])
def test_genuine_invitation_wording_is_official(text: str) -> None:
    result = check_text(f"{text} {LINK}", REGISTRY, year=YEAR)
    assert result.verdict == "official", (result.manipulation, result.other_asks)


@pytest.mark.parametrize("text", [
    "Inspektorat akan memeriksa jawaban Anda sebelum dikirim.",
    "Mohon periksa kembali jawaban Anda bersama atasan sebelum menekan tombol kirim.",
    "Admin akan cek jawaban kalian satu per satu.",
    "Jawaban yang sudah dikirim ke grup akan direkap admin.",
    "Bukti pengisian dikirim paling lambat Jumat.",
    "Partisipasi Anda sangat berarti. Setelah mengisi, kirim tangkapan layar ke operator.",
    "Terima kasih atas partisipasinya. Mohon konfirmasi penerimaan link ini ke atasan.",
    "Survei ini bersifat rahasia, namun jawaban Anda mohon dikirim juga ke email kantor.",
])
def test_the_same_wording_beside_an_employer_ask_is_manipulation(text: str) -> None:
    assert check_text(f"{text} {LINK}", REGISTRY, year=YEAR).verdict == "manipulation"


def test_an_unlisted_sender_or_vendor_email_with_a_kpk_link_is_unknown() -> None:
    for sender in ("0812 7777 1234", "survei@vendor-riset.co.id"):
        text = f"Dari {sender}: Anda terpilih sebagai responden SPI KPK, isi di https://spi.kpk.go.id/s/x"
        result = check_text(text, REGISTRY, year=YEAR)
        assert result.verdict == "unknown" and result.official_link, sender


def test_other_institutions_pages_are_unknown_and_raw_ips_and_builders_suspicious() -> None:
    page = check_text("Info SPI: https://inspektorat.contohkab.go.id/spi", REGISTRY, year=YEAR)
    assert (page.verdict, page.items[0].reason) == ("unknown", "other_government")
    for text, reason in [("http://203.0.113.7/spi", "ip_address"),
                         ("https://sites.google.com/view/survei-kpk", "free_builder"),
                         ("spi-kpk.netlify.app", "free_builder")]:
        result = check_text(text, REGISTRY, year=YEAR)
        assert (result.verdict, result.items[0].reason) == ("suspicious", reason), text


async def test_manipulation_reply_says_the_ask_breaks_spi_rules_not_dont_click(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "verdict-1")
    await user.say("Bapak/Ibu yang sudah menerima WA dari KPK harap lapor ke bagian umum. "
                   "Link: https://spi.kpk.go.id/s/abc")
    assert "MELANGGAR ATURAN SPI" in user.text
    assert "198" in user.text and "kws.kpk.go.id" in user.text
    assert "jangan klik" not in user.text.casefold()
    async with app.db.reading() as conn:
        assert await app.deps.check_stats.daily(conn) == [("2026-11-21", "manipulation", 1)]


async def test_unknown_sender_reply_says_the_link_is_kpks(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "verdict-2")
    await user.say("Dari 0812 7777 1234: Anda terpilih sebagai responden SPI, "
                   "isi di https://spi.kpk.go.id/s/x")
    assert "TAUTANNYA MILIK KPK" in user.text and "jangan klik" not in user.text.casefold()


async def test_a_forwarded_text_without_link_goes_to_the_checker(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281300001111", "+6281300001111")
    await user.say("Mohon segera transfer biaya admin survei SPI sebesar Rp50.000 hari ini")
    assert "MENCURIGAKAN" in user.text
    await user.say("Yg udah dapet link spi tolong japri admin ya")
    assert "MELANGGAR ATURAN SPI" in user.text


async def test_a_forwarded_employer_ask_that_no_sign_pattern_words_goes_to_the_checker(
        app: App) -> None:
    """No link, no number, and no scam or manipulation pattern matches: the integrity policy,
    read from the recipient's side, still names the ask, so the text is checked."""
    user = User(app.engine, Channel.TELEGRAM, "verdict-4")
    await user.say("Rekan-rekan, pemberitahuan penerimaan undangan survei KPK agar disampaikan "
                   "kepada Kasubag paling lambat Jumat.")
    assert "MELANGGAR ATURAN SPI" in user.text


@pytest.mark.parametrize("text", ["apakah survei spi harus bayar?",
                                  "ada yang minta transfer katanya dari survei kpk",
                                  "survei sudah saya jawab semua, terus saya kabari siapa",
                                  "mau lapor ada yang ngarahin jawaban survei ke mana"])
async def test_questions_and_a_persons_own_account_stay_with_the_faq(app: App,
                                                                     text: str) -> None:
    user = User(app.engine, Channel.TELEGRAM, "verdict-3")
    await user.say(text)
    assert "MENCURIGAKAN" not in user.text and "Alasannya" not in user.text


def test_cli_json_carries_the_manipulation_verdict(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "x.db"))
    text = "Setelah isi https://spi.kpk.go.id/s/abc kirim screenshot ke grup kantor"
    assert main(["check", "--json", text]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"text", "verdict", "reasons", "items"}
    assert result["verdict"] == "manipulation" and result["items"][0]["verdict"] == "official"
