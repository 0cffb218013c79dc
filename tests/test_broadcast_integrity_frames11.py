"""Mechanisms added on branch bcast11 (causes found on long multi-paragraph announcements,
tests/data/broadcast_tune9.toml): an event of the office joined ("Rapat koordinasi Selasa,
mohon hadir") is set aside in a text about the survey unless the sentence before singles out
people by the survey (those selected, or a group who received it); a score word in an event's
own name ("rapat tim zona integritas") is its topic; a duty cited as the source of what its own
sentence goes on to say ("Sesuai arahan pimpinan, jangan ada yang ...") is no duty of a
neighbouring ask; a salutation closed by a comma before a capital is its own sentence
("Rekan-rekan yang kami hormati, Nilai SPI ..."), unless it names people by the survey;
asked to heed a prohibition just stated ("... Mohon dipatuhi bersama") is no ask for the
allow-list stage.
Texts written for these tests in our own words."""

from __future__ import annotations

import pytest

from outreach import integrity_model
from outreach.integrity import check_text

REFUSED = [
    # singled out right before the event: still a gathering of respondents
    "Selamat kepada yang terpilih sebagai responden SPI. Mohon hadir di briefing Jumat.",
    "Yang sudah menerima undangan SPI, selamat. Mohon hadir di rapat Jumat pukul 9.",
    "Anda terpilih sebagai responden survei integritas. Wajib hadir di aula saat apel Senin.",
    # a duty with nothing of its own next to the ask
    "Isi SPI hari ini. Sesuai arahan Bupati.",
    "Sesuai instruksi Bupati. Isi SPI hari ini.",
    "Isi SPI hari ini. Ini perintah resmi Bupati.",
    # a salutation naming people by the survey stays with what follows
    "Rekan-rekan penerima link SPI, Kumpul di ruang rapat setelah apel.",
    "Teman-teman yang sudah isi survei, Kirim screenshot ke saya.",
    "Halo yang terpilih jadi responden, Lapor ke admin ya.",
    # heeding asked after an ask, not after a prohibition
    "Jangan lupa isi SPI dan lapor ke admin. Mohon dipatuhi.",
    "Kirim screenshot survei ke grup. Mohon dipatuhi bersama.",
]

ALLOWED = [
    "Survei SPI dari KPK sedang berlangsung sampai tanggal 30. Rapat koordinasi Selasa pukul "
    "10.00, mohon hadir tepat waktu.",
    "Isi survei sesuai pengalaman Anda. Apel pagi hari Senin, wajib hadir bagi yang tidak "
    "bertugas.",
    "Identitas responden tidak dibagikan kepada instansi. Workshop pelayanan publik Kamis, "
    "silakan hadir.",
    "Rapat koordinasi tim zona integritas Rabu jam 9 di aula, mohon hadir.",
    "Pelatihan tim zona integritas dimulai Senin, harap hadir tepat waktu.",
    "Isi survei dengan jujur. Sesuai arahan pimpinan, jangan ada yang menanyakan isi survei "
    "kepada pegawai.",
    "Silakan isi SPI bila berkenan. Berdasarkan instruksi Kepala Dinas, tidak boleh ada yang "
    "meminta bukti pengisian.",
    "Survei KPK bersifat rahasia. Menurut arahan Sekda, kerahasiaan responden wajib dijaga.",
    # asked to heed the prohibition just stated
    "Tidak boleh ada yang meminta tangkapan layar survei. Mohon ditaati bersama.",
    "Dilarang mengarahkan jawaban survei KPK. Harap dipatuhi semua.",
    "Jangan ada yang menanyakan isi jawaban SPI rekan kerja. Mohon diperhatikan.",
    # a salutation closed by a comma before a capital is its own sentence
    "Rekan-rekan yang kami hormati, Nilai SPI dihitung KPK dari jawaban pegawai dan ahli.",
    "Bapak/Ibu yang kami banggakan, Nilai integritas diukur oleh KPK secara independen.",
    "Teman-teman yang saya sayangi, Nilai survei ini diumumkan KPK secara agregat.",
]


@pytest.fixture(autouse=True)
def _rules_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(integrity_model, "MODEL_STAGE", False)


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    assert not check_text(text).allowed, text


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    assert check_text(text).allowed, check_text(text).reasons
