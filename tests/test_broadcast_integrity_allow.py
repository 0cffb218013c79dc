"""The allow-list stage of the broadcast check (outreach/integrity_allow.py): a directive
about the survey must ask an allowed act; monitoring and consequences announced are refused,
negated warnings and ordinary courtesy pass. These examples were written for tuning, apart
from the frozen development set broadcast_dev6.toml."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import outreach.integrity
from bot.app import build_catalog
from core.settings import Settings
from outreach.integrity import check_broadcast, check_text
from outreach.reminders import IDS, text_key


@pytest.fixture(autouse=True)
def allow_list_stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stage is on by default (outreach.integrity.ALLOW_LIST_STAGE); these tests keep
    reading it switched on even if a deployment's code turns it off."""
    monkeypatch.setattr(outreach.integrity, "ALLOW_LIST_STAGE", True)
    yield

ALLOWED = [
    "Mohon kerja samanya. Survei SPI sukarela, isi bila diundang.",
    "Please feel free to contact us if you have questions about the SPI survey.",
    "Mohon informasi pendaftaran calon responden SPI ini disebarluaskan kepada rekan-rekan.",
    "Silakan datang ke loket untuk mendaftar sebagai calon responden SPI.",
    "Pastikan HP Anda aktif agar undangan survei KPK dapat diterima.",
    "Let us know if you have any questions about the KPK survey.",
    "Tolong bantu sebarkan info pendaftaran calon responden SPI ini.",
    "Partisipasi Anda dalam SPI membantu meningkatkan mutu pelayanan publik.",
    "Responden SPI akan dihubungi melalui WhatsApp atau email resmi.",
    "Kami menyampaikan terima kasih kepada seluruh responden SPI.",
    "Survei SPI menanyakan pengalaman responden tentang layanan kami.",
    "Kami mengingatkan responden untuk mengisi survei dengan jujur.",
    "Syarat menjadi responden ditentukan oleh KPK, bukan oleh kami.",
    "Jangan kirim screenshot survei ke siapa pun, termasuk ke grup kantor.",
    "Kami tidak akan menanyakan apakah Anda sudah mengisi survei SPI.",
    "Tidak perlu melapor kepada siapa pun setelah mengisi survei.",
    "Silakan isi formulir pendaftaran calon responden SPI di bot ini.",
    "Mohon dibaca sampai selesai: survei SPI sukarela dan rahasia.",
    "Do reach out to the inspectorate help desk if you are unsure about the SPI link.",
    "Pertanyaan seputar SPI dapat disampaikan ke inspektorat pada jam kerja.",
    "Ketik STOP untuk berhenti, HAPUS DATA untuk menghapus data, DATA SAYA untuk melihatnya.",
    "Tunggu undangan resmi dari KPK; jangan percaya link lain.",
    "Yuk kenali ciri undangan SPI yang asli sebelum membuka tautan.",
]

REFUSED = [
    "Mohon tinggalkan nama Anda di kolom komentar setelah mengisi survei SPI.",
    "Rekan-rekan yang sudah ikut SPI silakan lengkapi identitas di meja resepsionis.",
    "Sebelum mengerjakan survei KPK, lengkapi dulu daftar hadir di aplikasi kantor.",
    "Undangan survei KPK sudah masuk? Mohon dikonfirmasi ke admin ya.",
    "Konfirmasi penerimaan undangan SPI dapat disampaikan ke subbag kepegawaian.",
    "Bales 'sudah' di grup kalau link survei integritas udah kamu terima.",
    "Mari tunjukkan lewat survei bahwa kantor kita bersih.",
    "Tolong pastikan semua staf di unit Anda sudah mengisi survei SPI.",
    "Bagi yang belum mengisi survei SPI, namanya akan kami sampaikan ke pimpinan.",
    "Kami mencatat unit mana saja yang stafnya belum mengisi survei.",
    "Keikutsertaan dalam survei SPI menjadi bahan penilaian kinerja tahunan.",
    "Please add your name to the list at reception once you have done the survey.",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed_asks_and_courtesy_pass(text: str) -> None:
    assert check_text(text).allowed, check_text(text).reasons


@pytest.mark.parametrize("text", REFUSED)
def test_asks_off_the_list_and_monitoring_are_refused(text: str) -> None:
    assert not check_text(text).allowed


def test_an_unlisted_ask_is_refused_as_other_ask() -> None:
    verdict = check_text("Silakan cantumkan nomor induk pegawai Anda di survei SPI ini ya.")
    assert verdict.reasons == ("other_ask",)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_catalogue_text_passes_with_the_stage_on(settings: Settings, lang: str) -> None:
    catalog = build_catalog(settings)
    for reminder in IDS:
        assert check_broadcast(catalog.text(lang, text_key(reminder))).allowed, reminder


def test_the_stage_can_be_switched_off_for_measurement(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Silakan cantumkan nomor induk pegawai Anda saat mengisi survei SPI ini ya."
    assert not check_text(text).allowed
    monkeypatch.setattr(outreach.integrity, "ALLOW_LIST_STAGE", False)
    assert check_text(text).allowed


def test_a_text_not_about_the_survey_asks_what_it_likes() -> None:
    assert check_text("Mohon maaf, layanan chat sedang gangguan. Silakan coba lagi nanti.").allowed
    assert check_text("Silakan bawa payung, hari ini hujan.").allowed
