"""A survey sender's own wording is no employer's ask, and each excuse leaves the ask beside it.

Branch checker7: the integrity policy (built for recall on an office's broadcasts) read a
salutation to the respondent, a message's label, the year written "thn", the reason the reader
was chosen, an eligibility check, a confidentiality promise in the first person and the
survey's own team as forbidden acts; the scam signs read a sender number opening a pasted
chat as a place to send things to, and missed Banjar's "kada". Wording written for these
tests (not taken from any labelled set). Every genuine text must be `official` or `unknown`;
each twin, which keeps the excused words and adds a real ask, stays `manipulation` or worse.
"""

from __future__ import annotations

import pytest

from handlers.check.checker import (
    MANIPULATION,
    OFFICIAL,
    SEVERITY,
    SUSPICIOUS,
    UNKNOWN,
    check_text,
)
from handlers.check.registry import load_registry

REGISTRY = load_registry()
YEAR = 2026
LINK = "https://spi.kpk.go.id"


def verdict(text: str) -> str:
    return check_text(text, REGISTRY, year=YEAR).verdict


GENUINE = [
    # the reader addressed by the survey's role for them
    f"Yth. Responden, kami beritahukan bahwa kuesioner Anda masih terbuka sampai akhir bulan. "
    f"Lanjutkan: {LINK}",
    f"Kepada responden: kami sampaikan bahwa masa pengisian diperpanjang dua minggu. {LINK}",
    f"Dear respondent, the questionnaire stays open for one more week. Visit {LINK}",
    # the time left is no count of people left
    f"Yth Responden SPI, sisa waktu pengisian tinggal seminggu. Isi di {LINK}",
    # the message's own label
    f"Notifikasi: Anda belum menuntaskan kuesioner SPI. Silakan lanjutkan di {LINK}",
    # where a relayed text came from, as its label ("Info dari …:")
    "Info dari grup arisan: ada survei integritas KPK, yang kebagian undangan isi sendiri saja. "
    "Tidak usah lapor ke siapa-siapa.",
    # the year written short ("thn" is not "tahan")
    f"pesan dr 0813-4444-9090 thn 2025 isinya: Anda terpilih jadi responden SPI, isi di {LINK}",
    # how the reader came to be chosen
    f"Anda terpilih karena tercatat sebagai penerima layanan puskesmas. Silakan isi di {LINK}",
    f"Anda dipilih secara acak dari data pegawai yang dikirim instansi kepada KPK. "
    f"Isi survei di {LINK}",
    # the survey checking eligibility, not someone checking on the reader
    f"Untuk verifikasi bahwa Anda responden terpilih, kuesioner dibuka dari tautan unik "
    f"Anda di {LINK}/s/Ab12Cd",
    f"Mohon verifikasi bahwa Anda pegawai instansi tersebut dengan menjawab pertanyaan pembuka "
    f"di {LINK}",
    # a confidentiality promise in the first person
    f"Identitas dan jawaban Anda kami rahasiakan sesuai ketentuan. Silakan isi di {LINK}",
    f"Jawaban Bapak/Ibu wajib kami lindungi. Survei dapat diisi di {LINK}",
    # the survey's own field team in English
    f"A note from the SPI field team: kindly finish your questionnaire before it closes on "
    f"15 November at {LINK}",
    # an interviewer announcing a visit for the interview
    f"Selamat pagi, saya Rina, enumerator SPI 2026. Saya akan berkunjung ke kantor layanan yang "
    f"pernah Bapak/Ibu datangi untuk wawancara singkat. Info survei: {LINK}. HP saya "
    "0812-3131-4141.",
    f"Hello from the SPI fieldwork partner. We would like to arrange a brief interview at a time "
    f"that suits you. About the survey: {LINK}",
    # the screenshot the reader is showing
    'ini screenshotnya, tautannya kepotong, cuma ada tulisan "SPI KPK, silakan isi lewat link '
    'di bawah". dari nomor asing',
    # a number opening a pasted chat is who sent it
    "0813-7777-1212 kirim wa kemarin: Bapak/Ibu terpilih survei integritas, tautan menyusul. "
    "ini benar?",
]


@pytest.mark.parametrize("text", GENUINE)
def test_survey_wording_is_not_suspicious_or_manipulation(text: str) -> None:
    assert verdict(text) in (OFFICIAL, UNKNOWN)


TWINS = [
    # the salutation excused, the report it opens is not
    f"Yth. Responden SPI, yang sudah mengisi harap lapor ke saya hari ini. {LINK}",
    # the time left excused, a count of people left is not
    f"Sisa waktu tinggal seminggu, masih 12 pegawai yang belum mengisi SPI. {LINK}",
    # the label excused, the watching is not
    f"Pemberitahuan SPI: yang belum mengisi akan kami catat dan laporkan ke pimpinan. {LINK}",
    # a label excused, the report asked after it is not
    "Info dari grup arisan: yang sudah dapat undangan SPI kabari ketua ya.",
    "Info ke saya siapa saja yang sudah isi survei KPK.",
    # "thn" excused, a withheld allowance is not
    f"Yang belum isi survei KPK, tunjangan bulan ini ditahan. {LINK}",
    # a reason for being chosen that says the office watches
    f"Anda terpilih karena belum mengisi, dan kami pantau sampai selesai. {LINK}",
    # the confidentiality promise beside a real ask for the answers
    f"Jawaban Anda kami rahasiakan, tapi kirim dulu screenshot jawabannya ke saya. {LINK}",
    # the survey team's name beside the office's own form first
    f"From the SPI team: fill in our internal form first, then the survey at {LINK}",
    # the interview visit excused, what is set on not filling in is not
    f"Saya akan datang ke kantor Bapak untuk wawancara; yang belum isi survei akan kami catat "
    f"dan laporkan ke pimpinan. {LINK}",
    # a screenshot shown, then one asked for
    "Ini ss halaman terakhir survei saya, punya kalian juga kirim ke admin ya.",
    # a sender number opening the chat, then an ask to send proof to it
    f"0813-7777-1212: kirim bukti screenshot pengisian SPI ke nomor ini ya. {LINK}",
]


@pytest.mark.parametrize("text", TWINS)
def test_twins_keep_their_ask(text: str) -> None:
    assert SEVERITY[verdict(text)] >= SEVERITY[MANIPULATION]


def test_banjar_negation_denies_the_payment() -> None:
    result = check_text(f"Ulun dapat pesan SPI, kada minta duit, linknya {LINK}", REGISTRY,
                        year=YEAR)
    assert "payment" not in result.signs
    scam = check_text(f"Ulun minta duit Rp50.000 gasan admin SPI, transfer ke rekening. {LINK}",
                      REGISTRY, year=YEAR)
    assert scam.verdict == SUSPICIOUS


GUIDES = [
    f"Anda terpilih sebagai responden SPI 2026. Isi di {LINK}. Petunjuk pengisian ada di "
    "https://risetmitra.co.id/petunjuk",
    f"SPI 2026 questionnaire: {LINK}. More information about the fieldwork: "
    "https://fieldpartner.co.id/spi",
]


@pytest.mark.parametrize("text", GUIDES)
def test_a_guide_page_beside_kpk_link_is_not_a_doubtful_claim(text: str) -> None:
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict == UNKNOWN  # the page's host is not confirmed, never official
    assert not result.unverified_claim


@pytest.mark.parametrize("text", [
    # the page offered as another place to fill in or log in
    f"SPI 2026: isi di {LINK}. Link cadangan: https://risetmitra.co.id/isi",
    f"SPI 2026: isi di {LINK}. Petunjuk login: https://risetmitra.co.id/masuk",
    # a short link or a host wearing KPK's name stays doubtful, guide or not
    f"SPI 2026: isi di {LINK}. Petunjuk: https://bit.ly/petunjuk-spi",
    f"SPI 2026: isi di {LINK}. Petunjuk pengisian: https://kpk-petunjuk.com",
    # no KPK link beside it: the guide page is the only link of a KPK claim
    "Survei SPI KPK, petunjuk pengisian: https://risetmitra.co.id/petunjuk",
    # a scam ask beside the guide page
    f"SPI 2026: isi di {LINK}. Petunjuk: https://risetmitra.co.id/p, lalu transfer biaya "
    "admin Rp20.000",
])
def test_other_pages_stay_suspicious(text: str) -> None:
    assert verdict(text) == SUSPICIOUS


@pytest.mark.parametrize("text", [
    "Tenaga kontrak yang belum mengisi SPI, kontraknya tidak akan diperpanjang tahun depan.",
    "PPPK yang tidak ikut survei KPK tidak diperpanjang kontrak kerjanya.",
    "Data kami menunjukkan Anda belum mengisi SPI. Anda akan dipanggil sebagai saksi. "
    "Hubungi 0812-4545-0000.",
])
def test_a_contract_not_renewed_or_a_summons_is_a_threat(text: str) -> None:
    assert verdict(text) == SUSPICIOUS


def test_a_question_about_having_been_a_witness_is_the_survey_topic() -> None:
    assert verdict(f"Survei menanyakan apakah Anda pernah diperiksa sebagai saksi. {LINK}") \
        in (OFFICIAL, UNKNOWN)
