"""Frames added on branch integrity8: how an ask is found (a relative clause or a condition
between the marker and the act, veiled advice), who asks (a supposed or quoted ask), what is
asked (answering voiced into the survey, a message handed to the bot to be checked, an errand
with an object of its own) and policy frames whatever the words (answers taken to the
office, anything granted to those who took part, filling in held back until the office's
session). Texts written for these tests, not taken from any development or held-out set."""

from __future__ import annotations

import pytest

from outreach.integrity import check_text

REFUSED = [
    # veiled advice names the act all the same
    "Alangkah baiknya jika rekan-rekan melapor ke sekretariat setelah menerima undangan SPI.",
    "Kami sarankan jawaban soal gratifikasi dikosongkan saja atau pilih tidak tahu.",
    # the survey's answers taken to the office, whatever the verb
    "Sebaiknya jawaban survei dikonsultasikan dulu dengan atasan.",
    # anything granted to those who took part beyond the survey is a reward
    "Yang sudah selesai isi survei boleh langsung pulang lebih awal hari ini.",
    "Those who have completed the survey get Friday afternoon off.",
    # filling in held back until the office's session, said under a negation
    "Mohon jangan mengisi survei sebelum rapat koordinasi hari Senin.",
    # the category the office's SPI should reach, beside filling in
    "Kita ingin SPI kantor tahun ini hijau, jadi pas isi survei ingat kebaikan kantor ya.",
    # a wish that no one answers against the office still steers
    "Saya harap tidak ada yang mengisi survei dengan jawaban yang merugikan kantor kita.",
    # an elliptical ask after a survey sentence stays on topic
    "SPI berjalan. Infokan tanggal pengerjaan ke koordinator lapangan.",
    "Survei SPI sudah mulai. Submit your confirmation slip to HR by Friday.",
    "Survei KPK sudah masuk ke HP kalian. Foto layar terus kirim ke Bu Sekretaris.",
    # a group's checking is its own, but being checked is monitoring
    "Yang sudah mengisi bisa dicek oleh admin.",
    # a quoted question with an ask beside it
    "Pimpinan bertanya apakah kalian sudah isi survei, tolong jawab di grup.",
    # a question about participation wants an answer back, whatever follows
    "Terpilih jadi responden? Selamat! Kirim nama dan NIP ke sekretariat.",
    "Bagaimana kalau sudah isi? Kabari saya.",
    # veiled, with 'That said' no one else's saying
    "Team, the KPK survey is voluntary. That said, management would appreciate it if you "
    "forwarded your invitation to hr@dinas.go.id.",
    # people not taking part, and what is done to them
    "Kalau ada yang tidak ikut survei, nanti namanya disampaikan ke Pak Sekda.",
    "Peserta SPI yang paling cepat selesai dapat voucher pulsa.",
]
ALLOWED = [
    # the addressee's relative clause, a condition or a preposition after the marker
    "Kami mengajak Bapak/Ibu yang menerima undangan untuk berpartisipasi secara sukarela.",
    "Mohon jika ada kendala mengisi survei hubungi inspektorat.",
    "Monggo menawi angsal undangan SPI, dipun isi miturut pengalaman piyambak.",
    "Tanya-tanya silakan ke inspektorat.",
    # someone else's ask, supposed or quoted
    "If a manager asks you to report whether you took the survey, you may refuse.",
    "Kami menerima pertanyaan apakah atasan akan tahu siapa yang mengisi. Jawabannya: tidak.",
    "Apakah saya wajib mengisi? Tidak, survei ini sukarela.",
    # answering, voiced into the survey or nowhere else
    "Sampaikan pendapat Anda secara jujur di survei resmi KPK.",
    "Sampaikan penilaian Anda secara terbuka; jawaban Anda dirahasiakan oleh KPK.",
    # a message handed over to the bot to be checked
    "Ragu dengan pesan survei? Kirim pesannya ke bot ini untuk dicek keasliannya.",
    "Kirim atau tempel pesan yang Anda terima di sini, lalu kami beri tahu apakah pesannya asli.",
    "Bila Anda ragu apakah pesan itu asli, teruskan pesannya ke bot ini, bukan ke atasan.",
    # registration, the bot's menu, contact data
    "Pendaftaran responden pengguna layanan masih dibuka: ketik DAFTAR ke nomor bot ini.",
    "Anda bisa ikut menjadi calon responden SPI dengan memindai QR di ruang tunggu.",
    "Questions? Reply INFO.",
    "Mohon pastikan nomor WhatsApp Anda di data kepegawaian masih aktif.",
    # negated lists, notices passed on, the group's own acts
    "Pemberitahuan: tidak ada apel, rapat atau sesi bersama untuk mengisi survei SPI.",
    "Kantor tidak akan menerima laporan, tangkapan layar, ataupun bukti pengisian survei.",
    "Mohon sebarkan informasi bahwa SPI sukarela dan rahasia kepada rekan-rekan.",
    "Yang sudah terima undangan bisa cek keasliannya di bot ini.",
    "Yang sudah mengisi dapat menghubungi inspektorat jika ada pertanyaan.",
    "Kalau belum dan mau isi, silakan. Kalau tidak mau, juga tidak apa-apa.",
    "Kalau belum dapat undangan, tidak perlu melapor; tunggu saja atau daftar lewat QR.",
    # another errand of the office beside the survey
    "Rekan-rekan, jangan lupa kumpulkan SPJ perjalanan dinas ke bendahara. Oh ya, survei SPI "
    "dari KPK itu resmi, isi kalau dapat undangan.",
    "Please submit your timesheets to HR by Friday. Separately, the KPK survey is voluntary.",
    "Laporkan ke Inspektorat atau KPK.",
    "Mari jadikan SPI sebagai cermin untuk perbaikan, bukan ajang mengejar nilai.",
    # a question heading its own answer, a fear named, a duty asked about
    "Berapa lama mengisinya? Sekitar 10 sampai 15 menit.",
    "Siapa saja yang bisa menjadi responden? Pegawai, pengguna layanan, dan para ahli.",
    "Takut jawaban Anda diketahui atasan? Tenang, KPK menjamin kerahasiaannya.",
    "Apa yang harus dilakukan jika menerima undangan? Cukup isi sendiri di situs resmi.",
    "Sebaiknya survei diisi sendiri, tanpa ditemani siapa pun.",
    "Laporan hasil SPI dapat dibaca di situs jaga.id.",
    "Please be aware of phishing attempts using the SPI name.",
    "Nuwun sewu, survei SPI punika boten wonten hubunganipun kaliyan TPP.",
]


@pytest.mark.parametrize("text", REFUSED)
def test_asks_found_whatever_their_form_are_refused(text: str) -> None:
    assert not check_text(text).allowed, text


@pytest.mark.parametrize("text", ALLOWED)
def test_told_asks_answering_checking_and_errands_pass(text: str) -> None:
    assert check_text(text).allowed, check_text(text).reasons
