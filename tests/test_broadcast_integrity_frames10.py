"""Mechanisms added on branch bcast10 (causes found on old blind batch 4, now a development
set, and the harmless refusals bcast9 left on batches 1-3): regional words (Sundanese,
Minang, Banjar, Papuan) and the compound "tanggung jawab"; a conditional "kalau ada yang ..."
whose act after a request marker is asked of the reader; a negated modal ending the local scope
of "yang tidak"; exclusion from a benefit; participation weighed in a decision; a unit ranked
last; a standard answer; pretending about a survey item; proof made the condition of having
taken part. Harmless: the office's service described without pungli, acts against
gratification, a form of its own, an event other than the survey, a message to the office's
chatbot, an example of the forbidden disowned in the next sentence, the coerced judged
worthless, a negated English list opened by articles, an example typed to the bot, acts done by
KPK. Texts written for these tests in our own words, not taken from any development or
held-out set."""

from __future__ import annotations

import pytest

from outreach.integrity import check_text

REFUSED = [
    # regional words: Minang, Banjar
    "Ambo mintak, screenshot survei dikirim ka ambo sabalum Jumat.",
    "Ambo mintak tolong, kalau alah dapek link survei, kaba an ka ambo.",
    "Ulun minta sabarataan nang dapat survei bakumpul di aula, kita isi barataan.",
    "Ulun harap nang sudah isi survei melapor ke ulun.",
    # "kalau ada yang ..., tolong bilang ke ...": the act after the request is the reader's
    "Kalau ada yang dapat pesan survei KPK, tolong bilang ke kepala seksi ya.",
    "Kalau ada yang sudah mengisi SPI tolong bilang ke admin grup.",
    "Jika ada yang terima link survei, mohon sampaikan ke sekretariat.",
    # the local scope of "yang tidak" ends at a negated modal; exclusion from a benefit
    "Sekretaris bilang yang tidak isi survei tidak akan diikutkan studi banding.",
    "Pegawai yang tidak mengisi SPI tidak akan dilibatkan dalam kepanitiaan tahun depan.",
    "Yang belum isi survei tidak akan diusulkan untuk diklat.",
    # participation weighed in a decision about staff
    "Perpanjangan kontrak akan mempertimbangkan partisipasi dalam survei integritas.",
    "Penilaian kinerja semester ini memperhitungkan keikutsertaan pegawai di SPI.",
    "Promosi jabatan nanti juga mempertimbangkan partisipasi survei masing-masing.",
    # a unit ranked last, even under "jangan"
    "Yang belum isi survei, jangan bikin bidang kita jadi yang terakhir.",
    "Ayo isi SPI, jangan sampai kantor kita menjadi yang terbawah se-kabupaten.",
    "Please complete the survey, don't let our unit be the last again.",
    # a standard answer
    "Ingat jawaban standar kita kalau ditanya soal perizinan: semua lancar.",
    "Untuk pertanyaan pengadaan, pakai jawaban baku yang sudah dibagikan.",
    "Use our standard answer for the procurement questions.",
    # pretending about an item of the survey dictates the answer
    "Kalau ada pertanyaan soal uang pelicin, anggap saja tidak pernah ada.",
    "Untuk soal gratifikasi, anggap aja tidak ada ya.",
    "On the question about bribes, just pretend there never were any.",
    # proof made the condition of having taken part
    "Tanpa foto bukti, pengisian survei tidak dihitung.",
    "Ingat, tanpa screenshot dianggap belum mengisi.",
    "Without a screenshot your survey will not be counted.",
    # the second round's mechanisms leave these asks refused
    "Survei segera ditutup, segera kirim screenshot ke admin.",
    "Update: yang sudah mengisi survei segera lapor ke grup.",
    "Kami tidak meminta screenshot, tapi kirimkan jawaban Anda ke sekretariat.",
    "Pegawai yang terbukti belum mengisi survei akan ditegur.",
    "Sudah dapat link survei? Laporkan.",
]

ALLOWED = [
    # regional words
    "Punten ka sadayana, survei ieu sukarela sareng jawaban dirahasiakeun.",
    "Punten, nu hoyong ngiring janten responden mangga daptar ngalangkungan chatbot.",
    "Sa kase tau, link survei yang asli itu dari spi.kpk.go.id.",
    "Menjaga integritas adalah tanggung jawab bersama.",
    # the office's service without pungli, acts against gratification
    "Mari dukung zona integritas dengan pelayanan yang ramah dan bebas pungli.",
    "Ayo jaga nama baik kantor dengan melayani warga tanpa pungli.",
    "Dapat bingkisan dari vendor? Tolak atau laporkan ke UPG.",
    # a form of its own
    "Sudah isi formulir data keluarga untuk asuransi? Batasnya besok.",
    "Sudah isi formulir biodata keluarga untuk kartu pegawai? Batasnya akhir bulan.",
    "Formulir data keluarga sudah diisi? Batasnya Jumat ini.",
    # another event of the office
    "Ada senam pagi di halaman kantor Jumat ini, yuk ikut!",
    "Bagi yang belum, mohon isi daftar hadir rapat koordinasi kemarin.",
    "Survei SPI dari KPK sedang berjalan, isi sesuai pengalaman. Oh iya, jangan lupa apel"
    " jam 8.",
    # a message to the office's chatbot
    "Calon responden: kirim pesan DAFTAR ke chatbot Inspektorat, lalu ikuti petunjuknya.",
    "Pendaftaran: kirim pesan ke chatbot kantor kami dan ikuti langkahnya.",
    "Untuk mendaftar, kirim pesan halo ke chatbot dinas.",
    # an example of the forbidden, disowned in the next sentence
    "Di kabupaten lain pegawai dikumpulkan untuk mengisi bersama. Kami tidak akan melakukan"
    " hal seperti itu.",
    "Ada kantor yang meminta screenshot survei. Jangan ditiru, itu tidak boleh.",
    "Some offices ask staff to send their answers. We will never do that.",
    # the coerced judged worthless
    "Nilai tinggi yang dipaksakan tidak ada gunanya. Isi jujur saja.",
    "Jawaban yang diarahkan percuma, tidak membantu perbaikan.",
    "A rigged score is useless; answer from your own experience.",
    # a negated English list opened by articles
    "Nobody here will ask for a photo, a copy of your answers, or proof of completion.",
    "We will never request a screenshot, a list of names, or a confirmation.",
    "No manager may ask for a screenshot, an answer sheet, or a receipt.",
    # an example typed to the bot
    "Ada pertanyaan? Ketik TANYA lalu pertanyaan Anda, misalnya: TANYA kapan survei ditutup.",
    "Ketik TANYA, contoh: TANYA siapa yang bisa mengisi survei.",
    "Type TANYA and your question, for example: TANYA how long does it take.",
    # acts done by KPK
    "Pemilihan responden dan pengiriman undangan dilakukan oleh KPK.",
    "Pengolahan jawaban dan pemilihan responden dikerjakan oleh KPK sendiri.",
    "Sending invitations and selecting respondents are handled by KPK.",
    # "segera" before a state tells time
    "Masa pengisian SPI segera berakhir; yang menerima undangan masih bisa mengisinya.",
    "Survei integritas segera dimulai minggu depan.",
    "Periode survei KPK segera ditutup akhir bulan ini.",
    # the survey named as the place to tell what one saw
    "Kalau pernah melihat pungutan liar, survei ini wadah yang aman untuk menyampaikannya.",
    "Survei KPK adalah sarana untuk melaporkan pengalaman Anda secara rahasia.",
    "The survey is a safe place to report what you have seen.",
    # a negated list whose last item comes "dari Anda"
    "Kami tidak akan meminta jawaban, bukti, atau konfirmasi dari Anda.",
    "Tidak ada yang akan meminta screenshot, foto, atau laporan dari Anda.",
    "We will not ask for answers, proof, or a reply from you.",
    # steering named as a wrong found out
    "KPK bisa menahan nilai instansi yang terbukti mengarahkan jawaban pegawai.",
    "Instansi yang ketahuan memaksa pegawai mengisi survei akan dilaporkan ke KPK.",
    "Offices proven steering the answers may lose their score.",
    # a bare "Laporkan." after a scam
    "Kalau ada yang minta uang untuk ikut survei, itu penipuan. Laporkan.",
    "Ada pesan palsu mengatasnamakan SPI. Laporkan.",
    "Someone asking for a fee to join the survey is a scam. Report it.",
    # the chatbot is the bot
    "Daftar sebagai calon responden lewat chatbot kami, gratis.",
    "Sign up as a prospective respondent through the chatbot, it is free.",
    "Yang ingin jadi calon responden bisa mendaftar melalui chatbot dinas.",
    # a heading is no ask
    "Update: survei integritas tahun ini dibuka sampai akhir bulan.",
    "Info: link resmi survei hanya spi.kpk.go.id.",
    "Pengumuman: survei KPK bersifat sukarela dan rahasia.",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    assert not check_text(text).allowed, text


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    verdict = check_text(text)
    assert verdict.allowed, (text, verdict.reasons)
