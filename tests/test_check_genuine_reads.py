"""Genuine invitations and notices read as genuine, each beside the scam that shares its words.

Tuning examples written for these tests (branch checker4); the held-out sets are only measured.
A genuine text may be `official` or `unknown`, never `suspicious`; its scam twin stays
`suspicious`, so no fix here lets a scam through.
"""

from __future__ import annotations

import pytest

from handlers.check.checker import MANIPULATION, OFFICIAL, SUSPICIOUS, UNKNOWN, check_text
from handlers.check.registry import load_registry
from handlers.check.signs import find_signs

REGISTRY = load_registry()
YEAR = 2026
LINK = "https://spi.kpk.go.id"


def verdict(text: str) -> str:
    return check_text(text, REGISTRY, year=YEAR).verdict


@pytest.mark.parametrize("text", [
    # a warning that names the scam ask after "hati-hati terhadap" / "waspada terhadap"
    f"Hati-hati terhadap permintaan OTP atau PIN yang mengatasnamakan KPK. Survei resmi: {LINK}",
    f"Waspada terhadap pesan yang meminta transfer uang. SPI tidak dipungut biaya. {LINK}",
    # the survey's link closing at its deadline is not the reader's account blocked
    f"Tautan survei Anda akan dinonaktifkan setelah 31 Oktober 2025. Segera isi di {LINK}",
    f"Your survey link will be deactivated after 31 October. Please complete it at {LINK}",
    # a rule of the form's fields is not a duty to take part
    f"Kolom bertanda * wajib diisi. Lanjutkan di {LINK}",
    f"Semua pertanyaan wajib dijawab agar kuesioner dapat dikirim. {LINK}",
    f"Setiap pertanyaan harus dijawab sebelum Anda dapat menekan tombol Kirim di {LINK}",
    # the survey's topic (bribes, gifts taken by staff) is no prize
    f"Survei ini menanyakan pengalaman Anda terkait suap, gratifikasi, atau pemberian hadiah di "
    f"instansi. Isi di {LINK}",
    f"Pertanyaan mencakup pungutan liar, hadiah, dan imbalan dalam pelayanan publik. {LINK}",
    f"Apakah pernah ada petugas yang meminta imbalan? Ceritakan di survei: {LINK}",
    f"Survei ini mengukur seberapa sering pegawai menerima uang atau hadiah. {LINK}",
    # an access code the survey e-mails to the reader for its own page
    f"Kode akses survei Anda dikirim melalui email terpisah. Gunakan kode tersebut di {LINK}",
    f"Kode akses dikirim ke email Anda. Jangan berikan kode tersebut kepada siapa pun. {LINK}",
    f"Bagikan kode QR pendaftaran SPI kepada pengguna layanan. {LINK}",
    # the cover letter's PDF is no app to install
    f"Terlampir surat pengantar KPK. Unduh lampiran file PDF untuk informasi lengkap. {LINK}",
    # a reminder of the reader's own deadline, a scam warning, the survey's rules
    f"Jangan sampai terlewat, survei ditutup 31 Oktober. {LINK}",
    f"Jangan sampai terlambat mengisi SPI! {LINK}",
    f"Awas penipuan! Survei resmi hanya di {LINK}",
    f"Pengisian yang terlambat tidak dapat diproses. Segera isi di {LINK}",
    f"Survei ini harus diisi oleh responden yang terpilih saja, tidak boleh diteruskan kepada "
    f"orang lain. {LINK}",
    f"You must be at least 18 and have used the service in the past year to complete the survey. "
    f"{LINK}",
    f"To protect your privacy, you must complete the survey yourself. {LINK}",
    # "pay attention", a congratulation on being selected, honesty set above a high score
    f"Please pay attention to the deadline: 31 October 2025. Survey: {LINK}",
    f"Selamat, Anda terpilih untuk mengikuti Survei Penilaian Integritas 2025. Isi di {LINK}",
    f"Jawaban jujur lebih berharga daripada nilai tinggi. {LINK}",
    # the survey's own account closing, "before it is too late"
    f"Jika batas waktu terlewati, akun survei Anda akan dinonaktifkan otomatis. {LINK}",
    f"Batas waktu: 3 hari lagi. Segera isi sebelum terlambat. {LINK}",
    # the organiser's duty to protect
    f"Identitas responden wajib dirahasiakan sesuai UU 16/1997. {LINK}",
    f"KPK wajib merahasiakan jawaban survei Anda. {LINK}",
    f"Sesuai UU, penyelenggara survei wajib melindungi data responden. {LINK}",
    f"Data responden survei harus dilindungi. {LINK}",
    f"Pelanggaran kerahasiaan data dikenai sanksi sesuai UU. {LINK}",
    # the infinitive's list under "never ask you to"
    f"KPK will never ask you to transfer money, share an OTP, or install an app. {LINK}",
    # a list after a colon, under its head's denial or warning
    "KPK TIDAK PERNAH meminta:\n- transfer uang\n- kode OTP\n- PIN atau password\n"
    f"- instalasi aplikasi\nSurvei resmi: {LINK}",
    f"KPK tidak pernah meminta:\n1. Transfer uang\n2. Kode OTP\n3. Data rekening\nIsi di {LINK}",
    "Waspada! Pihak yang mengatasnamakan KPK dan meminta hal berikut adalah penipu:\n"
    f"\u2022 transfer biaya\n\u2022 kode OTP\n\u2022 instal aplikasi\n{LINK}",
    f"Hal yang TIDAK akan kami minta: pembayaran, OTP, PIN, password. {LINK}",
    f"Kami tidak meminta: (1) pembayaran; (2) kode OTP; (3) data rekening. {LINK}",
    f"KPK will never ask for: payment, OTP codes, PINs or passwords. {LINK}",
    # more shapes of the same warning
    f"Kalau ada yang minta OTP, jangan dikasih. {LINK}",
    f"Jika diminta transfer atau kode OTP, itu bukan dari KPK. {LINK}",
    f"Pesan yang meminta pembayaran dipastikan bukan dari KPK. {LINK}",
    f"Bila Anda diminta membayar, segera hentikan dan hubungi 198. {LINK}",
    f"Hindari memberikan OTP atau PIN kepada siapa pun. {LINK}",
    f"Pihak mana pun yang meminta biaya administrasi bukan petugas KPK. {LINK}",
    # the reader asking whether it is a duty claims none
    f"Saya dapat email dari spi@frontier.co.id isinya link {LINK}, harus diisi gak sih?",
    f"Pesan dari KPK, katanya wajib diisi? Anda terpilih sebagai responden SPI. Isi di {LINK}",
])
def test_genuine_text_is_not_suspicious(text: str) -> None:
    assert verdict(text) in (OFFICIAL, UNKNOWN)


@pytest.mark.parametrize("text", [
    f"Hati-hati! Kirimkan segera kode OTP yang masuk agar akun SPI Anda aktif. {LINK}",
    f"Hati-hati dengan penipu, jadi kirimkan OTP hanya ke nomor resmi ini. {LINK}",
    f"Tautan survei Anda akan dinonaktifkan dan nomor WhatsApp Anda akan diblokir jika tidak "
    f"mengisi. {LINK}",
    f"Klik tautan dalam 24 jam atau akun WhatsApp Anda akan diblokir. {LINK}",
    f"Klik tautan ini atau nomor Anda akan diblokir. {LINK}",
    f"Your survey link will be deactivated and your account will be blocked. {LINK}",
    f"Kolom nomor rekening wajib diisi untuk pencairan honor responden. {LINK}",
    f"Survei ini berisi 30 pertanyaan dan wajib diisi seluruh pegawai. {LINK}",
    f"Semua pertanyaan wajib dijawab dan biaya admin Rp10.000 wajib dibayar. {LINK}",
    f"Isi survei SPI tentang gratifikasi dan dapatkan hadiah pulsa. {LINK}",
    f"Laporkan gratifikasi, dapatkan hadiah! {LINK}",
    f"Pemberian hadiah bagi responden yang mengisi survei. {LINK}",
    f"Kode yang dikirim ke email Anda, mohon kirimkan ke kami. {LINK}",
    f"Kirim kode OTP ke email kami. {LINK}",
    f"Kode verifikasi dikirim via SMS, kirimkan ke nomor ini. {LINK}",
    f"Kode akses dikirim ke email kami setelah Anda menyebutkan kode yang masuk. {LINK}",
    "Unduh SPI.apk (surat pengantar resmi) untuk mengisi survei KPK.",
    "Unduh file berikut untuk mengisi survei: https://spi-kpk.app/SPI2025.zip",
    f"Unduh file PDF ini lalu instal aplikasinya untuk mengisi. {LINK}",
    f"Jangan sampai terlambat! Yang tidak mengisi akan dikenai sanksi disiplin. {LINK}",
    f"Awas kalau tidak isi survei SPI! {LINK}",
    f"Survei ini wajib diisi oleh seluruh pegawai. {LINK}",
    f"You must complete the survey by Friday or face sanctions. {LINK}",
    f"Please pay the admin fee of Rp10.000 before filling in the survey. {LINK}",
    f"Selamat, Anda terpilih untuk mendapatkan hadiah pulsa. {LINK}",
    f"Selamat, Anda terpilih mendapatkan saldo DANA. {LINK}",
    f"Jika tidak mengisi, akun WhatsApp Anda akan dinonaktifkan. {LINK}",
    f"Survei ini wajib diisi dan datanya dijamin aman. {LINK}",
    f"Survei ini wajib, data dijamin aman. {LINK}",
    f"Seluruh pegawai menerima insentif setelah mengisi SPI. {LINK}",
    f"Pegawai terpilih menerima hadiah. {LINK}",
    f"Survei ini wajib diisi. Sudah tahu? {LINK}",
    f"We do not ask you to pay. Share your OTP with our officer. {LINK}",
    "KPK tidak pernah meminta:\n- transfer uang\n- kode OTP\nKirim kode OTP Anda ke "
    f"0812-3456-7890 untuk verifikasi. {LINK}",
    f"Yang tidak mengisi akan dikenai:\n- denda Rp100.000\n- sanksi disiplin\n{LINK}",
    f"Kami tidak meminta banyak: transfer Rp10.000 saja. {LINK}",
    f"Kami tidak meminta banyak: cukup transfer Rp10.000 dan kirim OTP. {LINK}",
    f"Kami tidak meminta apa pun selain: transfer Rp10.000. {LINK}",
    f"Jika petugas meminta transfer, itu resmi, bukan dari pihak lain. {LINK}",
    f"Jika petugas meminta transfer, itu bukan penipuan. {LINK}",
    f"Hindari sanksi: transfer Rp50.000 sekarang. {LINK}",
    f"It is free, we ask you to fill in the form, share an OTP, and install the app. {LINK}",
    f"Kode verifikasi dikirim melalui email. Mohon sebutkan kode tersebut kepada petugas kami. "
    f"{LINK}",
    f"Jangan berikan kode ini kepada siapa pun kecuali admin survei: kirim kodenya ke nomor ini. "
    f"{LINK}",
])
def test_scam_twin_stays_suspicious(text: str) -> None:
    assert verdict(text) == SUSPICIOUS


@pytest.mark.parametrize(("text", "expected"), [
    # an employer watching who filled it in, with its pressure: the employer's message
    (f"Pegawai yang belum mengisi SPI di {LINK} akan kami data untuk pembinaan.", MANIPULATION),
    (f"Partisipasi SPI {LINK} akan menjadi bahan evaluasi kinerja pegawai oleh atasan langsung.",
     MANIPULATION),
    # a disciplinary record is a sanction, a threat whoever keeps it
    (f"Pegawai yang tidak berpartisipasi dalam SPI akan dicatat sebagai tidak disiplin. {LINK}",
     SUSPICIOUS),
    # a duty to fill the office's own form first is that form's ask, not a false duty
    ("Sebelum mengisi survei KPK, Bapak/Ibu wajib mengisi Google Form internal berikut: "
     "https://forms.gle/Ab12Cd34", MANIPULATION),
    # what the reader gives in the survey, named in a relative clause, is no further ask
    # the survey's own system keeping or checking the answers, the message delivered to the reader
    (f"Sistem akan otomatis menolak jawaban ganda dari nomor yang sama. {LINK}", OFFICIAL),
    ("Pesan ini dikirim ke 0812-3456-7890 (nomor yang terdaftar). Bila bukan Anda, abaikan. "
     f"{LINK}", UNKNOWN),
    (f"Jawaban akan diperiksa oleh tim kantor sebelum dikirim ke KPK. {LINK}", MANIPULATION),
    (f"Isi dengan jawaban yang sama seperti contoh. {LINK}", MANIPULATION),
    (f"Data pengisian per bidang mohon dikirim ke kepegawaian. {LINK}", MANIPULATION),
    (f"Pesan ini diteruskan ke admin ya, untuk didata. {LINK}", MANIPULATION),
    # the survey's confirmation page is a noun, no ask to confirm
    (f"Setelah selesai, akan muncul halaman konfirmasi. Tidak perlu screenshot. {LINK}", OFFICIAL),
    (f"Setelah selesai, konfirmasi ke admin ya. {LINK}", MANIPULATION),
    # the number that sent the invitation, as the reader tells it
    ("Nomor 0813-2222-1919 kirim undangan SPI dengan link https://spi.kpk.go.id/r/Op5, katanya "
     "resmi dari KPK", UNKNOWN),
    ("Tolong ke nomor 0812-1111-2222 kirim undangan SPI yang kalian terima. "
     f"{LINK}", MANIPULATION),
    (f"Hormat kami, Tim SPI KPK. Jawaban yang Anda berikan hanya digunakan untuk penilaian "
     f"integritas. Silakan mulai di {LINK}", OFFICIAL),
])
def test_employer_pressure_and_sanction(text: str, expected: str) -> None:
    assert verdict(text) == expected


@pytest.mark.parametrize("text", [
    "Saya terima ini dari nomor 08111919xxxx: 'Mohon isi survei integritas di "
    "https://spi.kpk.go.id/r/Ab99.' Asli tidak?",
    "WA dari 0812-xxxx-5678: Anda terpilih responden SPI, isi di https://spi.kpk.go.id",
    "Pengirim +62 811 **** 4761. Survei Penilaian Integritas: https://spi.kpk.go.id",
])
def test_a_masked_sender_number_is_one_that_cannot_be_checked(text: str) -> None:
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict == UNKNOWN
    assert [i.kind for i in result.items if i.verdict == UNKNOWN] == ["phone"]


@pytest.mark.parametrize("text", ["Balas dalam 1x24 jam ya", "NIP 1985xxxx, kode XX-2025"])
def test_no_masked_number_in_ordinary_text(text: str) -> None:
    assert not [i for i in check_text(text, REGISTRY, year=YEAR).items if i.kind == "phone"]


@pytest.mark.parametrize("text", [
    # the reader's own answers kept or checked by the survey's system name no employer's ask
    # (the broadcast policy, outreach/integrity.py, still reads "data pengisian" as watching)
    "Data pengisian Anda tersimpan otomatis dan dijaga kerahasiaannya.",
    "Jawaban akan diverifikasi oleh sistem untuk memastikan keaslian responden.",
    "KPK melakukan verifikasi dengan membandingkan jawaban dan dokumen pendukung.",
])
def test_no_manipulation_sign_in_the_surveys_own_handling(text: str) -> None:
    assert find_signs(text).manipulation == []


NUMBER = "0812-3333-4444"


@pytest.mark.parametrize("text", [
    # a duty beside the message's own "sukarela" or permission not to take part (branch checker6)
    f"Survei ini diwajibkan bagi responden terpilih, namun tetap sukarela. {LINK} {NUMBER}",
    f"SPI KPK: Nomor HP Anda kami peroleh dari data instansi. Jika tidak berkenan, Anda boleh "
    f"tidak mengisi. Pengirim: {NUMBER}. Link: {LINK}",
    # how to answer once taking part, and a duty to know, are no duty to take part
    f"Responden diwajibkan menjawab dengan jujur. {LINK} {NUMBER}",
    f"Setiap responden wajib mengisi kuesioner secara mandiri. Tautan: {LINK}. WA tim: {NUMBER}",
    f"Survei ini penting dan wajib Anda ketahui bahwa jawaban Anda rahasia. {LINK} {NUMBER}",
    # the survey's own deadline and its own questionnaire lost; leaving the sender's list
    f"Jangan sampai kesempatan ini terlewat, isi SPI di {LINK} sebelum ditutup. {NUMBER}",
    f"Peringatan: survei SPI akan ditutup dalam 24 jam. {LINK} {NUMBER}",
    f"Kuesioner yang tidak diselesaikan sebelum batas waktu akan dihapus dari sistem. {LINK} "
    f"{NUMBER}",
    f"Bila tidak berkenan, balas STOP dan nomor Anda akan dihapus dari daftar kami. {LINK} "
    f"{NUMBER}",
    # a page about KPK or SPI shared as news or a video claims nothing
    "Berita soal hasil SPI 2025: https://www.antaranews.com/berita/4000000/hasil-spi-2025",
    "Video penjelasan SPI dari KPK: https://www.youtube.com/watch?v=abc123XYZ",
    # a field rule in English; the invitation letter's own access code, typed in
    f"Please complete the questionnaire at {LINK}. Mandatory fields are marked with *. {NUMBER}",
    f"Buka {LINK} lalu masukkan kode akses yang tercantum pada surat undangan Anda. {NUMBER}",
])
def test_genuine_wording_is_unknown_not_suspicious(text: str) -> None:
    assert verdict(text) == UNKNOWN


@pytest.mark.parametrize("text", [
    f"Survei SPI bersifat sukarela, tetapi yang tidak mengisi akan dikenai sanksi. {LINK}",
    f"Survei sukarela. Wajib isi dengan jujur ya, kalau tidak kami laporkan ke pimpinan. {LINK}",
    f"Wajib menjawab dengan jujur. Anda tercatat belum mengisi dan akan dipanggil untuk "
    f"diperiksa. {LINK}",
    f"Wajib dibaca dan diisi oleh seluruh pegawai: survei SPI di {LINK}",
    f"Seluruh ASN wajib mengisi SPI dengan jujur. {LINK}",
    f"Yang tidak mengisi, nomor Anda akan dihapus dari daftar penerima bansos. {LINK}",
    f"Pegawai yang tidak mengisi kuesioner akan ditutup aksesnya ke layanan kepegawaian. {LINK}",
    "Baca berita SPI: https://spi-news.com/artikel",
    "Survei Penilaian Integritas: https://survei-integritas.xyz/isi",
    f"Bacakan kode akses yang tertera pada surat undangan kepada petugas yang menelepon. {LINK}",
    f"Masukkan kode yang tertera pada SMS di {LINK}",
])
def test_their_scam_twins_stay_suspicious(text: str) -> None:
    assert verdict(text) == SUSPICIOUS
