"""Mechanisms added on branch bcast9 (causes found on the old blind batches 1-3, now
development sets): a negation inside a relative clause stays in it ("yang pegawainya tidak
mengisi", "yang terpilih tapi tidak mengisi", ending where the main clause's modal begins),
harm to something of the non-participants' (a contract disturbed, reconsidered, questioned),
a duty whose holders are named by the invitation they received, filling in permitted only
after something of the office's, zero or counted heads of a named unit, people gathered in the
passive or filling in overseen by the office, the survey's answers copied into an office
document, and an English question about what someone answered. Texts written for these tests
in our own words, not taken from any development or held-out set."""

from __future__ import annotations

import pytest

from outreach.integrity import check_text

REFUSED = [
    # the negation of a relative clause with a possessed noun ends at the main clause
    "Kasubbag yang stafnya tidak mengikuti survei akan ditegur langsung oleh Sekda.",
    "Camat yang warganya tidak mengisi SPI akan dipanggil ke kabupaten.",
    "Kepala seksi yang anak buahnya belum mengisi survei akan dievaluasi.",
    # the main clause's modal is no longer negated: "bisa/akan" + a harm or a passive
    "Pegawai kontrak yang tidak mengisi survei bisa ditinjau ulang perpanjangannya.",
    "Mitra yang tidak ikut survei integritas bisa terganggu kerja samanya tahun depan.",
    "Rekanan yang tidak mengisi survei akan dimintai penjelasan oleh panitia.",
    "Yang mengabaikan undangan survei bakal dimintai klarifikasi oleh atasan.",
    # a second, negated predicate of the relative clause
    "Peserta yang sudah diundang tapi tidak mengisi survei dapat terancam penilaian kinerjanya.",
    "Responden yang terpilih namun tidak berpartisipasi bisa mempengaruhi penilaian kontraknya.",
    "Staff who were selected but did not fill in the survey will be called in.",
    # chat spelling of "sampai" in "jangan sampai"
    "Jgn sampe kalian tercatat blm ngisi survei ya, nanti repot.",
    "Jangan sampe nama bapak ibu tercatat belum isi SPI.",
    "jgn sampe ada yg ketauan belum isi survei, nanti ditegur.",
    # the invitation named only as what the duty's holders received
    "Mengisi survei KPK bersifat wajib bagi semua staf yang menerima undangan.",
    "Partisipasi dalam SPI diwajibkan untuk seluruh pegawai yang mendapat link survei.",
    "Pengerjaan survei harus dilakukan oleh semua ASN yang menerima pesan dari KPK.",
    # filling in permitted only after something of the office's
    "Survei baru boleh diisi setelah mendapat izin dari kepala bidang.",
    "Pengisian SPI hanya dapat dilakukan setelah Bapak/Ibu menerima kode dari subbag umum.",
    "Silakan isi survei hanya setelah mendapat persetujuan atasan masing-masing.",
    # zero or counted heads of a named unit, watched
    "Data Inspektorat: Bagian Keuangan belum ada yang mengisi survei.",
    "Update: di Seksi Pelayanan belum seorang pun mengisi SPI, mohon ditindaklanjuti.",
    "Our tracker says only 8 people in {unit} have done the survey so far.",
    "Rekap hari ini: baru 15 orang dari bidang kita yang mengisi SPI.",
    # participation as a noun, verified per person
    "Tim evaluasi akan memeriksa kepesertaan staf dalam survei melalui atasan langsung.",
    "Sekretariat mencocokkan kepesertaan pegawai di SPI dengan daftar hadir.",
    "Kami akan memverifikasi kepesertaan tiap karyawan dalam survei integritas.",
    # people gathered in the passive, or filling in overseen by the office
    "Peserta akan dikumpulkan di aula lalu mengisi survei bersama pendamping.",
    "Para responden dikumpulkan per seksi untuk mengisi kuesioner KPK.",
    "Survei diisi di bawah bimbingan kepala seksi masing-masing.",
    "Pegawai mengisi SPI di bawah pengawasan kepala bagian.",
    # the survey's answers copied into a document of the office's
    "Mohon isi lembar berikut sesuai jawaban yang Anda pilih di survei KPK.",
    "Please fill in this sheet with the same answers you gave in the survey.",
    "Rekan-rekan diminta mengisi kolom di bawah ini persis seperti jawaban di kuesioner SPI.",
    # "kena" + verb as a colloquial passive: "kena pilih" is "terpilih"
    "Sapa2 yang kena pilih jadi responden? Kase tau di grup.",
    "Siapa saja yang kena pilih survei KPK? Lapor ke admin ya.",
    "Yang kena tunjuk jadi responden SPI tolong info ke sekretariat.",
    # a root doubled with "2" before a suffix
    "Jangan jelek2in dinas kita di survei KPK ya.",
    "Pas isi survei jgn jelek2kan kantor sendiri.",
    "Tolong jangan sudut2kan unit kita waktu jawab survei.",
    # answers that would cost the office an audit finding, under "hindari"/"jangan"
    "Hindari jawaban yang bisa bikin dinas kena temuan.",
    "Jangan kasih jawaban yang membuat kantor jadi temuan auditor.",
    "Avoid answers that could harm our office in the survey.",
    # a nominalised collection of the invitation's recipients
    "Pendataan penerima undangan SPI dilakukan hari ini oleh subbag umum.",
    "Inventarisasi responden survei KPK sedang berjalan, hubungi sekretariat.",
    "Sekretariat akan menginventarisasi penerima link survei di tiap bidang.",
    # a list or a check that does ask something back is still refused
    "Kami tidak tahu siapa yang terpilih, siapa yang sudah mengisi silakan lapor ke admin.",
    "Cek apakah undangan sudah masuk dari KPK, lalu kabari sekretariat.",
    "Check whether you got the KPK link and let your supervisor know.",
    # an official's sanction in a threat is still one
    "Yang tidak isi survei akan dipanggil ke kantor bupati.",
    "Bupati akan memanggil pegawai yang tidak mengisi SPI.",
    # a question followed by "if yes, ...": the answer is wanted
    "Kamu dapat link survei KPK kan? Kalau iya, nanti aku catat namamu.",
    "Did you get the survey link? If so, I'll add you to our list.",
    "Sudah terima undangan SPI? Kalau sudah, nanti kami tandai di daftar.",
    # an English question about what someone answered
    "What did you answer on the integrity survey questions?",
    "What did you answer for the bribery section of the survey?",
    "What did you answer about gifts in the KPK survey, honestly?",
]

ALLOWED = [
    # a negated relative clause with no harm after it
    "Pegawai yang belum mengisi survei masih bisa mengisinya sampai akhir bulan.",
    "Kepala bidang yang stafnya belum mengisi tidak perlu berbuat apa pun; KPK mengingatkan.",
    "Responden yang terpilih tapi tidak sempat mengisi tidak akan dikenai sanksi apa pun.",
    # a duty about the link or a voluntary note beside the invitation
    "Survei ini sukarela bagi pegawai yang menerima undangan.",
    # filling in after KPK's own steps
    "Survei hanya bisa diisi setelah Anda menerima undangan resmi dari KPK.",
    "Pengisian baru dapat dilakukan setelah tautan dari KPK dibuka.",
    # counts that are KPK's or national, or no one watched
    "Secara nasional, ribuan orang sudah mengisi SPI tahun lalu.",
    # gatherings and documents unrelated to answers
    "Survei silakan diisi sendiri, tidak perlu dikumpulkan di mana pun.",
    "Survei diisi sesuai pengalaman Anda sendiri, bukan sesuai tabel siapa pun.",
    # a citizen's past dealings with the office are no sanction
    "Kalau Anda pernah berurusan dengan dinas kami, silakan isi survei dari pengalaman itu.",
    "Isi survei KPK berdasarkan pengalaman Anda saat berurusan dengan kantor kami.",
    "Warga yang pernah berurusan dengan kelurahan mungkin menerima undangan SPI.",
    # registering after a service received, or with a modal before the verb
    "Warga yang pernah menerima pelayanan kami dapat mendaftar sebagai responden.",
    "Mitra yang pernah bekerja sama dengan dinas dapat mendaftar menjadi responden lewat QR.",
    "Siapa pun yang pernah mendapat layanan perizinan boleh mendaftar sebagai responden.",
    # a registered contact kept valid, a registration form's own fields
    "Pastikan email yang didaftarkan masih aktif agar undangan KPK sampai bila Anda terpilih.",
    "Pastikan nomor HP yang didaftarkan tetap aktif selama periode survei.",
    "Calon responden cukup mengisi data diri di halaman pendaftaran.",
    "Yang ingin mendaftar cukup memindai QR lalu mengisi data diri di formulir pendaftaran.",
    # "if yes" after a question that only guides
    "Ragu apakah pesan dari KPK? Kalau iya, cek nomornya di situs resmi spi.kpk.go.id.",
    "Pernah dilayani kantor kami? Kalau iya, Anda mungkin menerima undangan survei KPK.",
    # doubled roots and "temuan" in warnings against steering
    "Kami tidak akan pernah meminta Anda menjelek2kan atau memuji2 kantor.",
    "Jawaban jujur tidak akan membuat Anda kena masalah apa pun.",
    # a negated list of parallel "siapa yang ..." items stays negated
    "Kami tidak mencatat siapa yang terpilih, siapa yang mengisi, atau siapa yang menolak.",
    "Inspektorat tidak tahu siapa yang dapat undangan, siapa yang sudah mengisi survei.",
    "We do not record who was selected, who got the link, or who has finished the survey.",
    # a visit to the bot is its use
    "Terima kasih sudah mampir ke bot kami, semoga informasinya membantu.",
    "Makasih udah berkunjung ke bot SPI ya.",
    "Thanks for stopping by to the bot; type INFO for more about the survey.",
    # the reader's own check of where a message came from
    "Cek apakah pesan survei dikirim dari nomor resmi KPK sebelum membuka tautan.",
    "Periksa apakah tautannya asli, yaitu berawalan spi.kpk.go.id.",
    "Before you fill it in, check whether the invitation came from KPK's official channel.",
    # "tp" is "tapi", not "top"
    "Survei KPK tidak wajib, tp kalau berkenan silakan isi.",
    "Boleh isi boleh tidak, tp tetap jujur ya kalau mengisi.",
    "Ga ada sanksi kok, tp sayang kalau suaranya tidak dipakai.",
    # "your own choice" says the answers are free
    "Keluarga boleh membantu membuka tautan, tetapi jawaban tetap pilihan Anda sendiri.",
    "Jawaban survei sepenuhnya pilihan sendiri; tidak ada yang akan menanyakannya.",
    "Someone may help you open the link, but the answers stay your own choice.",
    # a building named after an official is no sanction
    "Terima kasih sudah hadir di pendopo bupati untuk sosialisasi SPI kemarin.",
    "Sosialisasi survei KPK diadakan di aula kantor bupati, terbuka untuk umum.",
    "Bagi yang ingin bertanya soal SPI, meja informasi ada di gedung bupati lantai 1.",
    # the office's reply to the reader's own message
    "Selama cuti bersama, pesan Anda akan dibalas petugas setelah libur.",
    "Pertanyaan Anda tentang survei akan dijawab admin pada jam kerja.",
    "Your messages will be answered by our staff on the next working day.",
    # English questions about the survey that want no answers
    "What did you think of our service? Tell KPK honestly in the survey.",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    assert not check_text(text).allowed, text


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed(text: str) -> None:
    assert check_text(text).allowed, (text, check_text(text).reasons)
