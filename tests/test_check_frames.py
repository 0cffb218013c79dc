"""Issue 11, item 2, bullet by bullet, through the front door (`spi-bot check` and chat).

The texts here are tuning examples written for these tests; the held-out sets
(tests/data/checker_dev2.toml and the frozen blind set) are only measured, never copied from.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import aiosqlite
import pytest

from bot.app import App
from bot.cli import main
from core.messages import Channel
from handlers.check.checker import check_text
from handlers.check.registry import load_registry
from storage.migrate import known_migrations, migrate
from tests.support.dialog import User

REGISTRY = load_registry()
YEAR = 2026  # the year of the test clock
LINK = "https://spi.kpk.go.id/r/Tq4"


def cli_check(text: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["check", "--json", text]) == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPI_DATABASE_PATH", str(tmp_path / "x.db"))


# --- worst of parts: an official link never whitewashes a scam ask -------------------------

SCAM_UNDER_KPK_LINK = [
    "Jangan lupa kirim biaya verifikasi 30rb ke rekening bendahara sebelum membuka {link}",
    "jgn lupa trf 15 ribu ya biar link {link} bisa dibuka",
    "Gratis ikut survei {link}, cuma perlu isi saldo GoPay 25rb untuk aktivasi",
    "Tanpa antri, tanpa ribet: bayar Rp12.500 lalu buka {link}",
    "Demi keamanan ketik ulang 4 angka yang dikirim lewat SMS sebelum membuka {link}",
    "Untuk aktivasi {link}, mohon sebutkan kode yang baru saja muncul di HP Anda",
    "Sebutkan nama gadis ibu kandung untuk verifikasi di {link}",
    "Masuk ke akun mobile banking Anda dulu untuk menerima uang saku responden {link}",
    "Pasang aplikasi berikut agar {link} bisa diisi: e-spi-terbaru.apk",
    "Yang belum membuka {link} sampai Senin, layanan KTP-el Anda akan dinonaktifkan",
    "Pegawai yang tidak mengisi {link} tunjangannya dipotong bulan depan",
    "Selamat, Anda memenangkan voucher belanja! Isi dulu {link}",
    "Don't forget to pay the Rp20.000 activation fee so that {link} opens",
    "Halo, ini dari KPK. Kami perlu foto KTP dan KK Anda untuk validasi {link}",
    "Link {link} sudah kedaluwarsa, aktifkan kembali dengan membayar Rp5.000 via pulsa",
    "Jika tidak diisi sampai besok, akun Anda di {link} akan dihapus dan dikenai denda",
    "Admin: kode 6 digit yang masuk ke WA kamu tolong kirim sini ya, itu buat login {link}",
    "Klik {link} lalu verifikasi dengan login internet banking",
    "Sebutkan NIK dan tanggal lahir Anda untuk validasi {link}",
    "Mohon donasi sukarela 20rb untuk panitia survei {link}",
    "Scan QRIS berikut untuk verifikasi {link}",
    "Saat mengisi {link}, aktifkan berbagi layar agar admin bisa membantu",
    "Balas dengan angka yang kamu terima barusan, buat aktivasi {link}",
    "Lakukan verifikasi wajah dulu di aplikasi kami sebelum {link}",
]


@pytest.mark.parametrize("text", SCAM_UNDER_KPK_LINK)
def test_cli_an_official_link_never_whitewashes_a_scam_ask(
        text: str, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli_check(text.format(link=LINK), capsys)
    assert result["verdict"] == "suspicious", result


# --- negation is scope, not a keyword that cancels ------------------------------------------

WARNINGS_UNDER_KPK_LINK = [
    "Jangan berikan kode OTP atau PIN kepada siapa pun. Survei resmi: {link}",
    "Jangan pernah mentransfer uang kepada pihak yang mengaku panitia survei. {link}",
    "Survei ini gratis dan tanpa biaya pendaftaran: {link}",
    "Tidak perlu memasang aplikasi apa pun; cukup buka {link}",
    "Kami tidak akan meminta rekening, kata sandi, atau foto KTP Anda. {link}",
    "KPK tidak meminta Anda melapor kepada atasan setelah mengisi {link}",
    "Tidak ada yang berhak melihat atau mengumpulkan jawaban Anda. {link}",
    "Jangan mau diminta mengirim tangkapan layar hasil survei. {link}",
    "Tidak ada sanksi apa pun bagi yang tidak mengisi. {link}",
    "Never share the code sent to your phone. The survey is only at {link}",
    "Jawablah sesuai pengalaman Anda sendiri, tidak ada jawaban benar atau salah. {link}",
    "Anda tidak perlu mengisi formulir lain sebelum survei ini. {link}",
    "Isi {link} sendiri, tanpa perlu melapor kepada siapa pun.",
    "Survei SPI {link}. Tidak perlu mengirim bukti pengisian ke kantor.",
    "Undangan ini bersifat pribadi; jangan diteruskan kepada orang lain. {link}",
    "Mohon isi survei di {link} sebelum 31 Oktober 2026. Terima kasih.",
    "Anda dapat mengisi {link} kapan saja dan di mana saja, di rumah atau di kantor.",
    "Your responses go directly to KPK and are never shared with your employer. {link}",
    "Jangan mau diminta mengisi survei bersama-sama di kantor. Isi sendiri: {link}",
    "Isi survei ini untuk membangun integritas bersama: {link}",
    "Pertanyaan dapat disampaikan ke 198 jika pesan yang Anda terima mencurigakan. {link}",
    "Jangan klik tautan dulu sebelum memastikan pengirimnya ke 198. {link}",
    "Jangan isi formulir apa pun selain survei di {link}",
    "Kalau ada yang minta kamu lapor sudah isi survei, tolak saja ya. {link}",
    "Jangan sebutkan NIK Anda kepada siapa pun. {link}",
    "Survei dapat diisi dari HP; data yang Anda masukkan dilindungi. {link}",
]


@pytest.mark.parametrize("text", WARNINGS_UNDER_KPK_LINK)
def test_cli_a_warning_is_read_as_a_warning(
        text: str, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli_check(text.format(link=LINK), capsys)
    assert result["verdict"] == "official", result


# --- manipulation: employer-style asks, under KPK's own link --------------------------------

MANIPULATION_UNDER_KPK_LINK = [
    # report receipt, selection or completion
    "Bpk/Ibu yg kepilih jadi responden spi tlg kabarin sy ya {link}",
    "Mohon konfirmasi ke grup bidang apabila sudah selesai mengisi {link}",
    "Sampaikan ke sekretariat kalau Anda sudah dihubungi KPK. {link}",
    "Silakan isi {link}. Setelah selesai, tulis 'sudah' di grup ya",
    "Yang sudah mengerjakan survei mohon isi absen di meja piket. {link}",
    "Laporan penerimaan tautan survei SPI disampaikan ke kasubag paling lambat Rabu {link}",
    "Saya ingin tahu siapa saja yang sudah menerima tautan {link}",
    "Please inform the admin once you have filled in {link}",
    # answers, proof, screenshots, the link itself
    "Sesudah submit {link}, fotokan layar terakhir lalu kirim ke WA saya",
    "Mohon print out jawaban survei untuk arsip bagian umum {link}",
    "Isian survei dikirim dulu ke tim kantor untuk dicek sebelum submit di {link}",
    "Titipkan saja link survei yang Bapak terima ke operator, biar operator yang isi {link}",
    "Kindly send your survey answers to the unit head for review first. {link}",
    # a form first
    "Sebelum buka {link}, lengkapi dulu spreadsheet jawaban di drive kantor",
    "Isi dulu formulir latihan di https://forms.gle/Qa9zX sebelum membuka {link}",
    "Complete the office form first, then answer {link}",
    # gathering
    "Seluruh responden SPI kumpul di ruang serbaguna jam 1 siang untuk isi survei bareng {link}",
    "Kita ngerjain survei SPI rame-rame aja di kantor habis istirahat {link}",
    "Please come to the hall at 2 pm so we can take the KPK survey together {link}",
    # coaching answers and scores
    "Tolong beri penilaian yang tinggi untuk dinas kita di {link}",
    "Pilih saja opsi tertinggi di setiap pertanyaan {link}",
    "Jawablah mengikuti arahan kepala dinas saat rapat kemarin {link}",
    "Supaya kantor kita tetap zona hijau, isi {link} dengan jawaban positif",
    "Jangan kasih nilai rendah ya di survei KPK, nanti skor kita turun {link}",
    "Terlampir kunci jawaban SPI dari bagian organisasi {link}",
    "Make sure you give our office five-star ratings in {link}",
    # second round, other voices
    "Assalamualaikum. Bagi ASN yg sdh terima link {link} wajib lapor ke admin kepegawaian",
    "Rekan2, mohon dicek hp masing2, kalau ada WA dari KPK link {link} segera info ke saya",
    "Bapak ibu yang dapat SMS/WA survei {link} dimohon hadir di aula jam 10",
    "Setelah mengisi {link}, mohon tanda tangan di daftar yang sudah disiapkan",
    "Yang sudah isi {link}, reply 'done' ya guys",
    "Tolong jawab survei {link} dengan jawaban yang sama seperti contoh di grup",
    "Pastikan semua jawaban di {link} menggambarkan kondisi kantor yang baik ya",
    "Guys, isi {link} nya jangan jujur2 amat ya, demi skor kantor",
    "Mohon link {link} yang Bapak/Ibu terima dikirim ke admin untuk didata",
    "Please forward the KPK message with {link} to HR once you get it",
    "Kepada seluruh staf: hasil pengisian {link} dilaporkan ke atasan langsung",
    "Jangan lupa lapor ke admin kalau sudah isi {link}",
    "jgn lupa kirim bukti isi {link} ke grup",
    "Pak, yg sudah diisi survei {link} nya di-SS trus kirim ke sy ya",
    "Mohon Bapak/Ibu yang terpilih mengisi survei {link} didampingi tim inspektorat",
    "Sebelum klik {link}, tolong diskusikan dulu jawabannya dengan kasubag",
    "Nanti yang udh ngisi {link} absen di grup ya, biar ketahuan siapa yg belum",
    "Respondents who have completed {link} must notify their supervisor",
    "Dear all, kindly share a screenshot after completing {link}",
    "Untuk menjaga predikat WBK, jawab {link} dengan sangat baik",
    "Ingat, di {link} pilih opsi sangat puas semua ya",
    "Bapak Ibu tolong isi gform data responden SPI dulu ya sebelum {link}",
    "Mohon disampaikan nama pegawai yang dapat undangan {link} ke sekretariat",
    "Yang menerima pesan {link} harap bawa HP ke ruang rapat jam 8 untuk diisi bersama",
]


@pytest.mark.parametrize("text", MANIPULATION_UNDER_KPK_LINK)
def test_cli_employer_asks_are_manipulation_even_under_kpks_link(
        text: str, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli_check(text.format(link=LINK), capsys)
    assert result["verdict"] == "manipulation", result


def test_cli_manipulation_text_says_link_may_be_kpks_and_how_to_report(
        cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    text = f"Mohon konfirmasi ke grup bidang apabila sudah selesai mengisi {LINK}"
    assert main(["check", text]) == 0
    out = capsys.readouterr().out
    assert "mungkin memang milik KPK" in out and "tidak perlu menurutinya" in out
    assert "198" in out and "kws.kpk.go.id" in out
    assert "jangan klik" not in out.casefold()


def test_cli_manipulation_with_only_an_employers_form_does_not_call_it_kpks(
        cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Sebelum survei SPI, isi dulu https://forms.gle/Kk81 ya rekan-rekan"
    assert main(["check", text]) == 0
    out = capsys.readouterr().out
    assert "MELANGGAR ATURAN SPI" in out and "bukan milik KPK" in out
    assert "mungkin memang milik KPK" not in out


# --- unlisted sender number or vendor e-mail next to KPK's link -----------------------------

@pytest.mark.parametrize("sender", [
    "0811 1919 3344", "+62 811-1919-0001", "6281119190002", "+1 415 555 0100",
    "spi@riset-mitra.co.id", "survei.spi@surveyvendor.com", "noreply@spi.vendor-riset.co.id",
    "kpk.spi.info@mitrasurvei.id", "info@spi-survey.id",
])
def test_cli_an_unlisted_sender_with_kpks_link_is_unknown_not_suspicious(
        sender: str, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    text = (f"Dari {sender}: Yth. Bapak/Ibu, Anda terpilih sebagai responden Survei Penilaian "
            f"Integritas KPK. Silakan isi di {LINK}")
    result = cli_check(text, capsys)
    assert result["verdict"] == "unknown", result


@pytest.mark.parametrize("text", [
    "SPI by KPK (0811-1919-2025): Anda terpilih menjadi responden SPI 2026. Klik {link}. "
    "Pesan ini dikirim otomatis, mohon tidak membalas.",
    "Nomor 0811 1919 4499 mengirim undangan SPI, link {link}, berlaku sampai 31 Oktober. "
    "Balas STOP untuk berhenti.",
    "Dari +62 811-1919-4762: Survei Penilaian Integritas. Simpan nomor ini agar tautan {link} "
    "dapat diklik.",
    "Undangan e-mail dari spi2026@frontier.co.id: Survei Penilaian Integritas KPK. Mulai "
    "survei: {link}. Kode akses tidak diperlukan.",
    "survey.team@markplus.co.id: You are invited to KPK's Integrity Assessment Survey, {link}. "
    "Your answers are confidential and no payment is ever requested.",
    "Dari 0812-3333-4444: Bapak/Ibu terpilih sebagai responden SPI. Waktu pengisian sekitar 15 "
    "menit di {link}. Jika ada kendala teknis, hubungi nomor ini.",
    "WA 0811 1919 7070 (centang biru): Survei SPI KPK untuk penerima layanan RSUD. Isi di "
    "{link}; identitas Anda dirahasiakan sesuai UU 16/1997.",
    "Dari 0812 1111 2222: Selamat, Anda terpilih sebagai salah satu responden SPI 2026. "
    "Isi di {link}",
    "Dari 0812 1111 2222: Identitas dan jawaban Anda dijamin kerahasiaannya oleh UU 16/1997; "
    "pembocor data dapat dikenai sanksi pidana. {link}",
    "Dari survei@mitra.co.id: Gunakan kode akses 7HX2 untuk masuk ke {link}",
    "Dari 0812 1111 2222: Undangan SPI. Link pribadi, jangan dibagikan. Batas pengisian 31 "
    "Oktober; setelah itu tautan dinonaktifkan. {link}",
    "Dari 0812 1111 2222: Anda terpilih menjadi responden. Mohon simpan nomor ini agar tidak "
    "terblokir filter spam. {link}",
])
def test_genuine_style_invitations_from_unlisted_senders_are_unknown(text: str) -> None:
    assert check_text(text.format(link=LINK), REGISTRY, year=YEAR).verdict == "unknown"


def test_an_unlisted_sender_with_a_scam_ask_is_still_suspicious() -> None:
    text = f"Dari spi@riset-mitra.co.id: transfer biaya admin Rp10.000 lalu isi {LINK}"
    assert check_text(text, REGISTRY, year=YEAR).verdict == "suspicious"
    # without KPK's link the name on someone else's mailbox is an imitation
    text = "Dari kpk.spi.info@gmail.com: Anda terpilih sebagai responden SPI KPK"
    assert check_text(text, REGISTRY, year=YEAR).verdict == "suspicious"


# --- other go.id pages, raw IPs, free site builders, dated entries, short links -----------

@pytest.mark.parametrize(("text", "verdict", "reason"), [
    ("Panduan SPI dari inspektorat: https://inspektorat.bantulkab.go.id/spi", "unknown",
     "other_government"),
    ("Survei Penilaian Integritas KPK https://diskominfo.jatengprov.go.id/spi-2026", "unknown",
     "other_government"),
    ("Survei SPI KPK: 198.51.100.23/spi", "suspicious", "ip_address"),
    ("Isi survei KPK di http://[2001:db8::5]/spi", "suspicious", "ip_address"),
    ("Survei integritas: https://survei-kpk-2026.blogspot.com", "suspicious", "free_builder"),
    ("Daftar responden: https://spi-kpk.vercel.app/daftar", "suspicious", "free_builder"),
    ("bit.ly/PendaftaranSPI2023", "unknown", "past_link"),
    ("bit.ly/pendaftaranSPI2023", "unknown", "short_link"),
    ("Pesan dari 081119199198 tentang SPI", "unknown", "past_sender"),
])
def test_cli_each_kind_of_address(text: str, verdict: str, reason: str, cli_env: None,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    result = cli_check(text, capsys)
    assert result["verdict"] == verdict, result
    assert check_text(text, REGISTRY, year=YEAR).items[0].reason == reason


def test_a_2023_link_is_official_in_2023_and_reported_as_2023s_later() -> None:
    then = check_text("bit.ly/PendaftaranSPI2023", REGISTRY, year=2023)
    now = check_text("bit.ly/PendaftaranSPI2023", REGISTRY, year=YEAR)
    assert then.verdict == "official" and now.verdict == "unknown"
    assert now.items[0].values["year"] == "2023"


def test_cli_past_link_reply_names_its_year(cli_env: None,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "bit.ly/PendaftaranSPI2023"]) == 0
    out = capsys.readouterr().out
    assert "RESMI" not in out.split("\n")[0] and "2023" in out


@pytest.mark.parametrize(("text", "verdict"), [
    ("Buat temen2 yg dpt wa dr kpk soal survey integritas, tolong lapor ke sy ya", "manipulation"),
    ("yg blm ngisi survei spi sgr diisi, nnt sy cek satu2", "manipulation"),
    ("rekan2 mhn kirimkan ss bukti udh isi spi ke japri sy", "manipulation"),
    ("Pls report to ur head of unit if u got the KPK integrity survey", "manipulation"),
    ("Everyone who was selected for the SPI survey, please list your name in this sheet",
     "manipulation"),
    ("Kalau dapat link survei dari KPK jangan diisi dulu, tunggu arahan dari kantor",
     "manipulation"),
    ("Mohon menunggu instruksi sebelum mengisi survei SPI yang diterima", "manipulation"),
    ("Yg sdh isi survei KPK tlg centang namanya di file excel grup", "manipulation"),
    ("Jawaban no 12-20 di survei SPI pilih yang paling positif ya", "manipulation"),
    ("Demi nama baik dinas, mohon isi survei integritas secara kompak", "manipulation"),
    ("Kepala sekolah minta guru yang terpilih responden SPI untuk melapor ke TU",
     "manipulation"),
    ("Ada yg udh dpt link survei kpk? lgsg info ke admin grup ya", "manipulation"),
    ("Sehubungan dengan pelaksanaan Survei Penilaian Integritas (SPI) Tahun 2026 oleh KPK, "
     "bersama ini kami sampaikan kepada seluruh pegawai yang telah menerima pesan WhatsApp "
     "berisi tautan survei untuk menyampaikan konfirmasi kepada Subbagian Umum dan Kepegawaian.",
     "manipulation"),
    ("Dalam rangka mendukung keberhasilan SPI, diharapkan pegawai mengisi survei sesuai dengan "
     "materi sosialisasi yang telah diberikan", "manipulation"),
    ("Mohon seluruh responden SPI melampirkan bukti pengisian pada laporan kinerja bulanan",
     "manipulation"),
    ("Bukti telah mengisi SPI menjadi syarat pencairan TPP", "manipulation"),
    ("Ranking SPI kita tahun lalu kuning, tahun ini harus hijau", "manipulation"),
    ("Mohon jawaban survei disesuaikan dengan kondisi ideal", "manipulation"),
    ("Yang jadi responden SPI tolong data diri dikirim ke WA saya", "manipulation"),
    ("Kumpulkan HP yang ada link survei KPK di meja saya", "manipulation"),
    ("Nanti saya bantu isi survei SPI-nya, kirim aja linknya", "manipulation"),
    ("HR will collect everyone's survey confirmation emails", "manipulation"),
    ("Please bring your phone to the all-hands so we can do the KPK survey as a team",
     "manipulation"),
    ("We expect all staff to rate the department 5/5 on the integrity survey", "manipulation"),
    ("Make sure our unit ends up in the green zone of the KPK survey", "manipulation"),
    ("Selamat anda trpilih dpt hadiah survei kpk sebesar 2jt, hub admin", "suspicious"),
    ("mhn trf biaya adm 15rb utk aktivasi survei spi", "suspicious"),
    ("Send me the OTP you got, it's for the KPK survey registration", "suspicious"),
    ("Klaim saldo dana kaget 150rb dari survei KPK sekarang juga", "suspicious"),
    ("Survei SPI: akun WA anda akan di blokir jika tdk mengisi dlm 24 jam", "suspicious"),
    ("Bapak/Ibu wajib mengisi survei KPK, yang tidak mengisi akan kena SP", "suspicious"),
    ("Selamat, Anda terpilih mendapatkan hadiah dari survei KPK Rp2 juta", "suspicious"),
    ("Rekan2 kalau ga ngisi survei KPK nanti kena sanksi dari kantor", "suspicious"),
])
async def test_chat_slang_and_english_forwards_without_link_get_their_verdict(
        app: App, text: str, verdict: str) -> None:
    user = User(app.engine, Channel.TELEGRAM, "frames-4")
    await user.say(text)
    headline = {"manipulation": "MELANGGAR ATURAN SPI", "suspicious": "MENCURIGAKAN"}[verdict]
    assert headline in user.text, user.text


# --- chat: forwarded texts without link or number -------------------------------------------

@pytest.mark.parametrize(("text", "headline"), [
    ("Mohon transfer biaya aktivasi responden survei integritas Rp20.000 hari ini juga",
     "MENCURIGAKAN"),
    ("Bagi rekan-rekan yang sudah dapat WA survei KPK harap lapor ke sekretariat",
     "MELANGGAR ATURAN SPI"),
    ("Apakah Bapak/Ibu sudah menerima WA dari KPK? Jika sudah, mohon lapor ke sekretariat.",
     "MELANGGAR ATURAN SPI"),
    ("Yang sudah isi survei SPI kirim SS ke grup ya, siapa yang belum?",
     "MELANGGAR ATURAN SPI"),
    ("Besok pengisian survei SPI bareng-bareng di aula ya, bawa HP",
     "MELANGGAR ATURAN SPI"),
])
async def test_chat_a_forwarded_text_without_link_goes_to_the_checker(
        app: App, text: str, headline: str) -> None:
    user = User(app.engine, Channel.TELEGRAM, "frames-1")
    await user.say(text)
    assert headline in user.text, user.text
    assert "jangan klik" not in user.text.casefold() or headline == "MENCURIGAKAN"


@pytest.mark.parametrize("text", [
    "apakah saya harus lapor ke atasan kalau sudah isi survei?",
    "atasan saya minta kami kirim screenshot survei, boleh?",
    "survei spi wajib gak sih",
])
async def test_chat_a_question_stays_with_the_faq(app: App, text: str) -> None:
    user = User(app.engine, Channel.TELEGRAM, "frames-2")
    await user.say(text)
    assert "Alasannya" not in user.text, user.text


async def test_chat_each_verdict_is_counted_under_its_own_name(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "frames-3")
    await user.say(f"Isi survei di {LINK}")
    await user.say(f"Yang sudah isi {LINK} mohon kabari saya")
    await user.say(f"Transfer biaya admin 10rb lalu isi {LINK}")
    await user.say(f"Dari 0811 1919 3344: silakan isi {LINK}")
    async with app.db.reading() as conn:
        counts = {v: n for _, v, n in await app.deps.check_stats.daily(conn)}
    assert counts == {"official": 1, "manipulation": 1, "suspicious": 1, "unknown": 1}


def test_cli_json_verdict_values_are_the_four(cli_env: None,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    seen = {cli_check(text, capsys)["verdict"] for text in (
        LINK, f"Yang sudah isi {LINK} kabari admin", f"Bayar 10rb lalu isi {LINK}",
        f"Dari 0811 1919 3344: isi {LINK}")}
    assert seen == {"official", "manipulation", "suspicious", "unknown"}


# --- the inspectorate's own reminders, checked by a citizen who received one ----------------

def _reminder_texts() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "core" / "texts"
    texts = []
    for lang in ("id", "en"):
        data = tomllib.loads((root / f"broadcast.{lang}.toml").read_text("utf-8"))
        for entry in data.get("reminder", {}).values():
            text = str(entry["text"]).replace("{{nama}}", "Budi").replace("{{unit}}", "RSUD")
            texts.append(text.replace("{inspectorate_name}", "Inspektorat Kabupaten Sukamaju"))
    return texts


@pytest.mark.parametrize("text", _reminder_texts())
def test_an_approved_reminder_is_never_called_a_scam_or_manipulation(text: str) -> None:
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict in ("official", "unknown"), (result.signs, result.manipulation)


@pytest.mark.parametrize("text", [
    "Waspada penipuan! Kirim kode OTP hanya kepada admin resmi kami di nomor ini.",
    "Hati-hati hoaks. Biaya admin resmi Rp25.000, transfer ke rekening panitia.",
    "Permintaan uang atas nama KPK adalah penipuan; untuk survei ini cukup transfer Rp10.000.",
])
def test_warning_words_do_not_hide_an_ask_next_to_them(text: str) -> None:
    assert check_text(text, REGISTRY, year=YEAR).verdict == "suspicious"


def test_a_2022_vendor_site_is_reported_as_2022s() -> None:
    assert check_text("isi di q7survey.com", REGISTRY, year=2022).verdict == "official"
    now = check_text("Survei SPI KPK juga pernah di q7survey.com", REGISTRY, year=YEAR)
    assert (now.verdict, now.items[0].reason) == ("unknown", "past_domain")


async def test_migration_0010_keeps_the_counts_and_accepts_manipulation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    every = known_migrations()
    monkeypatch.setattr("storage.migrate.known_migrations",
                        lambda: [m for m in every if m.version < 10])
    async with aiosqlite.connect(tmp_path / "old.db") as conn:
        await migrate(conn)
        await conn.execute("INSERT INTO check_daily VALUES ('2026-11-01', 'suspicious', 3)")
        await conn.commit()
        monkeypatch.setattr("storage.migrate.known_migrations", lambda: every)
        await migrate(conn)
        await conn.execute("INSERT INTO check_daily (day, verdict, count) "
                           "VALUES ('2026-11-01', 'manipulation', 1)")
        rows = await conn.execute_fetchall("SELECT day, verdict, count FROM check_daily "
                                           "ORDER BY verdict")
    assert [tuple(r) for r in rows] == [("2026-11-01", "manipulation", 1),
                                        ("2026-11-01", "suspicious", 3)]


@pytest.mark.parametrize("text", [
    "Inspektorat mengimbau seluruh OPD memasang kode QR SPI di loket pelayanan agar pengguna "
    "layanan dapat mendaftar sebagai calon responden.",
    "Pemutakhiran data pegawai (nomor WA aktif dan email) untuk populasi SPI dikirim ke "
    "inspektorat paling lambat 15 Juni.",
    "Kirimkan nomor WA aktif pegawai untuk data populasi SPI ke inspektorat",
    "KPK memilih responden secara acak dari data yang dikirim instansi. Inspektorat tidak "
    "mengetahui siapa yang terpilih.",
    "Jawaban Anda langsung dikirim ke sistem KPK dan tidak dapat dilihat instansi.",
    "Tidak seorang pun, termasuk atasan, boleh meminta bukti bahwa Anda sudah mengisi survei.",
    "Pada 2023 KPK tidak mempublikasikan skor dua instansi karena jawaban pegawai dikumpulkan "
    "lewat Google Form.",
    "Petugas survei KPK dapat datang untuk wawancara tatap muka di daerah dengan sinyal terbatas.",
    "Mari sukseskan SPI dengan menjawab secara jujur sesuai pengalaman masing-masing.",
    "Hasil SPI menjadi bahan perbaikan tata kelola, bukan lomba skor antar instansi.",
    "Please answer honestly based on your own experience; nobody at your office will see your "
    "answers.",
    "If your boss asks you to report that you received the survey, you can refuse and report "
    "it to KWS.",
    "Mohon tidak membagikan tautan survei Anda kepada orang lain karena tautan itu pribadi.",
    "Bagi yang belum mengisi, survei masih dibuka sampai 31 Oktober di spi.kpk.go.id.",
])
def test_what_an_inspectorate_may_say_is_neither_scam_nor_manipulation(text: str) -> None:
    result = check_text(text, REGISTRY, year=YEAR)
    assert result.verdict in ("official", "unknown"), (result.signs, result.manipulation)
