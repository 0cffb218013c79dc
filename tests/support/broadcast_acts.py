"""Broadcast texts generated act by act, to test that the integrity check recognises the
*acts* it forbids in any wording rather than the sentences it was shown.

Each forbidden act (report receipt, selection or completion; forward the invitation; send
answers; send proof; fill a form first; gather; coach the rating; watch who filled it;
threaten) is written from parts: who is addressed or named ("Bapak/Ibu yang sudah menerima
…", "Yg kepilih …", "Staff who …"), the act in several verb forms (imperative, -kan/-i,
passive di-, noun forms, chat spellings, English), the office that would learn it, in either
order, in one sentence or split over two, inside a friendly greeting or not, with {nama}
placeholders. Harmless texts are the same acts promised away, warned against or denied
("Kami tidak akan meminta …", "Jangan …", "Jika ada yang meminta …, tolak"), and the approved
asks (fill it in from one's own experience, recognise the invitation, register, stop).

The generator is seeded, so a failure can be reproduced; it is a tuning aid and a floor, not
a held-out measure (the held-out sets are tests/data/integrity_dev2.toml and the blind sets).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Generated:
    text: str
    label: str  # forbidden | harmless
    kind: str


# --- parts, Indonesian (formal and chat) and English ---------------------------------------

SURVEY = ["survei SPI", "SPI", "survei KPK", "survei integritas", "Survei Penilaian Integritas",
          "SPI 2026", "survei SPI dari KPK", "kuesioner SPI"]
SURVEY_CHAT = ["spi", "survei spi", "survei kpk", "spi kpk", "survey spi"]
SURVEY_EN = ["the SPI survey", "the KPK survey", "the integrity survey", "the SPI questionnaire"]

INVITE = ["undangan SPI", "link survei SPI", "WA dari KPK", "pesan dari SPI by KPK",
          "email undangan survei integritas", "tautan survei KPK", "undangan survei KPK",
          "blast WA SPI"]
INVITE_CHAT = ["link spi", "wa dr kpk", "undangan spi", "notif spi", "link survei kpk"]
INVITE_EN = ["the SPI invitation", "the KPK survey link", "the survey email from KPK",
             "the WhatsApp message from KPK"]

OFFICE = ["admin", "sekretariat", "kasubag umum", "atasan langsung", "bagian kepegawaian",
          "ketua tim", "operator kantor", "koordinator unit", "Pak Kabid", "Bu Sekretaris",
          "subbag TU", "grup kantor", "pimpinan unit"]
OFFICE_CHAT = ["admin", "gw", "sy", "grup", "ketua tim", "bos", "kasubag", "pak kabid"]
OFFICE_EN = ["HR", "your supervisor", "the secretariat", "your line manager", "the admin",
             "your team lead", "the office"]

# (who: a group named by participation; cond: the same as a condition)
STATUS_ID = [
    ("yang sudah menerima {inv}", "jika sudah menerima {inv}", "receipt"),
    ("yang telah mendapat {inv}", "bila telah mendapat {inv}", "receipt"),
    ("yang HP-nya sudah kedatangan {inv}", "kalau {inv} sudah masuk", "receipt"),
    ("yang belum menerima {inv}", "apabila {inv} belum diterima", "receipt"),
    ("yang terpilih menjadi responden {survey}", "jika terpilih sebagai responden {survey}",
     "selection"),
    ("yang masuk sampel {survey}", "bila termasuk sampel {survey}", "selection"),
    ("yang ditunjuk KPK sebagai responden", "jika ditunjuk sebagai responden {survey}",
     "selection"),
    ("yang sudah mengisi {survey}", "setelah mengisi {survey}", "completion"),
    ("yang telah menyelesaikan {survey}", "begitu selesai mengisi {survey}", "completion"),
    ("yang sudah submit {survey}", "sesudah submit {survey}", "completion"),
]
STATUS_CHAT = [
    ("yg udh dpt {inv}", "kl udh dapet {inv}", "receipt"),
    ("yg blm dapet {inv}", "klo {inv} blm masuk", "receipt"),
    ("yg kepilih jd responden {survey}", "kalo kepilih jd responden {survey}", "selection"),
    ("yg kena sampel {survey}", "klo kena sampel {survey}", "selection"),
    ("yg udh isi {survey}", "abis ngisi {survey}", "completion"),
    ("yg udah kelar {survey}", "kl udh beres ngisi {survey}", "completion"),
]
STATUS_EN = [
    ("who have received {inv}", "once {inv} reaches you", "receipt"),
    ("who have not yet received {inv}", "if {inv} has not arrived", "receipt"),
    ("who were selected as respondents for {survey}", "if you were picked for {survey}",
     "selection"),
    ("who have completed {survey}", "once you have completed {survey}", "completion"),
    ("who already filled in {survey}", "after you finish {survey}", "completion"),
]

REPORT_ID = ["lapor ke {office}", "melapor kepada {office}", "melaporkannya ke {office}",
             "konfirmasi ke {office}", "mengonfirmasi kepada {office}", "kabari {office}",
             "mengabari {office}", "memberi tahu {office}", "memberitahukan kepada {office}",
             "menginformasikan ke {office}", "japri {office}", "menyampaikan ke {office}",
             "menghubungi {office} untuk didata", "menuliskan nama di daftar {office}",
             "membalas YA di grup", "mengetik SUDAH di grup ini",
             "mencentang nama di lembar {office}", "menyetorkan nama ke {office}"]
REPORT_CHAT = ["lapor {office}", "kabarin {office}", "japri {office}", "infoin ke {office}",
               "bales YA di grup", "ketik udh di grup", "absen di grup", "colek {office}",
               "drop nama di grup", "kasih tau {office}"]
REPORT_EN = ["let {office} know", "notify {office}", "tell {office}", "report to {office}",
             "reply YES in the group", "confirm with {office}", "drop your name in the chat",
             "check in with {office}", "register your name with {office}"]

REPORT_NOUN_ID = [
    "Mohon laporan penerimaan {inv} disampaikan ke {office}.",
    "Konfirmasi penerimaan {inv} ditunggu oleh {office} hari ini.",
    "Laporan keikutsertaan dalam {survey} agar disampaikan kepada {office}.",
    "Rekap pegawai yang sudah mengisi {survey} dikirim ke {office} setiap Jumat.",
    "Data responden {survey} yang telah mengisi dihimpun oleh {office}.",
    "Penerimaan {inv} oleh pegawai agar diinformasikan kepada {office}.",
    "Status pengisian {survey} masing-masing pegawai dilaporkan ke {office}.",
    "Nama-nama yang terpilih sebagai responden {survey} diserahkan kepada {office}.",
]

FORWARD_ID = ["teruskan {inv} ke {office}", "forward {inv} ke {office}",
              "kirimkan {inv} yang diterima ke {office}", "bagikan {inv} ke {office}",
              "share {inv} ke {office}", "meneruskan {inv} kepada {office}"]
FORWARD_PASSIVE_ID = ["{Inv} yang diterima pegawai diteruskan ke {office}.",
                      "{Inv} yang masuk agar dikirimkan ulang ke {office}.",
                      "{Inv} harap di-forward ke {office} untuk diverifikasi."]
FORWARD_EN = ["forward {inv} to {office}", "share {inv} with {office}",
              "send {inv} you received to {office}"]

ANSWERS_ID = ["kirim jawaban {survey} ke {office}", "tunjukkan jawaban {survey} kepada {office}",
              "catat jawaban {survey} lalu serahkan ke {office}",
              "diskusikan jawaban {survey} dengan {office} sebelum submit",
              "share jawaban {survey} di grup", "setor pilihan jawaban {survey} ke {office}",
              "menyerahkan hasil isian {survey} kepada {office}"]
ANSWERS_PASSIVE_ID = ["Jawaban {survey} dikoordinasikan dulu dengan {office}.",
                      "Hasil isian {survey} tiap pegawai dikumpulkan oleh {office}.",
                      "Jawaban {survey} Bapak/Ibu akan diperiksa {office} sebelum dikirim."]
ANSWERS_EN = ["send your answers to {survey} to {office}", "show {office} your answers",
              "run your answers past {office} before you submit"]

PROOF_ID = ["kirim screenshot halaman terakhir {survey} ke {office}",
            "foto layar bukti pengisian {survey} lalu kirim ke {office}",
            "unggah bukti sudah mengisi {survey} ke drive {office}",
            "tunjukkan halaman selesai {survey} kepada {office}",
            "lampirkan tangkapan layar {survey} dalam laporan ke {office}"]
PROOF_PASSIVE_ID = ["Bukti pengisian {survey} diserahkan ke {office} paling lambat Kamis.",
                    "Tangkapan layar {survey} yang sudah diisi dikumpulkan oleh {office}.",
                    "Bukti telah mengisi {survey} menjadi syarat absen pulang."]
PROOF_EN = ["send a screenshot of the completion page to {office}",
            "show {office} the final screen of {survey}",
            "attach a photo of the thank-you page of {survey} to your report"]

FORM = ["daftar hadir", "absen", "Google Form kantor", "form pendataan responden",
        "formulir latihan", "kuesioner internal", "presensi", "lembar simulasi jawaban"]
FORM_FIRST_ID = ["Isi dulu {form} sebelum mengerjakan {survey}.",
                 "Sebelum mengisi {survey}, wajib isi {form} terlebih dahulu.",
                 "Mohon lengkapi {form} dulu, baru buka {inv}.",
                 "{Form} harus diisi sebelum {survey} dikerjakan.",
                 "Tulis nama dan NIP di {form} sebelum klik {inv}."]
FORM_FIRST_EN = ["Please complete the {form_en} before you open {survey}.",
                 "Sign the {form_en} first, then start {survey}.",
                 "Before answering {survey}, fill in our {form_en}."]
FORM_EN = ["attendance sheet", "internal form", "practice questionnaire", "sign-in list"]

PLACE = ["aula", "ruang rapat", "ruang kasubag", "lab komputer", "musala", "balai desa",
         "ruang pertemuan lantai 2", "pantry"]
GATHER_ID = ["Besok jam 9 kita isi {survey} bersama di {place}.",
             "Pengisian {survey} dilakukan serentak di {place} setelah apel.",
             "Responden {survey} berkumpul di {place} untuk mengisi bersama-sama.",
             "Yuk ngisi {survey} bareng di {place}, bawa HP masing-masing.",
             "Kami siapkan pendamping di {place} untuk pengisian {survey}.",
             "Hadir di {place} pukul 10 untuk sesi pengisian {survey}."]
GATHER_EN = ["Let's all complete {survey} together in the {place_en} at 10.",
             "There will be a guided {survey} session in the {place_en} on Monday.",
             "Please come to the {place_en} to fill in {survey} as a team."]
PLACE_EN = ["meeting room", "hall", "training room"]

STAKE = ["kantor kita", "unit kita", "dinas kita", "instansi kita", "puskesmas kita",
         "kecamatan kita"]
RATING_ID = ["Beri nilai terbaik untuk {stake} di {survey}.",
             "Jawab {survey} yang baik-baik saja demi nama baik {stake}.",
             "Pilih jawaban positif agar {stake} masuk zona hijau.",
             "Jangan beri penilaian buruk tentang {stake} di {survey}.",
             "Tentu Bapak/Ibu puas dengan pelayanan {stake}, bukan? Jangan lupa isi {survey}.",
             "Kami yakin Bapak/Ibu tidak pernah melihat pungli di {stake}. Isi {survey} ya.",
             "Semoga penilaian Bapak/Ibu di {survey} mencerminkan kerja keras {stake}.",
             "Untuk pertanyaan tentang gratifikasi di {survey}, jawab tidak pernah saja.",
             "Predikat {stake} ditentukan jawaban kalian di {survey}, paham ya.",
             "Samakan jawaban {survey} dengan rekan satu tim.",
             "Hindari jawaban negatif di {survey} supaya skor {stake} tidak turun."]
RATING_EN = ["Please rate our office highly in {survey}.",
             "I'm sure you'll agree our service has been excellent; keep that in mind in "
             "{survey}.",
             "Let's make sure {survey} shows how good our unit is.",
             "Avoid negative answers in {survey} so our score stays green."]

MONITOR_ID = ["{Office} akan mendata siapa yang sudah mengisi {survey}.",
              "Nama pegawai yang belum mengisi {survey} akan dicatat oleh {office}.",
              "Progres pengisian {survey} per bidang direkap setiap Senin.",
              "Kami pantau siapa saja yang sudah isi {survey}.",
              "Sampai hari ini baru 14 dari 52 pegawai yang mengisi {survey}.",
              "{Office} akan menanyakan satu per satu apakah sudah mengisi {survey}.",
              "Daftar yang belum mengisi {survey} akan diumumkan saat apel."]
MONITOR_EN = ["{Office_en} will keep track of who has completed {survey}.",
              "A list of staff who have not done {survey} will be shared at the meeting.",
              "We are monitoring {survey} completion unit by unit."]

SANCTION = ["dipanggil atasan", "mendapat teguran", "dicatat dalam penilaian kinerja",
            "ditunda kenaikan pangkatnya", "dipotong tunjangannya", "dievaluasi pimpinan",
            "didata dan dilaporkan ke Bupati", "diberi sanksi disiplin"]
THREAT_ID = ["Pegawai yang tidak mengisi {survey} akan {sanction}.",
             "Yang belum mengisi {survey} sampai Jumat akan {sanction}.",
             "Pengisian {survey} wajib bagi seluruh pegawai tanpa kecuali.",
             "Keikutsertaan dalam {survey} akan dievaluasi oleh pimpinan.",
             "Ketidakikutsertaan dalam {survey} akan menjadi catatan kinerja.",
             "Jika tidak mengisi {survey}, Anda akan {sanction}.",
             "Mengisi {survey} adalah perintah langsung Kepala Dinas."]
THREAT_EN = ["Staff who do not complete {survey} will be reported to the director.",
             "Completing {survey} is mandatory for all employees.",
             "Participation in {survey} will count in your performance review."]

REQUEST_ID = ["Mohon", "Dimohon", "Harap", "Tolong", "Diminta", "Silakan", "Kami minta",
              "Diharapkan"]
REQUEST_CHAT = ["tolong", "tlg", "plis", "mhn", "", "jgn lupa"]
REQUEST_EN = ["Please", "Kindly", "You are asked to", "We ask you to"]
ADDRESS_ID = ["Bapak/Ibu", "Rekan-rekan", "Seluruh pegawai", "Para responden", "Saudara",
              "Teman-teman"]
ADDRESS_CHAT = ["gaes", "temen2", "rekan2", "guys", ""]
ADDRESS_EN = ["Staff", "Colleagues", "Everyone", "All employees"]
GREETING_ID = ["", "", "Selamat pagi Bapak/Ibu. ", "Assalamualaikum. ",
               "Halo {nama} di {unit}, ", "Yth. rekan-rekan, ",
               "Selamat siang, semoga sehat selalu. SPI 2026 sudah berjalan. "]
GREETING_EN = ["", "Dear colleagues, ", "Hi {nama}, ", "Good morning team. "]
CLOSING_ID = ["", "", " Terima kasih.", " Salam integritas.", " 🙏", " Terima kasih atas "
              "kerja samanya."]
CLOSING_EN = ["", " Thank you.", " Thanks!"]


def _pick(rng: random.Random, items: list[str]) -> str:
    return rng.choice(items)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(rng: random.Random, template: str, chat: bool = False, en: bool = False) -> str:
    survey = _pick(rng, SURVEY_EN if en else SURVEY_CHAT if chat else SURVEY)
    invite = _pick(rng, INVITE_EN if en else INVITE_CHAT if chat else INVITE)
    office = _pick(rng, OFFICE_EN if en else OFFICE_CHAT if chat else OFFICE)
    values = {"survey": survey, "inv": invite, "Inv": _cap(invite), "office": office,
              "Office": _cap(office), "Office_en": _cap(_pick(rng, OFFICE_EN)),
              "form": _pick(rng, FORM), "Form": _cap(_pick(rng, FORM)),
              "form_en": _pick(rng, FORM_EN), "place": _pick(rng, PLACE),
              "place_en": _pick(rng, PLACE_EN), "stake": _pick(rng, STAKE),
              "sanction": _pick(rng, SANCTION)}
    for _ in range(2):  # parts may hold slots of their own ("yang … {inv}")
        template = template.format_map(_Keep(values))
    return template


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _wrap(rng: random.Random, text: str, en: bool = False) -> str:
    greeting = _pick(rng, GREETING_EN if en else GREETING_ID)
    closing = _pick(rng, CLOSING_EN if en else CLOSING_ID)
    if greeting.endswith(", "):
        text = text[:1].lower() + text[1:] if not text.startswith(("SPI", "KPK")) else text
    return f"{greeting}{text}{closing}"


# --- forbidden ------------------------------------------------------------------------------

def _report(rng: random.Random) -> Generated:
    style = rng.randrange(6)
    if style == 0:  # group first, formal: "Bapak/Ibu yang sudah menerima …, mohon lapor ke …"
        who, _, kind = _pick(rng, STATUS_ID)
        text = (f"{_pick(rng, ADDRESS_ID)} {who}, {_pick(rng, REQUEST_ID).lower()} "
                f"{_pick(rng, REPORT_ID)}.")
    elif style == 1:  # condition first
        _, cond, kind = _pick(rng, STATUS_ID)
        text = f"{_cap(cond)}, {_pick(rng, REQUEST_ID).lower()} {_pick(rng, REPORT_ID)}."
    elif style == 2:  # ask first, condition after
        _, cond, kind = _pick(rng, STATUS_ID)
        text = f"{_pick(rng, REQUEST_ID)} {_pick(rng, REPORT_ID)} {cond}."
    elif style == 3:  # chat
        who, cond, kind = _pick(rng, STATUS_CHAT)
        head = who if rng.random() < 0.5 else cond
        text = f"{_pick(rng, ADDRESS_CHAT)} {head} {_pick(rng, REQUEST_CHAT)} " \
               f"{_pick(rng, REPORT_CHAT)} ya".strip()
        return Generated(_fill(rng, " ".join(text.split()), chat=True), "forbidden", kind)
    elif style == 4:  # English
        who, cond, kind = _pick(rng, STATUS_EN)
        if rng.random() < 0.5:
            text = f"{_pick(rng, ADDRESS_EN)} {who} — {_pick(rng, REQUEST_EN).lower()} " \
                   f"{_pick(rng, REPORT_EN)}."
        else:
            text = f"{_pick(rng, REQUEST_EN)} {_pick(rng, REPORT_EN)} {cond}."
        return Generated(_wrap(rng, _fill(rng, text, en=True), en=True), "forbidden", kind)
    else:  # noun forms and passives
        text = _pick(rng, REPORT_NOUN_ID)
        kind = "completion" if "mengisi" in text or "keikutsertaan" in text else (
            "selection" if "terpilih" in text else "receipt")
    return Generated(_wrap(rng, _fill(rng, text)), "forbidden", kind)


def _split_report(rng: random.Random) -> Generated:
    """The status asked in one sentence, the report in the next."""
    question = _pick(rng, ["Sudah menerima {inv}?", "Apakah {inv} sudah masuk?",
                           "Sudah isi {survey}?", "Siapa yang terpilih jadi responden "
                           "{survey}?", "Udh dpt {inv}?", "{Inv} sudah sampai?"])
    ask = _pick(rng, ["Mohon kabari {office}.", "Silakan lapor ke {office}.", "Bls ya.",
                      "Japri {office} ya.", "Konfirmasi ke {office} hari ini.",
                      "Tolong info di grup.", "Balas SUDAH atau BELUM."])
    return Generated(_wrap(rng, _fill(rng, f"{question} {ask}")), "forbidden", "receipt")


def _forward(rng: random.Random) -> Generated:
    style = rng.randrange(3)
    if style == 0:
        text = f"{_pick(rng, REQUEST_ID)} {_pick(rng, FORWARD_ID)}."
    elif style == 1:
        text = _pick(rng, FORWARD_PASSIVE_ID)
    else:
        text = f"{_pick(rng, REQUEST_EN)} {_pick(rng, FORWARD_EN)}."
        return Generated(_wrap(rng, _fill(rng, text, en=True), en=True), "forbidden",
                         "forward")
    return Generated(_wrap(rng, _fill(rng, text)), "forbidden", "forward")


def _answers(rng: random.Random) -> Generated:
    style = rng.randrange(3)
    if style == 0:
        text = f"{_pick(rng, REQUEST_ID)} {_pick(rng, ANSWERS_ID)}."
    elif style == 1:
        text = _pick(rng, ANSWERS_PASSIVE_ID)
    else:
        text = f"{_pick(rng, REQUEST_EN)} {_pick(rng, ANSWERS_EN)}."
        return Generated(_wrap(rng, _fill(rng, text, en=True), en=True), "forbidden",
                         "answers")
    return Generated(_wrap(rng, _fill(rng, text)), "forbidden", "answers")


def _proof(rng: random.Random) -> Generated:
    style = rng.randrange(3)
    if style == 0:
        text = f"{_pick(rng, REQUEST_ID)} {_pick(rng, PROOF_ID)}."
    elif style == 1:
        text = _pick(rng, PROOF_PASSIVE_ID)
    else:
        text = f"{_pick(rng, REQUEST_EN)} {_pick(rng, PROOF_EN)}."
        return Generated(_wrap(rng, _fill(rng, text, en=True), en=True), "forbidden", "proof")
    return Generated(_wrap(rng, _fill(rng, text)), "forbidden", "proof")


def _simple(kind: str, indonesian: list[str], english: list[str]) -> Callable[
        [random.Random], Generated]:
    def make(rng: random.Random) -> Generated:
        if rng.random() < 0.75:
            return Generated(_wrap(rng, _fill(rng, _pick(rng, indonesian))), "forbidden", kind)
        return Generated(_wrap(rng, _fill(rng, _pick(rng, english), en=True), en=True),
                         "forbidden", kind)
    return make


FORBIDDEN: list[Callable[[random.Random], Generated]] = [
    _report, _report, _report, _split_report, _forward, _answers, _proof,
    _simple("form_first", FORM_FIRST_ID, FORM_FIRST_EN),
    _simple("gathering", GATHER_ID, GATHER_EN),
    _simple("rating", RATING_ID, RATING_EN),
    _simple("monitoring", MONITOR_ID, MONITOR_EN),
    _simple("threat", THREAT_ID, THREAT_EN),
]

# --- harmless: the same acts promised away, warned against, or denied -------------------------

ACT_INFINITIVE_ID = ["melapor ke {office}", "mengonfirmasi penerimaan {inv}",
                     "memberi tahu {office} bahwa Anda sudah mengisi",
                     "meneruskan {inv} ke {office}", "mengirim jawaban {survey}",
                     "mengirim screenshot {survey}", "mengisi daftar hadir sebelum {survey}",
                     "berkumpul untuk mengisi {survey} bersama",
                     "memberi nilai baik untuk kantor", "menyebutkan apakah Anda terpilih",
                     "membalas YA atau SUDAH", "menunjukkan bukti pengisian {survey}"]
ACT_IMPERATIVE_ID = ["kirim screenshot {survey} ke siapa pun", "lapor ke {office}",
                     "teruskan {inv} ke grup", "tunjukkan jawaban Anda kepada atasan",
                     "isi daftar hadir untuk {survey}", "berkumpul untuk mengisi bersama",
                     "balas YA kepada yang menanyakan {survey}"]
ACT_EN = ["report that you received {inv}", "send a screenshot of {survey}",
          "forward {inv}", "tell anyone whether you took part",
          "share your answers", "sign an attendance list for {survey}"]
HARMLESS_ID = [
    "Kami tidak akan meminta Anda {act}.",
    "Anda tidak perlu {act}.",
    "Tidak ada kewajiban {act}.",
    "Jangan {imp}.",
    "Jika ada yang meminta Anda {act}, tolak saja karena itu melanggar aturan SPI.",
    "Bila ada pihak yang menyuruh Anda {act}, laporkan ke KPK di 198.",
    "Inspektorat tidak akan meminta siapa pun {act}.",
    "Kami tidak akan menanyakan apakah Anda menerima {inv}, terpilih, atau sudah mengisi.",
    "Tidak ada yang mendata, mencatat, atau mengevaluasi siapa yang mengisi {survey}.",
    "Tidak ada sanksi bagi yang tidak mengisi {survey}.",
    "Silakan isi {survey} sesuai pengalaman Anda sendiri.",
    "Bila menerima {inv}, silakan isi langsung di spi.kpk.go.id.",
    "Undangan {survey} yang asli datang dari akun SPI by KPK bercentang biru.",
    "Pastikan tautan {survey} mengarah ke spi.kpk.go.id.",
    "Pengguna layanan dapat mendaftar sebagai calon responden lewat QR di loket.",
    "Balas STOP bila tidak ingin menerima pengingat ini lagi.",
    "{Survey} bersifat sukarela dan rahasia; jawaban Anda hanya diterima KPK.",
    "Waspadai pesan yang meminta transfer atau kode OTP atas nama {survey}.",
]
HARMLESS_EN = [
    "We will never ask you to {act}.",
    "You do not need to {act}.",
    "Please do not {act}.",
    "If anyone asks you to {act}, please decline and report it to KPK on 198.",
    "Nobody at the office will check whether you completed {survey}.",
    "If you receive {inv}, please fill it in from your own experience.",
    "Reply STOP to stop these reminders.",
]


def _harmless(rng: random.Random) -> Generated:
    if rng.random() < 0.75:
        template = _pick(rng, HARMLESS_ID)
        text = template.replace("{act}", _pick(rng, ACT_INFINITIVE_ID)).replace(
            "{imp}", _pick(rng, ACT_IMPERATIVE_ID))
        text = text.replace("{Survey}", _cap(_pick(rng, SURVEY)))
        return Generated(_wrap(rng, _fill(rng, text)), "harmless", "generated")
    text = _pick(rng, HARMLESS_EN).replace("{act}", _pick(rng, ACT_EN))
    return Generated(_wrap(rng, _fill(rng, text, en=True), en=True), "harmless", "generated")


def generate(seed: int, forbidden: int, harmless: int) -> list[Generated]:
    """`forbidden` texts that ask a forbidden act and `harmless` ones, reproducibly."""
    rng = random.Random(seed)
    out = [rng.choice(FORBIDDEN)(rng) for _ in range(forbidden)]
    out += [_harmless(rng) for _ in range(harmless)]
    return [Generated(" ".join(g.text.split()), g.label, g.kind) for g in out]
