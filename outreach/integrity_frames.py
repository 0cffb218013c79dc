"""The broadcast integrity check's policy frames: predicates over a sentence that hold whatever
the words.

Beyond word pairs, the check reads policy frames: an act asked on condition of having taken
part ("setelah isi, WA saya", `_asks_on_condition`), a group named by participation and then
asked anything ("yg ketiban sampel, kumpul di ...", `_acts_of_participants`), a question
about one's participation followed by any ask beyond filling in (`_asks_beyond_filling`),
anything about the survey directed to the office ("... ke admin", `_directed_to_office`),
answers tied to the office's good or score (asked for or warned off alike, `_rating`),
participation watched, counted or rewarded, and consequences for not taking part (`_threat`,
`_consequence_for_non_participants`). An ask split over sentences is read as participation
named in one and a report asked in a neighbour (`_split_receipt`, `_split_appeal`,
`_split_duty`, `_split_sanction`).

The frames recognise anyone's participation conveyed to the office in any order ("Nama
responden yang telah mengisi dihimpun oleh subbag", `_participation_to_office`), whether
someone took part named as something to tell, coaching by suggestion (the office's good
presumed, its merit to be reflected or shown, the office declared clean, in-group appeals,
the answer presumed known, waiting for the office's word), and pressure however veiled
(disappointment, shame, a summons, a requirement for pay). An ask about the survey must be
for an approved act (`_unapproved_ask`, `_allowed_asks`). A sentence whose act has an object
of its own and names nothing of the survey is another errand of the office (`_own_topic`).

The frames read words as outreach/integrity_reading.py tagged and scoped them, and the
verdict (outreach/integrity.py) combines them; names shared across the three modules keep
their leading underscore and are imported by name (why: integrity_reading.py's docstring).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from functools import lru_cache

from core.wording import Stemmer
from outreach.integrity_allow import is_bot_keyword, policy_word
from outreach.integrity_reading import (
    _ACT_TAGS,
    _ACTS,
    _AUTHORITIES,
    _CONDITION,
    _FAQ_OPENERS,
    _FEARS,
    _KNOWING,
    _PERMITS,
    _PROSPECTIVE,
    _SENDER,
    _SENTENCE_END,
    _SUPPOSING,
    _TAG_QUESTION,
    _WISHING,
    _clauses,
    _data,
    _english,
    _has,
    _is_clause_end,
    _passive,
    _segments,
    _stemmer,
    _Word,
)

_TARGET_WORDS = frozenset({"ke", "kepada", "to", "via", "melalui", "lewat", "di", "with",
                           "dengan", "pada", "sama", "at", "into", "in", "hubungi", "call"})
_WINDOW = 3  # words between a steer and "good": "pilih jawaban setuju"


# Asking to be contacted is how help is offered, not a report: "hubungi kami".
_CONTACT_ONLY = frozenset({"hubungi", "menghubungi", "contact", "call", "temui", "datang"})
# "balas pesan ini dengan kata SELESAI": words between the ask and the expected answer.
_REPLY_FILLER = frozenset({"pesan", "ini", "dengan", "kata", "with", "the", "word", "this",
                           "message", "here", "di", "sini", "saja", "aja", "just", "pesan ini",
                           "this message", "a", "an", "quick",
                           "'", '"', "tulisan", "bertuliskan"})


_WITH_OFFICE = frozenset({"ke", "kepada", "dengan", "sama", "to", "with", "pada", "bersama"})


def _answers_to_office(s: list[_Word]) -> bool:
    """The policy for answers: whatever the verb (consulted, discussed, checked, shown), the
    survey's answers taken to the office ("dengan atasan", "ke grup", "to your supervisor")
    in one clause, neither negated nor warned of, are out of the respondent's hands."""
    if any(w.tags & {"VIOLATION", "HELP"} for w in s):
        return False
    for clause in _clauses(s):
        if not any("ANSWERS" in w.tags and not w.off for w in clause):
            continue
        for k, w in enumerate(clause):
            if w.off or "LOCAL_PLACE" not in w.tags or "OFFICIAL_PLACE" in w.tags:
                continue
            if k > 0 and clause[k - 1].word in _WITH_OFFICE and not clause[k - 1].off:
                return True
    return False


def _imperative(s: list[_Word], verbs: list[_Word]) -> bool:
    """One of `verbs` opens its clause: "..., kabarin grup", "Lapor ke admin"."""
    for clause in _clauses(s):
        first = next((w for w in clause if w.word not in ("ya", "dong", "pls", "please")),
                     None)
        if first is not None and any(first is v for v in verbs):
            return True
    return False


def _office_survey(s: list[_Word]) -> bool:
    """A questionnaire that is the office's own: "our internal questionnaire", "survei
    simulasi kantor", "kuesioner dari kantor"."""
    for i, w in enumerate(s):
        if w.off or not w.tags & {"SURVEY", "FORM"}:
            continue
        near = s[max(0, i - 3):i] + s[i + 1:i + 4]
        if any(not x.off and (x.tags & {"STAKE", "LOCAL_PLACE", "FORM"}
                              or x.word in ("internal", "our", "kantor"))
               and "OFFICIAL_PLACE" not in x.tags for x in near):
            return True
    return False


def _yours(s: list[_Word], concept: str) -> bool:
    """"your answers", "jawaban Anda/kalian", "jawabanmu": the reader's own, active."""
    for i, w in enumerate(s):
        if w.off or concept not in w.tags:
            continue
        near = s[max(0, i - 1):i] + s[i + 1:i + 3]
        if "YOU" in w.tags or any("YOU" in x.tags or x.word in ("your", "ur", "mu")
                                  for x in near):
            return True
    return False


def _near(sentence: list[_Word], first: str, then: Iterable[str], window: int) -> bool:
    """`first` followed within `window` words (same clause) by one of `then`, both active."""
    wanted = set(then)
    for i, w in enumerate(sentence):
        if w.off or first not in w.tags or (
                first != "NEGATOR_STRONG" and "NEGATOR_STRONG" in w.tags):
            continue  # "tidak ada target nilai": the negation, not an answer "tidak ada"
        for x in sentence[i + 1:i + 1 + window]:
            if _is_clause_end(x):
                break
            if not x.off and x.tags & wanted:
                return True
    return False


def _targets(sentence: list[_Word], concept: str) -> bool:
    """A place of this kind named as where something goes: "ke admin", "to 198"."""
    # "di survei KPK" is about the survey, not a place answers go to.
    marks = _TARGET_WORDS - {"di", "at", "in", "dengan", "with", "sama"} \
        if concept == "OFFICIAL_PLACE" else _TARGET_WORDS
    for i, w in enumerate(sentence):
        # "teruskan ke bot ini, bukan ke atasan": a place negated is where nothing goes.
        if concept in w.tags and not (w.off and concept == "LOCAL_PLACE") and any(
                x.word in marks for x in sentence[max(0, i - 2):i]):
            return True
    return False


def _reply_ask(sentence: list[_Word]) -> bool:
    """"Balas YA", "Reply 1", "ketik SUDAH": an ask to answer yes or no."""
    for i, w in enumerate(sentence):
        if w.off or "REPLY" not in w.tags:
            continue
        after = [x for x in sentence[i + 1:i + 6] if x.word not in _REPLY_FILLER]
        if after and "REPLY_TOKEN" in after[0].tags:
            return True
    return False


# "Together" may be how filling in is done or how a goal is shared ("mari bersama-sama
# sukseskan SPI"): it gathers people only next to the filling in.
_WEAK_GATHER = frozenset({"bersama", "together", "sama-sama", "sama", "bareng"})


# Words for a session held to fill the survey in ("sesi pengisian", "a guided survey
# session", "pendampingan SPI"), unlike a talk about it ("sosialisasi SPI").
_SESSION = frozenset({"sesi", "session", "sessions", "pendampingan", "didampingi", "guided",
                      "dipandu", "bimbingan", "klinik", "posko", "corner", "booth", "pojok",
                      "nobar", "assisted", "workshop"})


def _survey_session(s: list[_Word]) -> bool:
    """A session, desk or guided sitting named next to the survey: people are gathered to
    fill it in, whatever verb is used."""
    for i, w in enumerate(s):
        if w.off or w.word not in _SESSION:
            continue
        if any(not x.off and x.tags & {"SURVEY", "FILL"} for x in s[max(0, i - 4):i + 5]):
            return True
    return False


def _self_check(s: list[_Word]) -> bool:
    """"Periksa kembali jawaban Anda sebelum submit": the reader checks their own answers."""
    for clause in _clauses(s):
        first = next((w for w in clause if w.word not in _IMPERATIVE_FILLER
                      and not w.tags & {"REQUEST"}), None)
        if first is not None and first.tags & {"MONITOR", "MONITOR_WEAK"} \
                and not _passive(first.word) and _yours(clause, "ANSWERS") \
                and not _has(clause, "LOCAL_PLACE", "PEOPLE", "GATHER"):
            return True
    return False


_HANDLING = frozenset({"SEND", "COLLECT", "REPORT", "FORWARD", "MONITOR", "MONITOR_WEAK",
                       "COORDINATE"})


def _answers_handled(s: list[_Word]) -> bool:
    """Answers that someone else handles, in the passive, anywhere in their clause:
    "Hasil isian survei tiap pegawai dikumpulkan oleh subbag TU", "Jawaban Bapak/Ibu akan
    diperiksa pimpinan sebelum dikirim"."""
    for clause in _clauses(s):
        seen = False
        for w in clause:
            if not w.off and "ANSWERS" in w.tags:
                seen = True
            elif seen and not w.off and w.tags & _HANDLING and _passive(w.word):
                return True
    return False


_GROUP_NOUNS = frozenset({"responden", "respondents", "peserta", "participants", "pegawai",
                          "staff", "staf", "karyawan", "employees", "kami semua", "semua"})
_UNDER = frozenset({"bawah", "under"})
_OVERSEEING = frozenset({"arahan", "bimbingan", "pengawasan", "pendampingan", "supervisi",
                         "supervision", "guidance", "direction", "instruksi", "komando",
                         "koordinasi", "pantauan"})


def _people_assembled(s: list[_Word]) -> bool:
    """"Responden akan dikumpulkan per bidang lalu mengisi", "staff will be assembled",
    "mengisi di bawah arahan kepala bidang": people gathered, or filling in overseen by the
    office, as the passive or prepositional form of a gathering."""
    if not any(not x.off and "FILL" in x.tags for x in s):
        return False
    for i, w in enumerate(s):
        if w.off:
            continue
        if "COLLECT" in w.tags and (w.word.startswith("di") or w.word.endswith("ed")) and any(
                x.word in _GROUP_NOUNS or x.tags & {"PEOPLE", "SELECT"}
                for x in s[max(0, i - 4):i]):
            return True
        if w.word in _UNDER and i + 1 < len(s) and s[i + 1].word.startswith(tuple(_OVERSEEING)) \
                and any("LOCAL_PLACE" in x.tags and not x.tags & {"OFFICIAL_PLACE", "KPK"}
                        for x in s[i + 1:i + 6]):
            return True
    return False


_DOCUMENTS = frozenset({"tabel", "table", "spreadsheet", "sheet", "lembar", "rekap", "matriks",
                        "matrix", "excel", "gform", "kolom", "column", "isian", "borang"})
_MATCHING = frozenset({"sesuai", "sama", "same", "persis", "according", "matching", "salin",
                       "copy", "seperti"})


def _answers_copied(s: list[_Word]) -> bool:
    """"Isi tabel berikut sesuai pilihan Anda di survei", "fill in this sheet with the same
    options you chose": a document of the office's filled with the survey's answers."""
    if _has(s, "NEUTRAL", "VIOLATION", "REGISTRATION"):
        return False
    for i, w in enumerate(s):
        if w.off or not ("FORM" in w.tags or w.word in _DOCUMENTS):
            continue
        if not any("FILL" in x.tags and not x.off for x in s[max(0, i - 3):i + 1]):
            continue
        rest = s[i + 1:i + 10]
        if any(x.word in _MATCHING for x in rest) and any("ANSWERS" in x.tags for x in rest) \
                and _has(s, "SURVEY", "KPK"):
            return True
    return False


def _gathered(s: list[_Word]) -> bool:
    if _people_assembled(s):
        return True
    for i, w in enumerate(s):
        if w.off or "GATHER" not in w.tags:
            continue
        if w.word not in _WEAK_GATHER:
            return True
        # "isi survei bareng", "bersama-sama mengisi"; but in "jaga integritas bersama
        # dengan menjawab jujur" answering is the means, and no one is gathered.
        after = list(itertools.takewhile(lambda x: x.word not in ("dengan", "with", "by"),
                                         s[i + 1:i + 4]))
        if any(not x.off and "FILL" in x.tags for x in s[max(0, i - 3):i] + after):
            return True
    return False


def _embedded(s: list[_Word], at: int) -> bool:
    """"KPK merahasiakan siapa yang mengisi": a who-clause that is the object of a verb,
    in a sentence that asks nothing, is no question."""
    before = [w for w in s[:at] if not _is_clause_end(w)][-1:]
    if not before or _is_clause_end(s[at - 1]):
        return False
    return not before[0].tags & {"REQUEST", "REPORT", "YOU", "COND_EXISTS", "FRAME_ASK",
                                 "MONITOR", "MONITOR_WEAK", "WHO", "COLLECT", "LIST"} \
        and before[0].word not in _IMPERATIVE_FILLER | _KNOWING


def _own_act_of_group(s: list[_Word]) -> bool:
    """"Yang sudah terima undangan bisa cek keasliannya", "yang sudah mengisi dapat
    menghubungi inspektorat": every watching verb is what the group itself may do (after
    "dapat", "bisa", "boleh"), not someone watching the group."""
    watching = [k for k, w in enumerate(s) if not w.off and "MONITOR" in w.tags]
    return bool(watching) and all(
        any(x.word in _PERMITS and x.word not in ("mendapat", "mendapatkan", "memperoleh",
                                                  "dapet", "get", "gets", "receive")
            for x in s[max(0, k - 2):k])
        and not _passive(s[k].word) and not s[k].word.startswith("ter")
        and not any(x.word in ("oleh", "by") for x in s[k + 1:])
        and any(x.tags & {"RELATIVE", "WHO"} for x in s[:k]) for k in watching)


_ADVERBS = frozenset({"langsung", "segera", "juga", "lagi", "pun", "directly", "also", "now",
                      "sekarang", "hari", "ini", "to", "a", "an", "the", "sebuah", "satu"})
_STILL_SURVEY = frozenset({"FILL", "SURVEY", "INVITE", "HELP", "ALLOWED_ASK", "OFFICIAL_PLACE",
                           "KPK", "NEGATOR", "NEGATOR_STRONG", "THIS_MESSAGE", "IGNORE",
                           "REGISTRATION", "FRAME_ASK", "FILL_NOUN"})
_AT_EASE = frozenset({"berhenti", "stop", "tenang", "santai", "relax", "abaikan", "ignore",
                      "mengabaikan", "menghapus", "delete", "unsubscribe", "keluar"})


def _benefit_for_participants(s: list[_Word]) -> bool:
    """The policy for rewards, whatever the reward: those named by having taken part ("yang
    sudah mengisi", "those who have completed") granted anything but more of the survey
    ("boleh pulang lebih awal", "dapat nilai tambahan", "get Friday afternoon off")."""
    if _has(s, "THANKS", "VIOLATION", "HELP") or any(w.word == "?" for w in s):
        return False
    for i, w in enumerate(s):
        if w.off or not (w.tags & {"RELATIVE", "WHO"} or w.word in ("those", "anyone")) \
                or w.word in _CONDITION:
            continue
        group = list(itertools.takewhile(lambda x: not _is_clause_end(x), s[i + 1:i + 7]))
        took = next((k for k, x in enumerate(group, start=i + 1) if not x.off
                     and x.tags & {"FILL", "RECEIVE", "SELECT"}), None)
        status = _has(group, "STATUS") or any(x.word in (
            "who have", "who has", "paling", "pertama", "first", "duluan", "tercepat",
            "fastest", "earliest") for x in group)  # "yang paling cepat selesai"
        if took is None or not status or any(
                x.tags & {"STATUS_NOT", "NEGATOR", "NEGATOR_STRONG"} or x.word in _WISHING
                for x in group):
            continue
        for k in range(took + 1, min(took + 8, len(s))):
            x = s[k]
            if _is_clause_end(x) and x.word not in (",",):
                break
            if x.off or x.word not in _PERMITS:
                continue
            after = next((y for y in s[k + 1:k + 4] if y.word not in _ADVERBS), None)
            if after is None or after.off or _is_clause_end(after):
                return False
            stemmer = _stemmer()
            forms = {after.word, stemmer.stem(after.word), _english(after.word)}
            return not (after.tags & _STILL_SURVEY or after.word in _AT_EASE | _CONTACT_ONLY
                        or forms & (_AFTER_PARTICIPATION | _allowed_asks()))
    return False


# Politeness around the verb: "mohon kesediaan Bapak/Ibu mengisi", "mohon kiranya berkenan
# meluangkan waktu", "kami mohon bantuan dan dukungan Saudara untuk ..." .
_POLITE = frozenset({"kesediaan", "kesediaannya", "berkenan", "perkenan", "perkenankan",
                     "kiranya", "sudilah", "bantuan", "bantuannya", "dukungan", "dukungannya",
                     "kerelaan", "waktu", "waktunya", "perhatian", "kindly", "kind", "please",
                     "hormat", "dengan", "sekiranya", "bersedia", "willing", "be"})
_ASK_FILLER = _POLITE | frozenset({"anda", "kamu", "bapak", "ibu", "bapak/ibu", "untuk", "agar",
                                   "dapat",
                         "bisa", "segera", "dengan", "kepada", "yang", "para", "seluruh",
                         "semua", "all", "to", "you", "your", "do", "the", "kita", "kami",
                         "sekalian", "rekan", "rekan-rekan", "teman", "saudara", "sdr",
                         "sekali", "lagi", "juga", "kembali", "sudi", "kiranya",
                         "supaya", "now", "sekarang", "also", "just", "saja", "ya", "dong",
                         "kindly", "tetap", "selalu", "always", "still", "masih", "pegawai",
                         "staff", "asn", "responden", "langsung", "directly", "bersama",
                         "together", "sama"})


_EXHORTING = frozenset({"mari", "ayo", "yuk", "let's", "let us", "mari kita", "ayo kita"})


def _exhorts_about_survey(s: list[_Word], verb: _Word) -> bool:
    """"Mari jadikan SPI sebagai cermin", "Ayo maknai survei ini": an exhortation whose
    object is the survey itself, with no answers, proof, form, score or office in it."""
    at = next(k for k, x in enumerate(s) if x is verb)
    if not any(x.word in _EXHORTING for x in s[max(0, at - 3):at]):
        return False
    after = next((x for x in s[at + 1:at + 4] if x.word not in _ASK_FILLER), None)
    return after is not None and "SURVEY" in after.tags and not any(
        not x.off and (x.tags & {"ANSWERS", "PROOF", "FORM", "GATHER", "PLACE", "SCORE"}
                       or ("LOCAL_PLACE" in x.tags and "OFFICIAL_PLACE" not in x.tags))
        for x in s)


def _unapproved_ask(s: list[_Word]) -> bool:
    """The policy: an ask about the survey is for an approved act (fill it in from one's own
    experience, recognise the genuine invitation, register, stop, report scams to KPK)."""
    if not _has(s, "SURVEY", "INVITE", "FILL_NOUN") or _has(s, "REGISTRATION", "HELP"):
        return False
    allowed = _allowed_asks()
    stemmer = _stemmer()
    for verb in _requested_verbs(s):
        if verb.tags & (_ACTS | {"NEGATOR", "NEGATOR_STRONG", "AFFIRM", "THANKS"}):
            continue
        if _exhorts_about_survey(s, verb):
            continue  # "Mari jadikan SPI cermin perbaikan": the survey itself, valued
        if not {verb.word, stemmer.stem(verb.word), _english(verb.word)} & allowed:
            return True
    return False


_FILL_ASKS = frozenset({"isi", "jawab", "fill", "answer", "luang", "take", "complet",
                        "selesai", "ikut", "partisipasi", "berpartisipasi", "participat",
                        "cek", "periksa", "pasti", "check", "ensur", "make"})


def _requested_verbs(s: list[_Word]) -> list[_Word]:
    if s and s[-1].word == "?" and s[0].word in _FAQ_OPENERS:
        return []  # "Apa yang harus dilakukan jika menerima undangan?": asked, not asking
    verbs = []
    for i, w in enumerate(s):
        if w.off or "REQUEST" not in w.tags:
            continue
        verb = next((x for x in s[i + 1:i + 6] if x.word not in _ASK_FILLER
                     and "REQUEST" not in x.tags and "NAME" not in x.tags), None)
        if verb is not None and verb.tags & {"SURVEY", "INVITE", "ANSWERS", "PROOF",
                                             "FILL_NOUN"}:
            # "Sebaiknya survei diisi sendiri": the object fronted, its passive verb after.
            at = next(k for k, x in enumerate(s) if x is verb)
            verb = next((x for x in s[at + 1:at + 4] if x.word.isalpha() and (
                (x.word.startswith("di") and len(x.word) >= 5) or x.tags & _ACTS)), verb)
        if verb is not None and verb.word in _SUPPOSING | {"jika ada", "bila ada",
                                                          "kalau ada", "apabila ada"}:
            # "Silakan, jika dapat undangan SPI, diisi sesuai pengalaman": the condition is
            # passed over to the main clause that follows it.
            at = next(k for k, x in enumerate(s) if x is verb)
            comma = next((k for k in range(at + 1, len(s)) if s[k].word == ","), None)
            verb = None if comma is None else next(
                (x for x in s[comma + 1:comma + 6] if x.word not in _ASK_FILLER
                 and "REQUEST" not in x.tags and "NAME" not in x.tags), None)
        if verb is not None and not _is_clause_end(verb) and verb.word.isalpha():
            verbs.append(verb)
    return verbs


_IMPERATIVE_FILLER = _ASK_FILLER | frozenset({"then", "lalu", "terus", "kemudian", "tinggal",
                                              "please", "pls", "tolong", "mohon", "silakan",
                                              "harap", "segera", "just", "langsung", "dong"})
# What a reminder may ask of someone who received or filled in the survey.
_AFTER_PARTICIPATION = _FILL_ASKS | frozenset({
    "abai", "ignore", "simpan", "save", "verifikasi", "verify", "waspada", "tolak", "refus",
    "hapus", "delet", "baca", "read", "buka", "open", "klik", "click", "jaga", "keep",
    "tenang", "relax", "ingat", "remember", "pastikan", "terima", "thank", "luang", "sempat",
    "daftar", "mendaftar", "regist", "ajak", "imbau", "invit", "encourag", "undang",
    "jangan", "do", "don't", "never", "tidak", "jawab", "answer", "respond", "respon",
    "nilai", "rate"})  # bcast15: "bila menerima, silakan menilai layanan kami apa adanya"


# What, said after a group of participants, makes them do or go somewhere.
_GROUP_ACTS = frozenset({"REPORT", "REPLY", "SEND", "FORWARD", "COLLECT", "GATHER", "PLACE",
                         "PROOF", "MONITOR", "LOCAL_PLACE", "LIST", "ANSWERS", "FORM"})


_PARTICIPANT_NOUNS = frozenset({"penerima", "recipients", "recipient", "peserta",
                                "participants", "responden", "respondents"})


def _acts_of_participants(s: list[_Word]) -> bool:
    """"Yg udah dapat undangan survei, boleh colek saya", "yg ketiban sampel SPI, kumpul di
    ruang kasubag": people named by having received, filled in or been selected, then anything
    asked of them beyond filling it in (an act, a place, someone to go to)."""
    if _has(s, "THANKS", "VIOLATION") or not _has(s, "SURVEY", "INVITE", "KPK", "SELECT",
                                                  "SELECT_WEAK"):
        return False
    for i, w in enumerate(s):
        if "SELECT_WEAK" in w.tags and any(x.word in _PROSPECTIVE for x in s[max(0, i - 3):i]):
            continue  # "Registration as a prospective respondent", "pendaftaran responden"
        if not w.off and (w.word in _PARTICIPANT_NOUNS or "SELECT_WEAK" in w.tags) \
                and _has(s, "SURVEY", "INVITE", "KPK", "SELECT_WEAK"):
            ahead = [w]  # "penerima link SPI, kumpul di ruang rapat"
        elif w.off or not w.tags & {"RELATIVE", "WHO"} or w.word in _CONDITION:
            continue
        else:  # "yang namanya ada di daftar sampel KPK": the clause names the group
            ahead = list(itertools.takewhile(
                lambda x: not _is_clause_end(x) and "REQUEST" not in x.tags, s[i + 1:i + 9]))
        if not any(not x.off and x.tags & {"RECEIVE", "FILL", "SELECT", "SELECT_WEAK"}
                   for x in ahead):
            continue
        if any(x.tags & {"STATUS_NOT", "NEGATOR"} for x in ahead):
            continue  # "yang belum...": chasing them is monitoring, judged elsewhere
        clause_end = next((k for k in range(i + 1, len(s))
                           if _is_clause_end(s[k]) or "REQUEST" in s[k].tags), None)
        if clause_end is None:
            continue
        # A clause that negates its own verb ("kami di inspektorat tidak tahu ...") asks
        # the group nothing, whatever it names.
        rest = [x for c in _clauses(s[clause_end + 1:])
                if not any(y.tags & {"NEGATOR", "NEGATOR_STRONG"} for y in c)
                for x in c if not x.off]
        if any(x.tags & _GROUP_ACTS and not x.tags & {"OFFICIAL_PLACE"}
               and x.word not in _CONTACT_ONLY for x in rest):
            return True
        # Anything else asked of them but filling in: "harap siaga dan menunggu instruksi",
        # "diharapkan bergabung ke grup responden".
        stemmer = _stemmer()
        tail = s[clause_end:]
        for v in _requested_verbs(tail):
            at = next(k for k, x in enumerate(tail) if x is v)
            if any("OFFICIAL_PLACE" in x.tags and "LOCAL_PLACE" not in x.tags
                   for x in tail[at:at + 6]):
                continue  # "hubungi KPK di 198": KPK's own channels
            if not {v.word, stemmer.stem(v.word), _english(v.word)} \
                    & _AFTER_PARTICIPATION:
                return True
    return False


def _asks_on_condition(s: list[_Word]) -> bool:
    """"Once you finish the survey, mark it on the board", "kalau link sudah masuk, kabarin
    grup": an act asked of people on condition that they took part, so that whoever sees
    the act learns who took part. Only filling in, checking and ignoring may follow."""
    clauses = _clauses(s)
    conditional = None
    for k, clause in enumerate(clauses):
        for i, w in enumerate(clause):
            if w.word in _CONDITION and not w.off and any(
                    not x.off and x.tags & {"FILL", "RECEIVE", "SELECT"}
                    for x in clause[i + 1:i + 8]):  # "if the KPK survey invite has reached"
                conditional = k
                if i > 0:  # "post when you're done": the ask comes first
                    clauses = [*clauses[:k], clause[:i], clause[i:], *clauses[k + 1:]]
                    conditional = k + 1
                break
        if conditional is not None:
            break
    if conditional is None or not _has(s, "SURVEY", "INVITE", "KPK", "ITSELF", "SELECT",
                                       "SELECT_WEAK"):
        return False
    if not _has(s, "THANKS") and any(
            not w.off and (w.word in ("saya", "me") or (
                "LOCAL_PLACE" in w.tags and "OFFICIAL_PLACE" not in w.tags
                and w.word not in _SENDER))
            for c in clauses[conditional + 1:] for w in c):
        return True  # "setelah isi survei, langsung WA saya"
    stemmer = _stemmer()
    main = [w for c in clauses[:conditional] for w in c]
    if any(not w.off and w.tags & {"REPORT", "REPLY", "SEND", "FORWARD", "PROOF"}
           and not {w.word, stemmer.stem(w.word), _english(w.word)}
           & _AFTER_PARTICIPATION for w in main[-3:]):
        return True  # "post when you're done": the act just before its condition
    for clause in clauses[conditional + 1:] + clauses[:conditional]:
        first = next((w for w in clause if w.word not in _IMPERATIVE_FILLER
                      and not w.tags & {"REQUEST", "YOU", "NAME"}), None)
        if first is None or first.off or not first.word.isalpha():
            continue
        if not first.tags & (_ACTS | {"REPORT", "REPLY", "SEND", "PROOF", "GATHER"}):
            continue
        if _passive(first.word) and not _has(clause, "REQUEST") \
                and not first.tags & {"REPORT", "SEND", "FORWARD", "COLLECT", "PROOF"}:
            continue  # "…; responden dipilih acak": a statement, not an ask
        if not {first.word, stemmer.stem(first.word), _english(first.word)} \
                & _AFTER_PARTICIPATION:
            return True
    return False


def _asks_those_who_took_part(s: list[_Word]) -> bool:
    """"Yang sudah mengisi survei, silakan ...": people sorted by whether they took part,
    then asked for something other than filling it in."""
    if not (_has(s, "WHO") and any(w.word in ("sudah", "telah", "already") and not w.off
                                   for w in s)
            and _has(s, "FILL", "RECEIVE", "SELECT")):
        return False
    stemmer = _stemmer()
    return any(not {v.word, stemmer.stem(v.word), _english(v.word)} & _FILL_ASKS
               for v in _requested_verbs(s))


@lru_cache(maxsize=1)
def _allowed_asks() -> frozenset[str]:
    return frozenset(_data()["concepts"]["ALLOWED_ASK"])


_PROHIBITIONS = frozenset({"jangan", "janganlah", "do not", "don't", "dont", "never", "let us not",
                           "tidak usah", "tidak boleh", "hindari", "avoid"})


def _steered_either_way(s: list[_Word]) -> bool:
    """"Dimohon tidak memberikan jawaban yang merugikan instansi", "agar WBK tercapai,
    pastikan tidak ada jawaban negatif": answers tied to the office's good or harm, or to
    its score, asked for or warned off alike, unless honesty is what is asked."""
    if any(w.tags & {"NEUTRAL", "VIOLATION", "FRAME_ASK"} for w in s):
        return False
    # "Saya harap tidak ada yang mengisi survei dengan jawaban yang merugikan kantor": the
    # answering a negation holds back, anywhere in its clause, is answering steered too.
    answering = any(not w.off and w.tags & {"ANSWERS", "STEER"} for w in s) or any(
        w.tags & {"NEGATOR", "NEGATOR_STRONG"} and any(
            x.tags & {"ANSWERS", "STEER", "FILL"} for x in itertools.takewhile(
                lambda x: not _is_clause_end(x), s[k + 1:])) for k, w in enumerate(s))
    if not answering:
        return False  # neither asked for nor prohibited ("hindari jawaban negatif" is)
    if any(w.tags & {"NEGATOR", "NEGATOR_STRONG"} and any(
            x.tags & {"SCORE", "PURPOSE", "SUPPORT", "HARM"} for x in s[k + 1:k + 3])
           and not any(x.tags & {"SCORE", "STAKE"} for x in s[max(0, k - 2):k])
           for k, w in enumerate(s)):
        return False  # "tidak ada target skor": the target denied ("skor tidak turun" is one)
    tied = any(w.tags & {"SUPPORT", "HARM"} for w in s) and any("STAKE" in w.tags for w in s)
    scored = any("SCORE" in w.tags and "STEER" not in w.tags for w in s) and any(
        "PURPOSE" in w.tags for w in s)
    # "Kita ingin SPI kantor tahun ini hijau, jadi pas isi survei ...": the office's result
    # named by the category it should reach, in the sentence that asks for filling in.
    zoned = any(w.word in _CATEGORIES for w in s) and _has(s, "STAKE") \
        and _has(s, "SURVEY", "SCORE") and _has(s, "FILL", "STEER", "ANSWERS")
    return tied or scored or zoned


_CATEGORIES = frozenset({"hijau", "terjaga", "green", "zona hijau", "kategori hijau",
                         "safeguarded", "ijo"})


def _favourable(s: list[_Word]) -> bool:
    """A good word, or a bad one denied ("tidak pernah melihat pungli"), still standing."""
    if _has(s, "POSITIVE"):
        return True
    return any(w.tags & {"NEGATOR", "NEGATOR_STRONG"} and any(
        "NEGATIVE_CONTENT" in x.tags for x in s[k + 1:k + 5]) for k, w in enumerate(s))


def _presumed_good(s: list[_Word]) -> bool:
    """Coaching by suggestion, in a message about the survey: the office's good presumed
    rather than asked ("Tentu Bapak/Ibu puas dengan pelayanan kami, bukan?", "Kami yakin
    Anda tidak pernah melihat pungli di sini", "I'm sure you'll agree our service has been
    excellent"). Honesty asked in the same sentence ("kami yakin Anda menjawab jujur") is no
    suggestion."""
    if _has(s, "NEUTRAL") or not _has(s, "STAKE", "MERIT"):
        return False
    tag_question = any(w.word == "?" and k > 0 and s[k - 1].word in _TAG_QUESTION
                       for k, w in enumerate(s))
    return (tag_question or _has(s, "PRESUME")) and _favourable(s)


# Evaluative words for what an answer may say (not "ada", "pernah", "yes": too plain).
_PLAIN_NEGATIVES = frozenset({"ada", "pernah", "yes", "kurang", "kecil", "low", "lower"})
_WISHES = frozenset({"semoga", "harap", "kami harap", "hope", "moga", "mudah-mudahan"})


def _evaluative_negative(w: _Word) -> bool:
    return "NEGATIVE_CONTENT" in w.tags and w.word not in _PLAIN_NEGATIVES


def _answer_content_prohibited(s: list[_Word]) -> bool:
    """What an answer may not say: "jangan curhat di survei", "hindari jawaban negatif",
    "jawaban jangan yang negatif-negatif", "semoga tidak ada yang menjawab aneh-aneh".
    Not "jangan takut memberi penilaian negatif", nor honesty asked."""
    if _has(s, "NEUTRAL") or not any(w.tags & {"SURVEY", "ANSWERS", "STEER", "FILL"}
                                     for w in s):
        return False
    for i, w in enumerate(s):
        wished = w.word in ("tidak ada yang", "no one", "nobody") and any(
            x.word in _WISHES for x in s[max(0, i - 2):i])
        if not (w.word in _PROHIBITIONS or wished or w.word == "jangan sampai"):
            continue
        ahead = list(itertools.takewhile(lambda x: not x.tags & {"INVITE", "OTHER_LINK"},
                                         s[i + 1:i + 5]))  # "jgn klik link aneh2"
        if ahead and ahead[0].word in _FEARS:
            continue
        if any(_evaluative_negative(x) for x in ahead):
            return True
    return False


def _office_cleared(s: list[_Word]) -> bool:
    """The office declared clean in a message about the survey: "ingat saja bahwa di sini
    tidak pernah ada yang begitu", "buktikan kantor kita bebas pungli": the answer given."""
    if _has(s, "NEUTRAL", "VIOLATION") or not any(w.tags & {"STAKE", "HERE"} for w in s):
        return False
    for k, w in enumerate(s):
        if not w.tags & {"NEGATOR", "NEGATOR_STRONG"} or w.off or w.word in _ACTS_AGAINST:
            continue  # "tolak gratifikasi": an act against the wrong, no claim about anyone
        if _conduct_asked(s, k):
            continue
        if any(_evaluative_negative(x) and x.word not in ("pungutan",) for x in s[k + 1:k + 5]):
            return True
        if w.word in ("tidak pernah", "never") and any(
                "HERE" in x.tags for x in s[max(0, k - 3):k]):
            return True  # "di sini tidak pernah ada yang begitu"
    return False


_ACTS_AGAINST = frozenset({"tolak", "tolaklah", "menolak", "reject", "refuse", "hindari",
                           "hindarilah", "avoid", "cegah", "lawan", "berantas", "stop"})
_SERVING = frozenset({"layani", "melayani", "dilayani", "serve", "serving", "bekerja",
                      "work", "kerja"})


def _conduct_asked(s: list[_Word], at: int) -> bool:
    """"layani warga tanpa pungli", "pelayanan yang cepat dan bebas pungli": the negation
    describes the service asked of staff, not the office as an answer should present it,
    in a sentence naming no survey, answer or rating and nothing to prove or show."""
    if any(x.tags & {"SURVEY", "ANSWERS", "STEER", "FILL", "FILL_NOUN", "INVITE"} and not x.off
           for x in s) or any(x.word in _REFLECT for x in s):
        return False
    return any("MERIT" in x.tags or x.word in _SERVING for x in s[max(0, at - 9):at])


def _appeal_while_answering(s: list[_Word]) -> bool:
    """Answering tied to the in-group or its leader: "Answer the survey as a proud member
    of this team", "saat menjawab, bayangkan wajah pimpinan kita"."""
    # "isi formulir data keluarga": a form of its own is filled in, not the survey answered.
    steering = [k for k, w in enumerate(s) if w.tags & {"STEER", "ANSWERS"} and not (
        any("FORM" in x.tags for x in s[max(0, k - 4):k + 2]) and not _has(s, "SURVEY"))]
    return _has(s, "APPEAL") and bool(steering) and not _has(s, "NEUTRAL")


_REFLECT_STEMS = frozenset({"cermin", "tunjuk", "bukti", "gambar", "tampil", "perlihat",
                            "reflect", "show", "prove", "demonstr", "display"})
_REFLECT = frozenset({"mencerminkan", "cerminkan", "mencerminkannya", "reflect", "reflects",
                      "reflecting", "tunjukkan", "menunjukkan", "show", "buktikan",
                      "membuktikan", "prove", "menggambarkan", "gambarkan", "sesuai dengan",
                      "match", "sebanding"})


def _merit_reflected(s: list[_Word]) -> bool:
    """The office's merit an answer or rating should reflect: "Semoga penilaian Bapak/Ibu
    mencerminkan kerja keras kita", "reflect our commitment when you rate us"."""
    if _has(s, "NEUTRAL") or not _has(s, "STAKE") or not (_has(s, "MERIT") or _favourable(s)):
        return False
    stemmer = _stemmer()
    return any(not w.off and (w.word in _REFLECT or _english(w.word) in _REFLECT
                              or _english(w.word) in _REFLECT_STEMS
                              or stemmer.stem(w.word) in _REFLECT_STEMS) for w in s) \
        and _has(s, "SCORE", "STEER", "ANSWERS", "SURVEY")


_RATHER_THAN = frozenset({"daripada", "than", "ketimbang", "dibanding", "dibandingkan"})


def _honesty_put_first(s: list[_Word]) -> bool:
    """Honesty set above the office's good: "jawaban yang jujur lebih berharga daripada nilai
    yang tinggi" (honesty, then a comparison, then the score), or the mirror "jelek bilang jelek,
    baik bilang baik" (each judgement said as it is, good and bad alike)."""
    if _has(s, "STAKE", "COACH"):
        return False
    honest = next((k for k, w in enumerate(s) if "NEUTRAL" in w.tags and not w.off), None)
    rather = next((k for k, w in enumerate(s) if w.word in _RATHER_THAN), None)
    if honest is not None and rather is not None and honest < rather \
            and any(w.tags & {"SCORE", "POSITIVE"} for w in s[rather + 1:]):
        return True
    mirrored = {tag for k in range(len(s) - 2)
                if s[k].word == s[k + 2].word and s[k + 1].tags & {"STEER", "REPLY"}
                for tag in ("POSITIVE", "NEGATIVE_CONTENT") if tag in s[k].tags}
    return mirrored == {"POSITIVE", "NEGATIVE_CONTENT"}


def _rating(s: list[_Word]) -> bool:
    if _honesty_put_first(s):
        return False
    steer_good = _near(s, "STEER", ("POSITIVE",), _WINDOW) \
        or _near(s, "ANSWERS", ("POSITIVE",), 2)
    score_good = _near(s, "SCORE", ("POSITIVE", "NUMBER"), 2) \
        or _near(s, "POSITIVE", ("SCORE",), 2)
    if steer_good or _has(s, "COACH") or (_has(s, "COORDINATE")
                                          and _has(s, "ANSWERS", "FILL", "STEER")):
        return True
    if _has(s, "STEER", "ANSWERS") and _has(s, "STAKE") and _has(s, "SCORE") \
            and not _has(s, "NEUTRAL"):
        return True  # "jawab dgn bijak, ingat kantor kita lagi dinilai"
    if _steered_either_way(s):
        return True
    if _near(s, "STEER", ("POSITIVE",), _WINDOW + 1) and not _has(s, "NEUTRAL"):
        return True  # "rate our service 'very satisfied'"
    if _near(s, "POSITIVE", ("STEER",), _WINDOW) and not _has(s, "NEUTRAL"):
        return True  # "the higher you rate us"
    if _has(s, "ANSWERS", "STEER") and _has(s, "SUPPORT") and _has(s, "STAKE") \
            and not _has(s, "NEUTRAL"):
        return True  # "jawaban yang mendukung predikat kantor kita"
    if score_good and (_has(s, "STEER", "PURPOSE", "STAKE")
                       or (_has(s, "ANSWERS") and not _has(s, "NEUTRAL"))):
        return True  # "zona hijau tergantung jawaban kalian"
    if _has(s, "SCORE") and _has(s, "STAKE") and _has(s, "PURPOSE"):
        return True
    if _answer_dictated(s):
        return True
    # "Jangan jawab ada pungli": a prohibition that still dictates the answer.
    for i, w in enumerate(s):
        if "NEGATOR_STRONG" not in w.tags or w.word not in _PROHIBITIONS:
            continue
        for j in range(i + 1, min(i + 3, len(s))):
            if "HARM" in s[j].tags and any("STAKE" in x.tags for x in s[j + 1:j + 4]) \
                    and any(x.tags & {"SURVEY", "FILL", "ANSWERS"} for x in s) and not any(
                    x.word in _FEARS for x in s[i + 1:j]):
                return True  # "jangan sudutkan unit kita waktu jawab survei"
            if "STEER" in s[j].tags and any(
                    x.tags & {"NEGATIVE_CONTENT", "POSITIVE"} for x in s[j + 1:j + 4]) \
                    and not any(x.tags & {"INVITE", "OTHER_LINK"} for x in s[j + 1:j + 3]):
                return True  # not "jgn klik link aneh2": the link is odd, not an answer
            if s[j].tags & {"STEER", "ANSWERS"} and any(
                    x.tags & {"NEGATIVE_CONTENT"} and " " in x.word for x in s[j + 1:j + 8]):
                return True  # "let's not give KPK any reason to mark us down"
            if "STEER" in s[j].tags and not _has(s, "NEUTRAL") and not any(
                    x.tags & {"FRAME_WHO", "FRAME_ASK", "VIOLATION"} for x in s) and any(
                    x.tags & {"SCORE"} for x in s[j + 1:j + 8]) and any(
                    x.tags & {"PURPOSE", "STAKE"} for x in s[j + 1:j + 10]):
                return True  # "jangan kasih jawaban yang bikin nilai kita turun"
    return False


# The answers a steer may dictate: "pilih tidak tahu", "jawab tidak pernah", "say never".
_DICTATED = frozenset({"tahu", "pernah", "ada", "know", "tau", "ingat", "lihat", "melihat",
                       "mendengar", "dengar"})


_PRETEND = frozenset({"anggap", "anggaplah", "anggap saja", "pretend", "assume", "treat"})
_ITEMS = frozenset({"soal", "pertanyaan", "question", "questions", "item", "butir"})


def _answer_dictated(s: list[_Word]) -> bool:
    """"Pilih tidak tahu", "jawabnya 'tidak pernah' aja": a steer (not itself negated or
    someone else's) followed by the denial it wants as the answer."""
    if _has(s, "NEUTRAL") or any(w.tags & {"VIOLATION", "FRAME_ASK"} or w.word in (
            "memang", "really", "truly", "genuinely", "benar-benar") for w in s):
        return False  # "jawab tidak tahu jika memang tidak tahu": the truth, not a script
    # "Kalau ada soal tentang pungutan, anggap saja tidak pernah ada": pretending, about an
    # item of the survey, dictates the answer as a steer does.
    items = any(w.word.split(" ")[-1] in _ITEMS or w.tags & {"SURVEY", "ANSWERS"} for w in s)
    for i, w in enumerate(s):
        if w.off or not ("STEER" in w.tags or (items and w.word in _PRETEND)):
            continue
        ahead = [x for x in s[i + 1:i + 5] if x.word not in ("saja", "aja", "'", '"', "dengan",
                                                             "with", "nya", "ya", "there",
                                                             "bahwa", "that")]
        if len(ahead) >= 2 and ahead[0].tags & {"NEGATOR", "NEGATOR_STRONG"} \
                and ahead[0].word in ("tidak", "tak", "gak", "nggak", "never", "not") \
                and ahead[1].word in _DICTATED:
            return True
        if ahead and ahead[0].word in ("never", "tidak pernah", "tidak tahu", "tidak ada",
                                       "gak tahu", "nggak tahu"):
            return True
    return False


_NOT_TAKING_PART = frozenset({"NEGATOR", "NEGATOR_STRONG", "STATUS_NOT"})


def _non_participants_end(s: list[_Word]) -> int | None:
    """Where "yang tidak/belum mengisi", "those who haven't done", "yg cuek sama survei"
    ends: people named by not taking part."""
    for i, w in enumerate(s):
        if "NONPARTICIPATION" in w.tags and _has(s, "SURVEY", "FILL_NOUN"):
            return i + 1  # "ketidakhadiran dalam survei", "non-completion"
        if i == 0 and "NEGATOR" in w.tags and len(s) > 1 and "FILL" in s[1].tags:
            return 2  # "Tidak isi SPI = ..."
        if not w.tags & {"RELATIVE", "WHO"} and w.word not in _MEANS \
                and not w.word.endswith(" yang"):  # "kalau ada yang tidak ikut survei"
            continue
        ahead = s[i + 1:i + 5]
        if w.word in _MEANS and not (ahead and ahead[0].tags & _NOT_TAKING_PART):
            continue
        # "yang terpilih sebagai responden tapi tidak mengisi": a second, negated predicate.
        but = next((j for j, x in enumerate(s[i + 1:i + 6]) if x.word in _BUT), None)
        if but is not None and not any(_is_clause_end(x) for x in s[i + 1:i + 1 + but]):
            ahead = s[i + 1:i + 2 + but + 4]
        for j, x in enumerate(ahead):
            if _is_clause_end(x) and not (but is not None and x.word in _BUT):
                break
            if x.tags & _NOT_TAKING_PART and any(
                    y.tags & {"FILL"} for y in ahead[j + 1:j + 4]):
                return i + 1 + j + 1
            if "IGNORE" in x.tags and (_has(s, "SURVEY") or any(
                    y.tags & {"SURVEY", "INVITE"} and y.neg_local for y in ahead[j + 1:j + 4])):
                return i + 1 + j + 1  # "yang mengabaikan undangan survei": it is negated
    return None


_BUT = frozenset({"tapi", "tetapi", "namun", "but", "yet"})
# "mempermalukan unit dengan tidak mengisi": not taking part as the means of a harm.
_MEANS = frozenset({"dengan", "by", "karena", "because", "akibat"})


def _consequence_for_non_participants(s: list[_Word]) -> bool:
    """"Yang tidak ikut survei akan kena SP", "yg blm isi tdk dpt cuti", "yang tidak ikut
    silakan menghadap saya", "mempermalukan unit dengan tidak mengisi": something done to
    or asked of people because they did not take part, a threat whatever its words."""
    end = _non_participants_end(s)
    if end is None:
        return False
    stemmer = _stemmer()
    before = s[:end]
    # "Kami harap tidak ada yang …": a wish, so what it names is still held over them.
    wished = any(w.word in _WISHES and any(
        x.word in ("tidak ada yang", "no one", "nobody") for x in before[k + 1:k + 3])
        for k, w in enumerate(before))
    if any((not w.off or wished) and w.tags & {"SANCTION", "CONSEQUENCE"} for w in before):
        return True  # the harm named first: "… mempermalukan unit dengan tidak mengisi"
    rest = s[end:]
    stop = next((k for k, w in enumerate(rest) if w.word in (".", "!", "\n")), len(rest))
    rest = rest[:stop]  # the group's own sentence, or a question and its answer
    imperatives = [c[0] for c in _clauses(rest)[1:] if c and c[0].word.isalpha()
                   and c[0].word.endswith(("kan", "lah"))
                   and "REQUEST" not in c[0].tags]  # "…, pikirkan baik-baik"; not "silakan"
    for verb in _requested_verbs(rest) + imperatives:
        at = next(k for k, x in enumerate(rest) if x is verb)
        if verb.off or any("OFFICIAL_PLACE" in x.tags and "LOCAL_PLACE" not in x.tags
                           for x in rest[at:at + 6]):
            continue  # "…, laporkan ke KPK 198"
        if not {verb.word, stemmer.stem(verb.word), _english(verb.word)} \
                & _AFTER_PARTICIPATION:
            return True  # "yang belum mengisi, silakan menghadap saya"
    return _harm_told(rest)


def _harm_told(rest: list[_Word], *, excluded: bool = False) -> bool:
    """What the rest of a sentence naming people holds over them: a sanction or consequence,
    a benefit withheld, "akan dipanggil", "will be noted". `excluded`: "tidak akan kami
    undang lagi", "won't be invited again" counts too."""
    for k, w in enumerate(rest):
        if w.off and not w.neg_local:
            continue
        if w.tags & {"SANCTION", "CONSEQUENCE"}:
            return True
        following = rest[k + 1:k + 3]
        if w.word in ("tidak akan", "tak akan", "will not", "won't") \
                and any(x.tags & {"BENEFIT"} for x in following):
            return True  # "tidak akan mendapat cuti"
        if w.word == "will" and following and following[0].word == "be" \
                and len(rest) > k + 2 and rest[k + 2].word.endswith(("ed", "en")):
            return True  # "will be called in", "will be noted"
        if w.word in ("been", "being") and following \
                and following[0].word.endswith(("ed", "en")):
            return True  # "your names have been passed to the director"
        if w.word in ("tidak dapat", "tidak bisa", "tidak boleh", "cannot") and following \
                and following[0].word.isalpha():
            return True  # "tidak dapat cuti", "cannot apply for leave"
        if w.tags & {"NEGATOR"} and any(x.tags & {"BENEFIT"} for x in following):
            return True  # "tidak dilayani", "tdk dpt cuti"
        if w.word in ("akan", "will", "bakal", "nanti", "bisa", "dapat", "bakalan") and any(
                x.word.startswith("di") and len(x.word) > 5 and not x.off
                and not x.tags & {"RECEIVE", "BENEFIT"} for x in following[:2]) \
                and not any(x.word in ("tetap", "still", "tidak", "tak") for x in following):
            return True  # "akan dipanggil", "akan dicoret", "nanti namanya disampaikan"
        if excluded and w.word in ("tidak akan", "tak akan", "won't", "will not") and any(
                x.word in ("lagi", "again", "anymore") for x in rest[k + 1:k + 6]):
            return True  # "tidak akan kami undang lagi"
    return False


# Giving an answer its content: "yang menilai buruk", "who gives a bad rating".
_RATING_VERBS = frozenset({"memberi", "memberikan", "kasih", "ngasih", "menilai", "menjawab",
                           "gives", "give", "gave", "rates", "rate", "rated", "answers"})


def _consequence_for_low_raters(s: list[_Word]) -> bool:
    """"Yang memberi nilai rendah di survei akan kena SP", "Anyone who gives a bad rating in
    the survey will be moved": something held over people because of what their answers
    say, a threat whatever its words."""
    if not _has(s, "SURVEY"):
        return False
    for i, w in enumerate(s):
        if not w.tags & {"RELATIVE", "WHO"}:
            continue
        for j in range(i + 1, min(i + 5, len(s))):
            x = s[j]
            if _is_clause_end(x) or x.off:
                break
            if "NEGATIVE_CONTENT" in x.tags and not x.tags & {"NEGATOR", "NEGATOR_STRONG"} \
                    and any("STEER" in y.tags or y.word in _RATING_VERBS for y in s[i + 1:j]):
                rest = s[j + 1:]
                stop = next((k for k, y in enumerate(rest) if y.word in (".", "!", "?")),
                            len(rest))
                return _harm_told(rest[:stop], excluded=True)
    return False


def _duty_in(clause: list[_Word]) -> bool:
    """A duty word not itself negated: "must not ask" and "harus tidak" forbid, not oblige."""
    for i, w in enumerate(clause):
        if w.off or "DUTY" not in w.tags:
            continue
        after = clause[i + 1:i + 2]
        if not (after and after[0].tags & {"NEGATOR", "NEGATOR_STRONG"}):
            return True
    return False


def _without_received(c: list[_Word]) -> list[_Word]:
    """A clause without "yang menerima undangan", "who received the link": the invitation
    named as what people received says who bears a duty, not that the duty is a link's."""
    out: list[_Word] = []
    for k, w in enumerate(c):
        if "INVITE" in w.tags and any("RECEIVE" in x.tags for x in c[max(0, k - 2):k]) \
                and any(x.tags & {"RELATIVE", "WHO"} for x in c[max(0, k - 4):k]):
            continue
        out.append(w)
    return out


def _threat(s: list[_Word], question: bool) -> bool:
    fill_any = any(w.tags & {"FILL", "SURVEY"} and (not w.off or w.neg_local) for w in s)
    # "alamatnya harus spi.kpk.go.id" is a rule about links, not a duty of people.
    duty = any(_duty_in(c) and not _has(_without_received(c), "INVITE", "OTHER_LINK")
               and not any("OFFICIAL_PLACE" in w.tags and "." in w.word for w in c)
               and not _source_of_news(c, s)
               for c in _clauses(s))
    if not question and duty and (
            _has(s, "FILL") or (_has(s, "SURVEY") and not _has(s, "INVITE"))):
        return True
    if _has(s, "SANCTION") and fill_any:
        return True
    if _consequence_for_non_participants(s) or _consequence_for_low_raters(s):
        return True
    if _has(s, "CONSEQUENCE") and _has(s, "FILL", "FILL_NOUN") \
            and any(not w.off and w.word in _AUTHORITIES for w in s):
        return True  # "Pimpinan akan sangat kecewa bila partisipasi unit kita rendah"
    if _participation_weighed(s) or _ranked_last(s):
        return True
    return _has(s, "PRESSURE") and any(w.tags & {"FILL", "SURVEY"} for w in s)


_WEIGHING = frozenset({"mempertimbangkan", "memperhitungkan", "dipertimbangkan",
                       "diperhitungkan", "menimbang", "memperhatikan", "considers",
                       "consider", "weigh", "weighs", "weighed", "factor", "factors"})


def _participation_weighed(s: list[_Word]) -> bool:
    """"Kontrak tahun depan akan mempertimbangkan partisipasi SPI": taking part weighed in a
    decision about staff, whoever decides."""
    return any(not w.off and w.word in _WEIGHING and any(
        not x.off and "FILL_NOUN" in x.tags for x in s[k + 1:k + 4])
        for k, w in enumerate(s))


_LAST = frozenset({"terakhir", "terbawah", "buncit", "paling akhir", "paling bawah", "last",
                   "bottom"})
_RANKED = frozenset({"yang", "jadi", "menjadi", "urutan", "peringkat", "posisi", "ranking",
                     "the", "be", "become"})


def _ranked_last(s: list[_Word]) -> bool:
    """"Jangan bikin unit kita jadi yang terakhir", "don't let our unit be the last": a unit
    ranked by how many took part, whether or not the ranking is under "jangan"."""
    if not any(w.tags & {"FILL", "FILL_NOUN", "SURVEY"} for w in s):
        return False
    return any(w.word in _LAST and k > 0 and s[k - 1].word in _RANKED and any(
        "STAKE" in x.tags for x in s[max(0, k - 6):k]) for k, w in enumerate(s))


# What a sentence about the survey names (its act words aside): any of it keeps it on topic.
_TOPIC = frozenset({"SURVEY", "INVITE", "KPK", "FILL", "FILL_NOUN", "RECEIVE", "SELECT",
                    "SELECT_WEAK", "ANSWERS", "ITSELF", "SCORE", "STATUS", "STATUS_NOT",
                    "LIST", "STEER", "PROXY", "KNOWN_ANSWER", "DIRECTION", "WAITING",
                    "APPEAL", "REWARD", "PROOF", "FORM", "GATHER", "PLACE", "REPLY_TOKEN",
                    "MONITOR", "MONITOR_WEAK", "WHO", "ASK_QUESTION", "DUTY", "SANCTION",
                    "CONSEQUENCE", "PRESSURE", "COORDINATE", "COACH", "NONPARTICIPATION",
                    "THIS_MESSAGE", "REGISTRATION", "POPULATION", "BOT", "HELP", "NAME",
                    "OTHER_LINK", "FIRST", "POSITIVE", "NEGATIVE_CONTENT", "HARM", "PURPOSE"})
# Words that carry no object of their own: time, fillers, address, determiners.
_NO_OBJECT = frozenset({
    "ya", "yaa", "dong", "deh", "sih", "aja", "saja", "nanti", "segera", "kembali", "lagi",
    "juga", "mohon", "tolong", "please", "kindly", "the", "your", "our", "this", "that",
    "these", "ini", "itu", "tersebut", "semua", "seluruh", "all", "everyone", "guys", "gaes",
    "sob", "bro", "sis", "dear", "team", "tim", "rekan", "rekan-rekan", "teman", "teman-teman",
    "kawan", "bapak", "ibu", "hari", "besok", "lusa", "pagi", "siang", "sore", "malam", "jam",
    "pukul", "tanggal", "minggu", "bulan", "tahun", "paling", "lambat", "cepat", "secepatnya",
    "today", "tomorrow", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "week",
    "month", "year", "eod", "asap", "soon", "now", "sekarang", "depan", "kemarin", "tadi",
    "masing-masing", "masing", "each", "every", "setiap", "tiap", "langsung", "directly",
    "sini", "situ", "here", "there", "chat", "grup", "group", "wa", "whatsapp", "email",
    "sudah", "belum", "udah", "blm", "kalian", "kamu", "anda", "you", "kita", "kami", "saya",
    "aku", "gue", "gw", "we", "us", "me", "him", "her", "them", "they", "mereka", "dia",
    "lupa", "jangan", "don't", "forget", "remind", "ingat", "thanks", "terima", "kasih",
    "makasih", "halo", "hai", "hi", "hello", "selamat", "assalamualaikum", "untuk", "for",
    "sebelum", "sesudah", "setelah", "before", "after", "agar", "supaya", "biar", "with",
    "dengan", "dan", "atau", "and", "or", "yang", "who", "which", "what", "apa", "siapa",
    "done", "selesai", "info", "kabar", "update", "berapa", "many", "much", "mana", "where",
    "sebelumnya", "lebih", "dulu", "first", "dahulu", "terlebih", "baik", "good", "well",
    "bersama", "together", "sama", "bareng", "rame", "serentak", "nya", "si", "para",
    "fine", "oke", "okay", "aman", "boleh", "bisa", "can", "may", "is", "are", "be",
    "terus", "trus", "lalu", "kemudian", "then", "abis", "habis", "baru",
    # function words
    "ke", "kepada", "di", "dari", "pada", "oleh", "via", "lewat", "melalui", "dalam", "atas",
    "bagi", "sebagai", "tentang", "soal", "terkait", "mengenai", "hingga", "sampai", "sejak",
    "antara", "tanpa", "akan", "sedang", "telah", "masih", "harus", "wajib", "perlu", "mau",
    "ingin", "dapat", "jika", "kalau", "bila", "apabila", "karena", "sebab", "maka", "jadi",
    "namun", "tetapi", "tapi", "serta", "pun", "hanya", "cuma", "sangat", "sekali", "amat",
    "kurang", "pernah", "selalu", "sering", "tidak", "bukan", "ada", "adalah", "ialah",
    "merupakan", "yaitu", "yakni", "sendiri", "secara", "lain", "lainnya", "bersedia",
    "berkenan", "kiranya", "sekiranya", "at", "in", "on", "by", "from", "of", "into", "about",
    "without", "through", "until", "will", "would", "should", "could", "must", "have", "has",
    "had", "do", "does", "did", "not", "no", "just", "only", "also", "very", "more", "less",
    "any", "some", "my", "their", "its", "his", "possible", "ntar", "entar",
})


def _own_topic(s: list[_Word]) -> bool:
    """An act with an object of its own ("kumpulkan SPJ ke bendahara", "submit your
    timesheets to HR", "kirim foto kegiatan sosialisasi ke humas") in a sentence naming
    nothing of the survey, its invitation, answers, proof, people or places: another
    errand of the office."""
    if not any(w.tags & (_ACT_TAGS | {"REQUEST"}) for w in s):
        return False
    stemmer = _stemmer()
    content = False
    # Policy words are looked for where the act is, not in a heading ("Info minggu ini: …").
    acting = {id(w) for part in _segments(s) if any(x.tags & (_ACT_TAGS | {"REQUEST"})
                                                    for x in part) for w in part}
    for k, w in enumerate(s):
        tags = w.tags - {"ALLOWED_ASK", "FRAME_ASK", "FRAME_WHO", "AFFIRM", "MERIT", "STAKE",
                         "LOCAL_PLACE", "OFFICIAL_PLACE", "YOU", "REQUEST", "NUMBER",
                         "BENEFIT", "SUPPORT"}
        if w.tags & _ACT_TAGS and " " not in w.word:
            tags = tags - _ACT_TAGS - {"FILL"}  # "submit": the act, whatever it hands in
        if "REPLY_TOKEN" in tags and not (k > 0 and "REPLY" in s[k - 1].tags):
            tags = tags - {"REPLY_TOKEN"}  # "ya" as a particle, not "balas YA"
        # "foto kegiatan", "absen online", "laporan kinerja": a noun of its own thing.
        compound = (bool(tags & {"PROOF", "GATHER", "FORM", "MONITOR"}) and " " not in w.word
                    and w.word not in _STRONG_PROOF and k + 1 < len(s)
                    and _object_word(s[k + 1], stemmer)) or (
            k > 0 and bool(s[k - 1].tags & _ACT_TAGS) and s[k - 1].word.endswith("an")
            and not tags & {"SURVEY", "INVITE", "ANSWERS", "FILL", "FILL_NOUN", "PROOF"})
        if tags & _TOPIC and not compound:
            return False  # "foto kegiatan", "sosialisasi antikorupsi": a thing of its own
        if id(w) in acting and not w.tags & _ACT_TAGS and w.word.isalpha() and (policy_word(
                w.word, (stemmer.stem(w.word), _english(w.word))) or (
                not w.tags and _derived_participation(w.word, stemmer))):
            return False  # "submit your confirmation slip", "tanggal pengerjaan"
        content = content or _object_word(w, stemmer)
    return content


@lru_cache(maxsize=1)
def _participation_stems() -> frozenset[str]:
    stemmer = _stemmer()
    concepts = _data()["concepts"]
    return frozenset(stemmer.stem(e.removeprefix("=")) for e in concepts["FILL"]
                     if " " not in e and len(e) > 4)


def _derived_participation(word: str, stemmer: Stemmer) -> bool:
    """"pengerjaan", "penerimaan": an affixed form of a participation verb's root (the bare
    root, as in "rencana kerja", is not)."""
    stem = stemmer.stem(word)
    return stem != word and len(stem) > 2 and stem in _participation_stems()


_STRONG_PROOF = frozenset({"screenshot", "ss", "layar", "tangkapan", "capture", "screen"})


def _object_word(w: _Word, stemmer: Stemmer) -> bool:
    word = w.word
    if w.tags - {"MERIT", "STAKE", "ALLOWED_ASK", "GATHER", "SANCTION", "SUPPORT"} \
            or not word.isalpha() or len(word) < 3 or word in _NO_OBJECT \
            or word.endswith("nya"):
        return False
    return stemmer.is_word(stemmer.stem(word)) or len(word) >= 4


def _split_sanction(window: list[list[_Word]]) -> bool:
    """"Batas pengisian hari Rabu. Lewat dari itu, sanksi disiplin berlaku", "Pimpinan sudah
    menanyakan. Jangan sampai saya harus menyebut nama di rapat": a sanction or pressure on
    people, asserted in the sentence right after one about filling in, is that filling in's
    threat. A sanction denied ("tidak ada sanksi") or a question threatens no one."""
    first, second = window[0], window[1]
    if not any(w.tags & {"FILL", "FILL_NOUN", "SURVEY"} and not w.off for w in first):
        return False
    if any(w.word == "?" for w in second) or _has(second, "THIS_MESSAGE"):
        return False
    if any(not w.off and "SANCTION" in w.tags for w in second):
        return True
    return any(not w.off and "PRESSURE" in w.tags for w in second) \
        and _has(second, "WHO", "GATHER")


def _asks_beyond_filling(s: list[_Word]) -> bool:
    """A request ("mohon ...", or a clause opened by an act) for something other than
    filling in, checking, ignoring or keeping safe."""
    stemmer = _stemmer()
    verbs = _requested_verbs(s)
    for clause in _clauses(s):
        first = next((w for w in clause if w.word not in _IMPERATIVE_FILLER
                      and not w.tags & {"REQUEST", "YOU", "NAME"}), None)
        if first is not None and first.tags & (_ACTS | {"REPORT", "REPLY", "ANSWERS"}):
            verbs.append(first)
    return any(not v.off and not {v.word, stemmer.stem(v.word), _english(v.word)}
               & _AFTER_PARTICIPATION for v in verbs)


_TO = frozenset({"ke", "kepada", "to", "pada", "sama", "lewat", "via", "melalui"})
_CONVEYING = frozenset({"REPORT", "SEND", "FORWARD", "COLLECT", "REPLY", "LIST"})


def _participation_to_office(s: list[_Word], topic: bool) -> bool:
    """The policy, in any order or voice: anyone's receipt, selection or filling in named,
    and an act that conveys or gathers it, with the office (a person, a desk, a group, an
    address that is not KPK's) as who gets it: "Staff who have not yet received the link
    are asked to tell their supervisor", "Nama responden yang telah mengisi dihimpun oleh
    subbag kepegawaian"."""
    if _has(s, "VIOLATION", "HELP", "THIS_MESSAGE", "REGISTRATION") or not _has(
            s, "RECEIVE", "FILL", "SELECT", "SELECT_WEAK", "FILL_NOUN"):
        return False
    if not (topic or _has(s, "SURVEY", "INVITE", "KPK")):
        return False
    for i, w in enumerate(s):
        if w.off or not w.tags & _CONVEYING or w.word in _CONTACT_ONLY:
            continue
        for k in range(i + 1, min(i + 6, len(s))):
            x = s[k]
            if _is_clause_end(x):
                break
            if not x.off and "LOCAL_PLACE" in x.tags and "OFFICIAL_PLACE" not in x.tags \
                    and s[k - 1].word not in ("dari", "from", "of"):
                return True  # "email dari admin@…" names where it came from, not goes to
    return False


def _directed_to_office(s: list[_Word]) -> bool:
    """The policy: a broadcast asks nothing about the survey to go to the institution.
    "... ke admin", "... kepada atasan", "... to HR" after a request about the survey, the
    invitation, answers or proof; offers of help, scam reports and registration aside."""
    if _has(s, "REGISTRATION", "THIS_MESSAGE") or any(
            w.tags & {"VIOLATION", "FRAME_WHO"} for w in s):
        return False
    if not _has(s, "SURVEY", "INVITE", "FILL_NOUN", "PROOF", "ANSWERS"):
        return False
    asked = bool(_requested_verbs(s)) or any(
        not w.off and w.tags & {"REPORT", "SEND", "FORWARD", "REPLY", "COLLECT"}
        and w.word not in _CONTACT_ONLY for w in s)
    if not asked:
        return False
    for i, w in enumerate(s):
        if w.off or "LOCAL_PLACE" not in w.tags or "OFFICIAL_PLACE" in w.tags:
            continue
        if any(x.word in _TO for x in s[max(0, i - 2):i]):
            verb = next((x for x in reversed(s[:i]) if x.tags & {
                "REPORT", "SEND", "FORWARD", "REPLY", "COLLECT", "REQUEST"}), None)
            if verb is not None and not verb.off and verb.word not in _CONTACT_ONLY:
                return True
    return False


_WHETHER_WORDS = frozenset({"whether", "apakah", "if they have", "if you have"})


def _whether_status(s: list[_Word]) -> bool:
    """"… indicate on the shared sheet whether they have received the SPI link": whether
    someone received, filled in or was selected, named as something to be told, in a
    sentence that neither denies nor warns of it. "Cek apakah undangan yang Anda terima
    asli" asks about the invitation, not about receiving it."""
    if any(w.tags & {"VIOLATION", "HELP"} and not w.off for w in s):
        return False
    for i, w in enumerate(s):
        if w.off or w.word not in _WHETHER_WORDS:
            continue
        if any(x.tags & {"NEGATOR", "NEGATOR_STRONG", "FRAME_ASK"} for x in s[:i]):
            return False  # "you don't need to tell anyone whether …": denied or reported
        if i + 1 < len(s) and s[i + 1].word in ("to", "untuk", "mau", "ingin", "akan"):
            return False  # "it is up to you whether to take part": a choice
        ahead = list(itertools.takewhile(
            lambda x: not _is_clause_end(x) and not x.tags & {"RELATIVE"}, s[i + 1:i + 5]))
        if any(not x.off and x.tags & {"RECEIVE", "FILL", "SELECT"} for x in ahead):
            return any(not x.off for x in s[:i]) and not any(
                x.word == "?" for x in s)  # a question is read by the question rules
    return False


def _forwarded_elsewhere(s: list[_Word]) -> bool:
    """The invitation passed on to anyone but KPK: "Link SPI jangan dibuka sendiri, teruskan
    dulu ke nomor dinas". The invitation may stand before a negation that does not reach
    the forwarding clause."""
    if not any("INVITE" in w.tags for w in s) or _has(s, "THIS_MESSAGE", "REGISTRATION"):
        return False
    for i, w in enumerate(s):
        if w.off or "FORWARD" not in w.tags or ("REPLY" in w.tags and "SEND" not in w.tags):
            continue
        ahead = list(itertools.takewhile(lambda x: not _is_clause_end(x), s[i + 1:i + 6]))
        for k, x in enumerate(ahead):
            if x.word in _TO and k + 1 < len(ahead):
                target = ahead[k + 1]
                if not target.off and "OFFICIAL_PLACE" not in target.tags \
                        and not _to_bot_for_checking(s, target):
                    return True
    return False


def _to_bot_for_checking(s: list[_Word], target: _Word) -> bool:
    """"Kirim pesannya ke bot ini untuk dicek": a message sent to the bot to have it checked
    is the verification the bot offers; answers, proof or filling in sent there are not."""
    return "BOT" in target.tags and not _has(s, "ANSWERS", "FILL_NOUN", "FILL") and not (
        _has(s, "PROOF") and not _has(s, "INVITE"))


def _awaits_direction(s: list[_Word]) -> bool:
    """Respondents told to wait for the office's word before answering ("tunggu arahan",
    "jangan mengisi dulu sebelum ada arahan pimpinan", "tunggu info selanjutnya")."""
    waiting = any(not w.off and "WAITING" in w.tags for w in s)
    direction = any(not w.off and "DIRECTION" in w.tags for w in s)
    held_back = any(w.tags & {"NEGATOR", "NEGATOR_STRONG"} and not w.off and any(
        "FILL" in x.tags for x in s[k + 1:k + 3]) and any(
        x.word in ("dulu", "langsung", "yet", "first") for x in s[k + 1:k + 5])
        for k, w in enumerate(s))
    # "tdk mengisi dulu sblm ada arahan": the wait is what the negation holds back for.
    named = any(w.tags & {"WAITING", "DIRECTION"} for w in s)
    return (waiting and direction) or (held_back and named)


_UNTIL = frozenset({"sebelum", "until", "before", "sampai", "hingga", "prior", "till",
                    "sblm", "sampe"})


_ONLY = frozenset({"hanya", "only", "baru", "cuma"})
_AFTER = frozenset({"setelah", "sesudah", "after", "once", "usai"})


def _only_after_office(s: list[_Word]) -> bool:
    """"Pengisian hanya boleh dilakukan setelah mendapat nomor dari inspektorat", "you may
    only start once your unit head has given you the go-ahead": filling in permitted only
    after something of the office's, a precondition whatever it is called."""
    for k, w in enumerate(s):
        if w.word not in _ONLY or not any("FILL" in x.tags for x in s[max(0, k - 4):k + 5]):
            continue
        after = next((j for j in range(k + 1, min(k + 8, len(s))) if s[j].word in _AFTER),
                     None)
        if after is None:
            continue
        rest = list(itertools.takewhile(lambda x: x.word not in _SENTENCE_END,
                                        s[after + 1:after + 12]))
        if any(x.tags & {"OFFICIAL_PLACE", "KPK", "HELP", "INVITE", "REGISTRATION"}
               for x in rest):
            return False  # "hanya bisa diisi setelah undangan KPK diterima"
        if any("LOCAL_PLACE" in x.tags and x.word not in _SENDER for x in rest):
            return True
    return False


def _held_until(s: list[_Word]) -> str | None:
    """Filling in held back until something of the office's (a briefing, a session, a form):
    "Harap tidak mengisi survei sebelum pengarahan dari Sekretaris", "Please don't fill in
    the survey until you've attended our prep session". Negated, the survey is still the
    office's to release; a check of the link or KPK's own guide is not."""
    if any(w.tags & {"VIOLATION"} for w in s):
        return None
    if _only_after_office(s):
        return "form_first"
    for k, w in enumerate(s):
        if not w.tags & {"NEGATOR", "NEGATOR_STRONG"} or not any(
                "FILL" in x.tags for x in s[k + 1:k + 4]):
            continue
        until = next((j for j in range(k + 1, min(k + 8, len(s)))
                      if s[j].word in _UNTIL), None)
        if until is None:
            return None
        after = list(itertools.takewhile(lambda x: x.word not in _SENTENCE_END,
                                         s[until + 1:until + 9]))
        if any(x.tags & {"OFFICIAL_PLACE", "KPK", "HELP"} for x in after):
            return None
        if any("GATHER" in x.tags for x in after):
            return "gathering"
        if any("FORM" in x.tags for x in after):
            return "form_first"
        if any(x.tags & {"DIRECTION", "COORDINATE", "COACH"} for x in after):
            return "rating"
        return None
    return None


def _split_appeal(window: list[list[_Word]]) -> bool:
    """"Ingat, kita satu keluarga. Jawablah survei dengan hati.": the in-group named in one
    sentence, the answering asked in the next."""
    if any(_has(part, "NEUTRAL", "VIOLATION") for part in window):
        return False
    return any(_has(a, "APPEAL") and _has(b, "STEER", "ANSWERS")
               for a in window for b in window if a is not b)


_ACCORDING = frozenset({"sesuai", "berdasarkan", "menurut", "mengacu", "atas", "per",
                        "according", "as", "following"})


def _duty_of_its_own(clause: list[_Word], sentence: list[_Word]) -> bool:
    """"Sesuai arahan pimpinan, jangan ada yang menanyakan isi survei": a duty cited as the
    source of what its own sentence goes on to say, not of a neighbour's ask."""
    return bool(clause) and clause[0].word in _ACCORDING and any(
        w.word.isalpha() or w.tags for w in sentence[sentence.index(clause[-1]) + 1:]
        if not _is_clause_end(w) and w.word not in ('"', "'", "“", "”"))


_ANNOUNCING = frozenset({"sampaikan", "informasikan", "umumkan", "beritahukan", "laporkan",
                         "menyampaikan", "menginformasikan", "mengumumkan", "memberitahukan",
                         "inform", "announce", "share"})


def _source_of_news(clause: list[_Word], sentence: list[_Word]) -> bool:
    """"Sesuai arahan pimpinan, kami sampaikan bahwa hasil tahun lalu dirilis Januari": the
    leadership's word cited as the source of what the sender announces next, where nobody is
    told to fill in (the duty is the sender's, to pass the news on)."""
    if not _duty_of_its_own(clause, sentence):
        return False
    rest = sentence[sentence.index(clause[-1]) + 1:]
    announced = any(w.word in ("kami", "we") for w in rest[:3]) and any(
        w.word in _ANNOUNCING for w in rest[:4])
    # "... kami sampaikan apresiasi kepada yang telah mengisi": thanks for filling in asks none.
    thanks = any(w.word in ("terima kasih", "terima", "apresiasi", "penghargaan", "selamat",
                            "thanks", "appreciation") for w in rest[:6])
    kept = {"DUTY", "REQUEST", "PRESSURE", "SANCTION"} | (set() if thanks else {"FILL"})
    return announced and not any(not w.off and w.tags & kept for w in rest)


# Words pointing at what was said ("Ini wajib dilaksanakan"), naming no thing of their own.
_POINTING = frozenset({"ini", "itu", "hal", "tersebut", "semua", "semuanya", "this", "that",
                       "it", "all", "these", "those", "dan", "and", "juga", "also", "ya"})


def _duty_on_a_thing(clause: list[_Word]) -> bool:
    """"Kendaraan dinas wajib dikembalikan ke pool": a duty on a thing named before it, done
    to it (a passive verb after the duty word, not filling in), no duty of the survey's."""
    for k, w in enumerate(clause):
        if "DUTY" not in w.tags or w.off or k == 0:
            continue
        after = clause[k + 1] if k + 1 < len(clause) else None
        subject = [x for x in clause[:k] if x.word.isalpha() and x.word not in _POINTING]
        if after is not None and after.word.startswith("di") and len(after.word) > 5 \
                and not after.tags & {"FILL", "FILL_NOUN", "SURVEY", "REPORT", "SEND"} \
                and not any(x.tags & {"WHO", "PEOPLE", "YOU", "REQUEST", "SURVEY", "FILL",
                                      "FILL_NOUN", "INVITE", "RELATIVE", "DIRECTION",
                                      "DUTY"} for x in subject) and bool(subject):
            return True
    return False


def _split_duty(window: list[list[_Word]]) -> bool:
    """"Isi SPI hari ini. Ini perintah resmi Bupati.": a duty stated next to the ask."""
    return any(any(_duty_in(c) and not _has(c, "INVITE", "OTHER_LINK")
                   and not _duty_of_its_own(c, a) and not _duty_on_a_thing(c) for c in _clauses(a))
               and not _has(a, "SURVEY", "FILL") and _has(b, "FILL") and _has(b, "SURVEY")
               and not any(w.word == "?" for w in b)
               for a in window for b in window if a is not b)


def _participation_named(s: list[_Word]) -> bool:
    """The reader's own receipt, filling in or selection, asked about or made a condition:
    "Sudah dapat link survei?", "Yang sudah mengisi survei", "bila sudah menerima undangan"."""
    if _has(s, "VIOLATION") or not _has(s, "SURVEY", "INVITE", "KPK", "ITSELF", "FILL_NOUN",
                                        "SELECT", "SELECT_WEAK"):
        return False
    status = _has(s, "RECEIVE", "FILL", "SELECT", "FILL_NOUN")
    framed = any(w.word == "?" for w in s) or _has(s, "STATUS", "RELATIVE", "WHO") \
        or any(w.word in _CONDITION and not w.off for w in s)
    return status and framed


def _report_asked(s: list[_Word]) -> bool:
    """An active ask to report or reply, to anyone but KPK, about no scam or problem."""
    if _has(s, "HELP", "REGISTRATION") or any(w.tags & {"VIOLATION", "FRAME_WHO"} for w in s):
        return False  # "Laporkan kepada kami bila ada yang mengaku dari KPK": a scam report
    if _targets(s, "OFFICIAL_PLACE") and not _targets(s, "LOCAL_PLACE"):
        return False
    return _reply_ask(s) or any(
        not w.off and ("REPORT" in w.tags or (w.word in _REPLY_VERBS and not _channel(s, i)))
        and w.word not in _CONTACT_ONLY and "THIS_MESSAGE" not in w.tags
        for i, w in enumerate(s))


def _channel(s: list[_Word], at: int) -> bool:
    """"Balas pesan ini, tim kami akan membantu": replying offered as a way to ask; "Reply
    INFO", "balas STOP": a keyword of the bot's menu."""
    return any("THIS_MESSAGE" in x.tags for x in s[at + 1:at + 3]) or is_bot_keyword(
        [x.word for x in s[at + 1:at + 4] if x.word not in _REPLY_FILLER])


# Replying as such ("balas"), unlike typing a menu word ("ketik MENU").
_REPLY_VERBS = frozenset({"balas", "balaslah", "dibalas", "reply", "komentar", "comment",
                          "react", "respons"})


def _split_receipt(window: list[list[_Word]]) -> bool:
    """"Sudah dapat link? Bls ya", "Mohon lapor ke atasan. Bila sudah menerima undangan":
    participation named in one sentence, a report asked in a neighbouring one."""
    return any(_participation_named(a) and _report_asked(b)
               for a in window for b in window if a is not b)


_DOING = frozenset({"melakukan", "lakukan", "dilakukan", "tiru", "meniru", "ditiru",
                    "ulangi", "mengulangi", "diulangi", "mencontoh", "contoh", "do", "repeat",
                    "copy", "praktikkan", "mempraktikkan", "terapkan", "menerapkan"})
_THAT = frozenset({"itu", "tersebut", "begitu", "demikian", "serupa", "that", "this",
                   "such", "it", "ini", "gitu", "begini"})


_WITHOUT = frozenset({"tanpa", "without", "kalau tidak ada", "jika tidak ada", "no"})
_UNCOUNTED = frozenset({"dianggap", "considered", "treated", "dihitung", "counted", "sah",
                        "valid", "diterima", "accepted"})


def _proof_required(s: list[_Word]) -> bool:
    """"Tanpa bukti screenshot dianggap belum isi", "without a screenshot it doesn't count":
    proof made the condition of having taken part."""
    for k, w in enumerate(s):
        if w.word not in _WITHOUT or not any("PROOF" in x.tags for x in s[k + 1:k + 4]):
            continue
        after = s[k + 2:k + 9]
        if any(x.word in ("tetap", "still", "pun", "even") for x in after):
            continue  # "tanpa screenshot pun tetap sah": the reassurance
        denied = any(x.tags & {"STATUS_NOT", "NEGATOR", "NEGATOR_STRONG"}
                     or x.word in ("invalid", "gugur", "batal") for x in after)
        if denied and any(x.word in _UNCOUNTED or "STATUS_NOT" in x.tags for x in after):
            return True
    return False


_COERCED = frozenset({"dipaksakan", "dipaksa", "direkayasa", "rekayasa", "dibuat-buat",
                      "diarahkan", "dikondisikan", "palsu", "forced", "fake", "rigged",
                      "coached", "manipulated", "dimanipulasi"})
_WORTHLESS = frozenset({"percuma", "sia-sia", "useless", "pointless", "meaningless",
                        "worthless", "tidak berguna", "tak berguna", "tidak bermakna"})


def _coerced_worthless(s: list[_Word]) -> bool:
    """"Nilai bagus yang dipaksakan tidak ada gunanya", "a rigged score is worthless": the
    forbidden named only to be judged worthless, a warning against it."""
    if not any(w.word in _COERCED for w in s):
        return False
    words = [w.word for w in s]
    return any(w in _WORTHLESS for w in words) or any(
        a in ("tidak ada", "tak ada", "gak ada", "nggak ada", "no") and b.startswith(
            ("guna", "artinya", "manfaat", "use", "value", "point"))
        for a, b in itertools.pairwise(words))


_TYPE_VERBS = frozenset({"ketik", "ketikkan", "tulis", "type", "kirim", "balas", "send",
                         "reply"})
_FOR_EXAMPLE = frozenset({"misalnya", "misal", "contoh", "contohnya", "example", "e.g.",
                          "eg", "seperti"})


def _typed_example(s: list[_Word]) -> None:
    """"Ketik TANYA diikuti pertanyaan Anda, misalnya: TANYA berapa lama pengisiannya": the
    example is what the reader may type to the bot, asked of no one."""
    typed = {s[k + 1].word for k, w in enumerate(s[:-1]) if w.word in _TYPE_VERBS}
    for k, w in enumerate(s):
        if w.word not in _FOR_EXAMPLE and not ("ITSELF" in w.tags and w.word.startswith(
                "misal")):
            continue
        rest = [j for j in range(k + 1, len(s)) if s[j].word not in (":", ",", '"', "'")]
        if rest and s[rest[0]].word in typed:
            for j in range(rest[0], len(s)):
                if s[j].word in _SENTENCE_END:
                    break
                s[j].off = True
            return


_PROVEN = frozenset({"terbukti", "ketahuan", "kedapatan", "proven", "found"})
_WRONGS = frozenset({"mengarahkan", "memaksa", "mengintimidasi", "mengancam", "menekan",
                     "mengondisikan", "steering", "pressuring", "forcing", "coaching"})


def _proven_wrongs(s: list[_Word]) -> None:
    """"KPK dapat menahan nilai instansi yang terbukti mengarahkan pengisian": the steering
    named as a wrong found out, like a violation told."""
    for k, w in enumerate(s[:-1]):
        if w.word in _PROVEN and (s[k + 1].word in _WRONGS or "FRAME_ASK" in s[k + 1].tags):
            w.tags = w.tags | {"VIOLATION"}


_PENALTY = frozenset({"menurunkan", "diturunkan", "turun", "ditahan", "menahan", "dikoreksi",
                      "koreksi", "dibatalkan", "didiskualifikasi", "gugur", "dianulir",
                      "withheld", "withhold", "withholds", "lowered", "lowers", "cut",
                      "penalised", "penalized", "cancelled", "voided", "disqualified"})
_UNCOVERED = frozenset({"mengungkap", "menemukan", "mendapati", "membongkar", "uncovered",
                        "found", "discovered", "caught"})
_ASKING_WORDS = frozenset({"beri", "berikan", "kasih", "give", "jawab", "jawablah", "isi",
                           "pilih", "make", "pastikan", "usahakan", "tolong", "mohon", "harap"})


def _penalised_by_kpk(s: list[_Word]) -> bool:
    """"Pengarahan jawaban menjadi faktor koreksi yang menurunkan nilai", "KPK withheld the
    scores of offices that gathered staff", "KPK pernah mengungkap kasus unit yang diarahkan":
    what KPK does to an office's score when the survey is steered, told as a wrong found out
    and punished, with nothing asked of the reader (who is not told how to rate)."""
    parts = {p for w in s if not w.off for p in w.word.split()}
    kpk_acts = _has(s, "KPK") or "koreksi" in parts
    penalised = bool(parts & _PENALTY) and _has(s, "SCORE")
    uncovered = any("KPK" in w.tags and any(x.word in _UNCOVERED for x in s[k + 1:k + 4])
                    for k, w in enumerate(s))
    asks = _has(s, "REQUEST", "PRESSURE", "REWARD") or bool(parts & _ASKING_WORDS) \
        or any(w.word == "?" for w in s)
    return kpk_acts and (penalised or uncovered) and not asks


def _disowns_before(s: list[_Word]) -> bool:
    """"Kami tidak akan melakukan hal seperti itu", "jangan ditiru", "we will never do
    that": the sentence before was an example of the forbidden, told to be refused."""
    for k, w in enumerate(s):
        if not (w.tags & {"NEGATOR", "NEGATOR_STRONG"} or w.word in ("never", "jangan")):
            continue
        for j in range(k + 1, min(k + 4, len(s))):
            if s[j].word in _DOING and (
                    any(x.word in _THAT for x in s[j + 1:j + 5])
                    or j + 1 >= len(s) or _is_clause_end(s[j + 1])):
                return True
    return False


# Events of an office other than the survey: "ada donor darah di aula, yuk ikut",
# "isi daftar hadir pelatihan K3".
EVENTS = frozenset({"rapat", "apel", "senam", "upacara", "pelatihan", "donor", "seminar",
                    "webinar", "lomba", "arisan", "pengajian", "workshop", "bimtek", "diklat",
                    "training", "meeting", "syukuran", "halalbihalal", "vaksinasi",
                    "posyandu", "olahraga", "rakor", "briefing", "sosialisasi", "kajian",
                    "outbound", "gathering", "bazar", "pameran", "turnamen", "tasyakuran",
                    "pertandingan", "porseni", "konser", "nobar", "bukber", "kebaktian",
                    "ibadah", "baksos", "match", "concert", "tournament", "pentas", "festival",
                    "karnaval", "jalan sehat"})
_JOINING = frozenset({"ikut", "ikuti", "mengikuti", "hadir", "hadiri", "menghadiri",
                      "join", "attend", "datang", "datangi", "meramaikan", "ramaikan",
                      "menonton", "nonton", "saksikan", "menyaksikan", "watch"})
_OF_THE_SURVEY = frozenset({"SURVEY", "INVITE", "ANSWERS", "FILL_NOUN", "KPK", "PROOF",
                            "SELECT", "SELECT_WEAK", "SCORE", "RECEIVE", "OTHER_LINK"})


def _about_another_event(s: list[_Word], *, survey_text: bool) -> bool:
    """A sentence about another event of the office, naming nothing of the survey: joining
    is joining that event, a form filled in is its own. In a text about the survey, people
    asked to join an event may be gathered for it ("Selamat kepada yang terpilih. Mohon
    hadir di briefing Jumat"), so only an event merely named is set aside there."""
    events = [k for k, w in enumerate(s) if w.word in EVENTS and not w.off]
    # "rapat koordinasi tim zona integritas": a score word in the event's own name is its
    # topic, not the survey's score.
    named = {j for k in events for j in range(k + 1, min(k + 5, len(s)))
             if not any(_is_clause_end(x) for x in s[k + 1:j + 1])}
    if not events or any(w.tags & (_OF_THE_SURVEY - {"SCORE"} if j in named
                                   else _OF_THE_SURVEY) for j, w in enumerate(s)):
        return False
    if survey_text and any(w.word in _JOINING for w in s):
        return False
    for k, w in enumerate(s):
        if "FILL" not in w.tags or w.word in _JOINING or w.tags & {"STATUS", "STATUS_NOT"}:
            continue  # "yang belum": the act elided is the one named after it
        # "mengisi daftar hadir pelatihan": the event's own form
        form = [j for j in range(k + 1, min(k + 3, len(s))) if "FORM" in s[j].tags]
        if not form or not any(j in events for j in range(form[0] + 1, form[0] + 3)):
            return False
    return True
