"""Refuses broadcast texts that would breach SPI integrity, read as sentences, not keywords.

KPK withheld the scores of institutions that asked who received the survey, collected answers
or proof, briefed or gathered respondents, or pressed them. The check is built for recall: a
text is refused when one of its sentences (or up to three neighbouring ones) pairs an ask with a
forbidden object, e.g. "report" + "received the invitation", "send" + "answers", "give" +
"a good score". Words are first normalised (chat spellings, stems, small typos: see
core/wording.py and integrity_words.toml), and what is said under a negation ("Jangan
kirimkan jawaban"), as someone else's ask ("bila ada yang meminta...") or as a violation
("... melanggar aturan SPI") does not count, so warnings against the forbidden pass. Last,
the policy: an ask about the survey must be for an approved act (fill it in from one's own
experience, recognise the invitation, register, report scams, stop); any other is refused.
Beyond word pairs, the check reads policy frames that hold whatever the words. Every
broadcast is about the survey, so "sudah mengisi" needs no "survei" beside it.
`forbidden_acts` reads the same policy from a recipient's side, for the checker.

The check is one reasoning over four modules, each importing only from those before it:

- outreach/integrity_norm.py: spellings made comparable (regional words, digits for letters,
  words without vowels, "-in" endings);
- outreach/integrity_reading.py: how a text is read: tagging, sentences, clauses, and the
  passes that mark what does not count (negations, someone else's ask, reported questions,
  announcements, KPK's and the sender's own acts);
- outreach/integrity_frames.py: the policy frames, predicates over a sentence or a window of
  sentences (rating, threat, consequences for non-participants, asks on condition, ...);
- this module: the public API (`check_text`, `forbidden_acts`, `check_broadcast`,
  `fill_template`, `fill_placeholders`, `Verdict`, `REASONS`, `ALLOW_LIST_STAGE`) and the
  verdict: the passes in their order (`_reasons`) and the reasons of one sentence
  (`_sentence_reasons`); the allow-list stage (outreach/integrity_allow.py) comes next, and
  last, for a text the rules allow, the learned second opinion (outreach/integrity_model.py).

`ALLOW_LIST_STAGE` and `_ALWAYS_ON_TOPIC` are read at call time here, so setting
`outreach.integrity.ALLOW_LIST_STAGE` still switches the stage. `_normaliser` is re-exported
from integrity_reading.py. Names shared across the modules keep their leading underscore and
are imported by name (why: integrity_reading.py's docstring). The vocabulary is data.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from outreach import integrity_model
from outreach.integrity_allow import allow_list_reasons
from outreach.integrity_frames import (
    _CONTACT_ONLY,
    _JOINING,
    _TO,
    EVENTS,
    _about_another_event,
    _acts_of_participants,
    _answer_content_prohibited,
    _answers_copied,
    _answers_handled,
    _answers_to_office,
    _appeal_while_answering,
    _asks_beyond_filling,
    _asks_on_condition,
    _asks_those_who_took_part,
    _awaits_direction,
    _benefit_for_participants,
    _coerced_worthless,
    _consequence_for_non_participants,
    _directed_to_office,
    _disowns_before,
    _embedded,
    _forwarded_elsewhere,
    _gathered,
    _held_until,
    _imperative,
    _merit_reflected,
    _near,
    _office_cleared,
    _office_survey,
    _own_act_of_group,
    _own_topic,
    _participation_to_office,
    _penalised_by_kpk,
    _presumed_good,
    _proof_required,
    _proven_wrongs,
    _rating,
    _reply_ask,
    _report_asked,
    _self_check,
    _split_appeal,
    _split_duty,
    _split_receipt,
    _split_sanction,
    _survey_session,
    _targets,
    _threat,
    _typed_example,
    _unapproved_ask,
    _whether_status,
    _yours,
)
from outreach.integrity_reading import (
    _AND_OR,
    _SENDER,
    _SENTENCE_END,
    _acts_of_kpk,
    _acts_of_message_senders,
    _acts_of_sender,
    _announcement_formula,
    _arrivals,
    _checking_here,
    _checking_origin,
    _contact_upkeep,
    _contrast_denied,
    _dates_are_not_counts,
    _dealings,
    _ellipses,
    _faq_pair,
    _has,
    _is_clause_end,
    _lists_not_registration,
    _mark_scopes,
    _modals,
    _negate_backwards,
    _not_the_invitation,
    _passive,
    _registering_with_bot,
    _replies_to_reader,
    _reported_questions,
    _reports_as_documents,
    _segments,
    _sentences,
    _stemmer,
    _tag,
    _voiced_in_the_survey,
    _wishes_not_status,
    _Word,
)

# Re-exported: tests/test_broadcast_integrity_policy.py imports it from here.
from outreach.integrity_reading import _normaliser as _normaliser  # noqa: PLC0414

# Reasons, in the order they are reported; each has `broadcast.refuse_integrity_<reason>`.
# `model`: the learned second opinion (outreach/integrity_model.py) on a text the rules allow.
REASONS = ("receipt", "forward", "answers", "proof", "form_first", "gathering", "rating",
           "monitoring", "threat", "other_ask", "model")
_GUIDANCE_START = frozenset({"jika", "bila", "kalau", "apabila", "if", "pastikan", "cek",
                             "periksa", "check", "make", "ingat", "remember", "jangan",
                             "don't", "do", "abaikan", "ignore", "tanyakan"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """`allowed`, or the reasons (in REASONS' words) a broadcast text is refused."""

    text: str
    reasons: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.reasons

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "verdict": "allowed" if self.allowed else "refused",
                "reasons": list(self.reasons)}


_WATCHING = frozenset({
    "pantau", "memantau", "dipantau", "pemantauan", "pantauan", "monitor", "monitoring",
    "monitored", "track", "tracking", "tracked", "tally", "individually", "satu per satu",
    "one by one", "checking in", "check in with", "rekap", "merekap", "direkap",
    "rekapitulasi", "absensi", "presensi", "dashboard", "progres", "progress", "persentase",
    "percent", "persen", "keep track", "keep a list", "daftar nama"})


def _sentence_reasons(s: list[_Word], message_asks_reply: bool,
                      rhetorical: bool, last: bool, *, topic: bool = False,
                      received_message: bool = False) -> set[str]:
    """`topic`: the message names the survey elsewhere, so "mengisi", "sudah masuk" in this
    sentence are about it ("SPI sudah berjalan. Kalau sudah mengisi, kabari saya").
    `received_message`: the text is a message someone received (the checker), which may be
    KPK's own: KPK may tell the reader their own status ("survei Anda belum selesai"), and
    asks beyond filling in that no act names are the checker's to weigh, not refused here."""
    reasons: set[str] = set()
    if _has(s, "VIOLATION"):
        return reasons
    if _has(s, "POPULATION") and not _has(s, "RECEIVE", "FILL", "SELECT", "FILL_NOUN",
                                          "ANSWERS", "PROOF", "STEER"):
        return reasons  # the inspectorate's one task: staff contact data for KPK's population
    # "Inspektorat telah menyampaikan data pegawai kepada KPK": the office that opens the
    # sentence is who acts, not where anything goes.
    official_only = _targets(s, "OFFICIAL_PLACE") and not _targets(s, "LOCAL_PLACE") \
        and not any(not w.off and "LOCAL_PLACE" in w.tags and "OFFICIAL_PLACE" not in w.tags
                    and w.word not in _SENDER and not (
                        (k == 0 or _is_clause_end(s[k - 1])) and k + 1 < len(s)
                        and "STATUS" in s[k + 1].tags)
                    for k, w in enumerate(s))
    kpk_subject = any("KPK" in w.tags for w in s[:2]) or _done_by_kpk(s)
    question = any(w.word == "?" for w in s)
    received = _has(s, "RECEIVE") and (topic or _has(s, "SURVEY", "INVITE", "KPK", "ITSELF")) \
        and not (_has(s, "THIS_MESSAGE") and not _has(s, "SURVEY")) and not _has(s, "THANKS")
    filled = _has(s, "FILL") and (topic or _has(s, "SURVEY", "STATUS", "ITSELF")
                                  or any(w.word in ("setelah", "after", "once") for w in s))
    # "Yang sudah dapat, lapor": the invitation goes without saying.
    received = received or (_has(s, "RECEIVE") and _has(s, "STATUS")
                            and not _has(s, "THIS_MESSAGE", "THANKS"))
    received = received or (_has(s, "COND_EXISTS") and _has(s, "INVITE", "SURVEY")
                            and _has(s, "SURVEY", "KPK"))
    filled = filled or _has(s, "FILL_NOUN") or (
        _has(s, "SURVEY") and any(w.word in ("setelah", "after", "once") for w in s))
    selected = _has(s, "SELECT")
    status_fact = received or filled or selected or _has(s, "SELECT_WEAK")
    asks_report = _has(s, "REPORT") or _reply_ask(s)
    help_context = _has(s, "HELP")

    if not official_only and not help_context and status_fact and (
            asks_report or (_has(s, "COLLECT") and received)):
        reasons.add("receipt")
    # "mengisi atau tidak" outside a question is "whether or not", not a question.
    asking = [w for k, w in enumerate(s) if not w.off and "ASK_QUESTION" in w.tags
              and (question or (w.word not in _WHETHER | _RELATIVE_WHO
                                and not _embedded(s, k)))]
    asks_status = bool(asking) and (
        selected or _has(s, "SELECT_WEAK")
        or ((_has(s, "STATUS") or bool(asking)) and (received or filled)))
    # "Sudah dapat link survei?" asks, unless guidance follows ("Pastikan tautannya...").
    bare_status = question and (_has(s, "STATUS") or _has(s, "YOU") or any(
        not w.off and w.word.endswith(" you") for w in s)) \
        and (received or filled or selected)
    # "Siapa yang sudah...?" wants names back, guidance after it or not.
    asks_who = any(w.word in _WHO_ASKS for w in asking)
    if (asks_status and (not rhetorical or message_asks_reply or asks_who)) \
            or (bare_status and (last or message_asks_reply)):
        reasons.add("receipt")
    # Anything about the survey to be sent, told or coordinated with the institution.
    to_us = any(not w.off and w.tags & {"REPORT", "SEND", "FORWARD", "COLLECT", "REPLY"}
                and w.word not in _CONTACT_ONLY for w in s)
    # "Laporkan ke Inspektorat atau KPK": KPK named as where a complaint may go is no topic.
    kpk_topic = any(not w.off and "KPK" in w.tags and not (
        k > 0 and s[k - 1].word in _TO | _AND_OR) for k, w in enumerate(s))
    if to_us and not official_only and not help_context and _targets(s, "LOCAL_PLACE") \
            and (_has(s, "SURVEY", "INVITE", "FILL_NOUN") or kpk_topic):
        reasons.add("receipt")
    # The policy: asked to report anything about the survey to anyone but KPK. Offers of
    # help ("hubungi kami"), scam reports and registration are not reports.
    reports = [w for w in s if not w.off and "REPORT" in w.tags and w.word not in _CONTACT_ONLY]
    if reports and not official_only and not help_context and not kpk_subject \
            and _has(s, "SURVEY", "INVITE", "FILL_NOUN") \
            and (_has(s, "YOU", "REQUEST", "WHO") or _imperative(s, reports)) \
            and not _has(s, "REGISTRATION", "THIS_MESSAGE"):
        reasons.add("receipt")
    if not official_only and not help_context and not kpk_subject and _directed_to_office(s):
        reasons.add("receipt")
    if not official_only and not help_context and not kpk_subject \
            and _participation_to_office(s, topic):
        reasons.add("receipt")
    if not official_only and not kpk_subject and _has(s, "FORWARD") and _yours(s, "INVITE") \
            and not _has(s, "REGISTRATION", "THIS_MESSAGE"):
        reasons.add("forward")  # "share the link from your SPI WhatsApp"
    if not official_only and not kpk_subject and _has(s, "FORWARD") and _has(s, "INVITE") \
            and not _has(s, "REGISTRATION", "THIS_MESSAGE") \
            and (_targets(s, "LOCAL_PLACE") or _has(s, "RECEIVE", "KPK")):
        reasons.add("forward")
    if not official_only and not kpk_subject and (
            _near(s, "SEND", ("ANSWERS",), 6) or _near(s, "COLLECT", ("ANSWERS",), 6)
            or _near(s, "REPORT", ("ANSWERS",), 6) or _near(s, "FORWARD", ("ANSWERS",), 6)
            or _near(s, "ANSWERS", ("SEND", "COLLECT", "REPORT"), 6)
            or (question and _has(s, "WH") and (_has(s, "YOU") or any(
                not w.off and w.word.endswith(" you") for w in s))
                and _has(s, "ANSWERS", "STEER")) or _answers_copied(s)):
        reasons.add("answers")
    if not kpk_subject and not official_only and any(
            _yours(part, "ANSWERS") and _has(part, "SEND", "FORWARD", "COLLECT", "REPORT",
                                             "GATHER", "MONITOR", "LOCAL_PLACE")
            and not _self_check(part) for part in _segments(s)):
        reasons.add("answers")  # "read out your answers at the briefing"
    if not kpk_subject and not official_only and not _self_check(s) and (
            _near(s, "ANSWERS", ("MONITOR", "MONITOR_WEAK"), 6)
            or _near(s, "MONITOR", ("ANSWERS",), 4) or _answers_handled(s)):
        reasons.add("answers")  # "jawaban akan kami periksa dulu": someone reads them
    strong_proof = [w for w in s if not w.off and "PROOF" in w.tags
                    and w.word not in ("bukti", "buktinya", "foto", "photo", "dokumentasi",
                                       "evidence", "selfie", "swafoto")]
    weak_proof = any(not w.off and "PROOF" in w.tags for w in s)
    if not official_only and (
            (strong_proof and (_has(s, "SEND", "COLLECT", "REPORT", "FORWARD")
                               or (_has(s, "FILL", "SURVEY") and _has(s, "REQUEST"))
                               or (_has(s, "FILL", "SURVEY")
                                   and _has(s, "MONITOR", "MONITOR_WEAK", "LOCAL_PLACE"))))
            or (weak_proof and _has(s, "FILL", "SURVEY")
                and _has(s, "SEND", "COLLECT", "REPORT", "FORM", "FORWARD"))):
        reasons.add("proof")
    if not official_only and _proof_required(s):
        reasons.add("proof")
    if (_has(s, "FORM") or (_has(s, "OTHER_LINK") and _has(s, "SURVEY", "ANSWERS"))) \
            and not _has(s, "REGISTRATION") \
            and (_has(s, "FIRST", "ANSWERS") or (_has(s, "SURVEY", "ANSWERS")
                                                 and _has(s, "FILL", "STEER"))):
        reasons.add("form_first")
    if _has(s, "FIRST") and _has(s, "FILL", "STEER", "ANSWERS") and _office_survey(s):
        reasons.add("form_first")  # "complete our internal version first"
    if (_has(s, "FILL") and (_gathered(s) or _has(s, "PLACE"))) or _survey_session(s):
        reasons.add("gathering")
    held = _held_until(s)
    if held:
        reasons.add(held)  # "Jangan isi survei sebelum pengarahan", "... until our prep session"
    if _awaits_direction(s) or (_has(s, "KNOWN_ANSWER") and not _has(s, "NEUTRAL")):
        reasons.add("rating")  # "kita semua tahu jawabannya kan?"
    if not kpk_subject and _answers_to_office(s):
        reasons.add("answers")  # "jawaban survei dikonsultasikan dulu dengan atasan"
    if _has(s, "PROXY") and not official_only:
        reasons.add("answers")  # "HP-nya bisa dititipkan ke operator, nanti diisikan"
    if not official_only and not kpk_subject and _forwarded_elsewhere(s):
        reasons.add("forward")
    if not kpk_subject and _whether_status(s):
        reasons.add("receipt")
    if _rating(s) or (topic and (_presumed_good(s) or _merit_reflected(s)
                                 or _answer_content_prohibited(s) or _office_cleared(s)
                                 or _appeal_while_answering(s))):
        reasons.add("rating")
    # Who has *not* filled it in is monitored just the same: any FILL counts here.
    any_fill = any("FILL" in w.tags for w in s)
    # "Anda belum mengisi survei." stated as a fact: someone knows who filled it in.
    you_at = next((i for i, w in enumerate(s) if "YOU" in w.tags and not w.off), None)
    claims_status = you_at is not None and not question and _has(s, "STATUS_NOT") \
        and any_fill and not any("RELATIVE" in w.tags or "COND_EXISTS" in w.tags
                                 for w in s[:you_at])
    rate = any(not w.off and "MONITOR" in w.tags and "MONITOR_WEAK" not in w.tags
               for w in s) and _has(s, "FILL_NOUN") and not any(
        w.word in ("nasional", "national") for w in s) \
        and (_has(s, "STAKE", "PEOPLE", "NUMBER") or not _has(s, "KPK", "OFFICIAL_PLACE"))
    # "Masih 20 pegawai belum isi", "daftar yang belum merespons": counts and lists of people.
    counted = any_fill and (
        (_has(s, "NUMBER") and (_has(s, "PEOPLE") or _headcount(s)))
        or _nobody_in_group(s)
        or (_has(s, "STATUS", "STATUS_NOT")
            and ((_has(s, "NUMBER") and _has(s, "WHO", "STAKE")) or _has(s, "LIST")))
        or (_has(s, "FILL_NOUN") and _has(s, "NUMBER") and _has(s, "PURPOSE", "STAKE")))
    # "Yang belum isi akan kami hubungi": the institution acting on who has not filled it in.
    chased = _has(s, "STATUS_NOT") and any_fill and _has(s, "WHO") \
        and (_has(s, "LOCAL_PLACE") or _has(s, "MONITOR"))
    managed = _has(s, "ENSURE") and _has(s, "PEOPLE") and any_fill
    per_person = managed or (_has(s, "WHO", "PEOPLE") and _has(s, "FILL_NOUN")
                             and _has(s, "MONITOR", "SANCTION", "REPORT"))
    # "We'll be checking in with each of you", "dashboard pengisian per unit": anyone's
    # participation watched, whatever the words.
    watched = any(not w.off and w.word in _WATCHING for w in s) \
        and _has(s, "WHO", "PEOPLE", "YOU", "SELECT_WEAK") \
        and _has(s, "SURVEY", "FILL", "FILL_NOUN", "SELECT_WEAK") \
        and not _has(s, "THIS_MESSAGE", "OFFICIAL_PLACE")
    # "Bidang yang paling banyak mengisi akan diberi penghargaan": rewards need a count.
    rewarded = _has(s, "REWARD") and _has(s, "FILL") and not any(
        "VIOLATION" in w.tags for w in s)
    # "pimpinan memperhatikan siapa saja yang …", "a weekly list of who has completed …".
    # "akan memantau siapa saja yang membuka link survei": the same watch in two words.
    watched = watched or any(not w.off and "MONITOR" in w.tags and (
        w.word.endswith((" siapa", " who", " siapa saja")) or (
            k + 1 < len(s) and not s[k + 1].off
            and s[k + 1].word.split()[0] in ("siapa", "who", "whoever")))
        for k, w in enumerate(s)) \
        or (_has(s, "LIST") and any(not w.off and w.word in ("who", "siapa", "who has",
                                                              "who have", "siapa saja")
                                    for w in s) and (any_fill or received or selected))
    watched_any = rate or counted or chased or per_person or watched or rewarded
    if (claims_status and not received_message) or (watched_any and not kpk_subject):
        reasons.add("monitoring")
    # "mengisi data diri": a form's field after the verb, not anyone's data watched.
    monitor_words = [w for k, w in enumerate(s) if not w.off and "MONITOR" in w.tags
                     and not (k > 0 and "FILL" in s[k - 1].tags and "COLLECT" in w.tags)]
    if not kpk_subject and monitor_words and not _own_act_of_group(s) and (
            (_has(s, "WHO") and (any_fill or received or selected))
            or selected or (_has(s, "MONITOR") and _has(s, "FILL")
                            and any(w.word in ("absensi", "presensi", "daftar hadir")
                                    for w in s))):
        reasons.add("monitoring")
    if _threat(s, question):
        reasons.add("threat")
    if not reasons and not received_message and _unapproved_ask(s):
        reasons.add("other_ask")
    if not reasons and not help_context and not kpk_subject and _acts_of_participants(s):
        reasons.add("receipt")
    if not reasons and not official_only and not help_context and _asks_on_condition(s):
        reasons.add("receipt")
    if not reasons and _asks_those_who_took_part(s):
        reasons.add("receipt")
    if not reasons and not received_message and _benefit_for_participants(s):
        reasons.add("monitoring")  # "Yang sudah isi survei boleh pulang lebih awal"
    return reasons


def _done_by_kpk(s: list[_Word]) -> bool:
    """"Pemilihan responden, pengiriman undangan dan pengolahan jawaban dilakukan oleh KPK":
    the acts named are KPK's, its agent closing the sentence after a passive verb."""
    words = [w for w in s if w.word not in _SENTENCE_END and w.word not in (
        "sendiri", "langsung", "itself", "directly", "saja", "only")]
    return len(words) >= 3 and "KPK" in words[-1].tags and words[-2].word in ("oleh", "by") \
        and (_passive(words[-3].word) or words[-3].word in (
            "done", "handled", "managed", "run", "conducted", "made", "sent", "processed"))


_HEADS = frozenset({"orang", "org", "people", "persons", "responden", "respondents",
                    "pegawai", "staff", "staf", "karyawan", "employees", "colleagues"})
_NOBODY = frozenset({"ada yang", "seorang pun", "satu pun", "satupun", "no one", "nobody",
                     "none", "anyone", "no staff"})


def _headcount(s: list[_Word]) -> bool:
    """"12 orang", "only 12 people": a number of people, whatever noun counts them."""
    return any("NUMBER" in w.tags and not w.off and k + 1 < len(s) and s[k + 1].word in _HEADS
               for k, w in enumerate(s))


def _nobody_in_group(s: list[_Word]) -> bool:
    """"Bidang Perizinan belum ada yang mengisi", "no one in Finance has done it yet": a zero
    count of a named unit, which someone has watched."""
    for k, w in enumerate(s):
        if w.off or w.word not in _NOBODY or not any(
                x.tags & {"STATUS_NOT", "NEGATOR"} or x.word in ("no one", "nobody", "none")
                for x in s[max(0, k - 1):k + 1]):
            continue
        if any("FILL" in x.tags for x in s[k + 1:k + 4]) and any(
                x.tags & {"STAKE", "MONITOR", "LOCAL_PLACE"} and x.word not in _SENDER
                for x in s[:k]):
            return True
    return False


_WHO_ASKS = frozenset({"siapa", "who", "who among", "siapa di antara", "which of you",
                       "ada yang sudah", "siapa yang sudah", "siapa saja yang sudah",
                       "who has", "who have", "anyone who has", "berapa", "how many",
                       "ada yang belum", "siapa yang belum", "adakah", "has anyone",
                       "did anyone"})
# "those who have not yet filled in": a relative clause unless it ends in "?".
_RELATIVE_WHO = frozenset({"who has", "who have", "anyone who has"})
_WHETHER = frozenset({"atau tidak", "or not", "atau belum", "sudah belum", "udah belum"})


_IF = frozenset({"kalau", "kalo", "jika", "bila", "apabila", "if"})
_YES = frozenset({"iya", "ya", "yes", "so", "sudah", "udah", "benar", "betul", "memang"})


def _if_yes(s: list[_Word]) -> bool:
    """"..., bukan? Kalau iya, ...", "Did you get it? If so, ...": a sentence that goes on
    from the answer to the question before it wants that answer."""
    words = [w.word for w in s[:3] if w.word not in (",", "-")]
    return len(words) >= 2 and words[0] in _IF and (
        words[1] in _YES or words[1].split(" ")[-1] in _YES)


def check_text(text: str) -> Verdict:
    """The verdict on one broadcast text, as it will be read (placeholders filled)."""
    return Verdict(text, _reasons(text, received_message=False))


_HEED = frozenset({"dipatuhi", "ditaati", "patuhi", "taati", "dimaklumi", "dipahami",
                   "diindahkan", "diperhatikan", "perhatikan", "observed", "respected"})


def _heeds_prohibition(before: list[_Word], s: list[_Word]) -> bool:
    """"Tidak boleh ada pengumpulan bukti pengisian survei. Mohon dipatuhi bersama.": asked
    to heed the prohibition just stated, with nothing else asked."""
    prohibition = bool(before) and any(
        w.tags & {"NEGATOR_STRONG"} or w.word in ("tidak boleh", "dilarang")
        for w in before[:3]) and not any(w.word == "?" for w in before)
    heeds = [w for w in s if w.word in _HEED]
    rest = [w for w in s if w.word.isalpha() and w not in heeds and not w.tags & {
        "REQUEST", "GATHER"} and w.word not in ("bersama", "semua", "ya", "dengan", "baik")]
    return prohibition and bool(heeds) and not rest


def _singles_out(s: list[_Word]) -> bool:
    """People set apart by the survey: those selected, or a group of respondents or of those
    who received it ("yang sudah menerima undangan"); not "dibuka sampai tanggal 30", nor
    "Identitas responden tidak dibagikan"."""
    return any("SELECT" in w.tags for w in s) or (
        any(w.tags & {"SELECT_WEAK", "RECEIVE"} for w in s)
        and any(w.tags & {"WHO", "RELATIVE", "PEOPLE", "YOU"} for w in s))

_ALWAYS_ON_TOPIC = True
# The allow-list stage (outreach/integrity_allow.py): on. On the three held-out sets together it
# raises forbidden refused from 93.9% to 95.7% for 92.9% -> 92.1% harmless allowed (the goal asks
# >= 90%): recall of the forbidden is what the issue puts first (docs/benchmarks.md).
# scripts/eval_broadcast.py --without-allow-list measures the first stage alone.
ALLOW_LIST_STAGE = True


def forbidden_acts(text: str) -> tuple[str, ...]:
    """The forbidden acts (REASONS' words, never `other_ask`) a received message asks of its
    reader, for the authenticity checker: the same policy as for broadcasts, read from the
    recipient's side, where the sender may be KPK itself (which may remind the reader that
    their own survey is unfinished)."""
    return _reasons(text, received_message=True)


_FINISHED = frozenset({"selesai", "rampung", "beres", "finished", "completed", "done"})


def _finished_being_done(tagged: list[_Word]) -> None:
    """"Ruang laktasi sudah selesai direnovasi", "the hall is finished being painted": a thing
    finished being worked on (a passive verb after "selesai"), not anyone's filling in."""
    for w, after in itertools.pairwise(tagged):
        if w.word in _FINISHED and "FILL" in w.tags and (
                (after.word.startswith("di") and len(after.word) > 5)
                or after.word in ("being",)) \
                and not after.tags & {"FILL", "FILL_NOUN", "SURVEY", "ANSWERS", "PROOF"}:
            w.tags = w.tags - {"FILL"}


# Where a long announcement moves to another item: a blank line, or a new line opening a
# list item ("1.", "2)", "-", "•", "a.").
_ITEM_BREAK = re.compile(r"\n\s*\n|\n(?=\s*(?:\d{1,2}[.)]|[a-h][.)]|[-•*–▪])\s)")
# What names the survey, its invitation, people's part in it or a report or reply.
_OF_SURVEY_ITEM = frozenset({"SURVEY", "INVITE", "FILL_NOUN", "FILL", "SELECT", "SELECT_WEAK",
                             "KPK", "RECEIVE", "STATUS", "STATUS_NOT", "PROOF", "ANSWERS",
                             "SCORE", "STEER", "REGISTRATION"})
# A report or reply asked is the survey's too ("Kabari saya ya."), unless the item is about
# an event of its own ("Turnamen futsal Sabtu, yang mau menonton silakan datang").
_REPORTING = frozenset({"REPORT", "REPLY"})


def _sentence_key(s: list[_Word]) -> tuple[str, ...]:
    return tuple(w.word for w in s if w.word not in (".", "!", "?", ",", ":", ";"))


# Forms of the office's own that are filled in ("isi presensi harian", "mengisi daftar hadir
# apel", "isi formulir cuti"): the filling is theirs, not the survey's.
_OWN_FORMS = frozenset({"presensi", "absensi", "absen", "daftar hadir", "formulir", "form",
                        "buku tamu", "logbook", "skp", "e-kinerja", "lembar kerja"})
# Words by which an item points back at the survey named before it ("survei tersebut").
_BACK_REFERENCE = frozenset({"tersebut", "hal ini", "hal tersebut", "the survey", "said"})
_LIST_ITEM = re.compile(r"\s*(?:\d{1,2}[.)]|[a-h][.)]|[-•*–▪])\s")


def _own_form_filled(parts: list[list[_Word]]) -> set[int]:
    """The words (by id) of "isi presensi harian", "mengisi formulir cuti": a form of the
    office's own filled in, in an item that names the survey nowhere."""
    if any(w.tags & {"SURVEY", "INVITE", "FILL_NOUN", "KPK", "ANSWERS", "PROOF"}
           for part in parts for w in part):
        return set()
    own: set[int] = set()
    for part in parts:
        for fill, form in itertools.pairwise(part):
            if "FILL" in fill.tags and form.word in _OWN_FORMS \
                    and not fill.tags & {"STATUS", "STATUS_NOT"}:
                own |= {id(fill), id(form)}
                after = part[part.index(form) + 1:part.index(form) + 2]
                own |= {id(w) for w in after if w.word.isalpha()}  # "formulir cuti"
    return own


# For the first stage, what the policy's frames read names the survey's matter too: coaching,
# steering, a duty, a sanction, a list ("Kami lampirkan contoh jawaban", "Wajib ya!").
_OF_SURVEY_POLICY = _OF_SURVEY_ITEM | frozenset({
    "COACH", "COORDINATE", "KNOWN_ANSWER", "DIRECTION", "APPEAL", "PROXY", "LIST",
    "NONPARTICIPATION", "DUTY", "SANCTION", "CONSEQUENCE", "PRESSURE", "WAITING", "REWARD",
    "POSITIVE", "NEGATIVE_CONTENT", "ITSELF", "THIS_MESSAGE", "BOT", "POPULATION"})


@dataclass(frozen=True)
class _Item:
    """One paragraph or list item of a long announcement, tagged once for both stages."""

    parts: list[list[_Word]]
    listed: bool  # a list item ("1. ...", "- ...")
    heading: bool  # ends with a colon: what follows may be its list


def _items_of(text: str) -> list[_Item]:
    """A long announcement's paragraphs and list items, tagged; [] for a text of one item."""
    blocks = [b for b in _ITEM_BREAK.split(text) if b.strip()]
    if len(blocks) < 2:
        return []
    items = []
    for block in blocks:
        tagged = _tag(block)
        _repair_tags(tagged)
        items.append(_Item(_sentences(tagged), bool(_LIST_ITEM.match(block)),
                           block.rstrip().endswith(":")))
    return items


def _items_off_the_survey(items: list[_Item], *,
                          policy: bool = False) -> set[tuple[str, ...]]:
    """The sentences (by their words) of a long announcement's paragraphs or list items that
    name nothing of the survey, its people, reports or replies ("Koperasi membagikan SHU di
    ruang 2. Bawa kartu anggota."): another item of the office's, whatever it asks. A
    sentence also found in an item about the survey is not among them, nor an item pointing
    back at the survey ("survei tersebut") or a list item under a heading naming it
    ("Ketentuan pengisian SPI:" then "1. Kumpul di aula jam 9")."""
    off: set[tuple[str, ...]] = set()
    on: set[tuple[str, ...]] = set()
    under_heading = previous_named = False
    for item in items:
        parts, listed = item.parts, item.listed
        words = " ".join(w.word for part in parts for w in part)
        event = any(w.word in EVENTS for part in parts for w in part) or any(
            f" {e} " in f" {words} " for e in EVENTS if " " in e)
        own = _own_form_filled(parts)
        if event and policy:
            # "Pentas seni Sabtu, keluarga boleh ikut datang menonton": joining the event.
            own |= {id(w) for part in parts for w in part if w.word in _JOINING}
            # "Lomba foto kegiatan kantor": a photo of the event, its own matter.
            own |= {id(w) for part in parts for w, after in itertools.pairwise(part)
                    if "PROOF" in w.tags and (after.word in EVENTS
                                              or after.word in ("kegiatan", "acara"))}
        naming = _OF_SURVEY_POLICY if policy else _OF_SURVEY_ITEM
        named = any(w.tags & (naming if event else naming | _REPORTING)
                    and id(w) not in own for part in parts for w in part)
        if not listed:
            under_heading = False
        carried = (listed and under_heading) or (previous_named and any(
            w.word in _BACK_REFERENCE for part in parts for w in part))
        for part in parts:
            (on if named or carried else off).add(_sentence_key(part))
        if not listed:
            under_heading = named and item.heading
        previous_named = named or carried
    return off - on


# What a sentence may name that could be the survey's errand: a gathering, a form, a list,
# a record, a link, a report or reply.
_ERRAND_OF_SURVEY = _OF_SURVEY_POLICY | _REPORTING | frozenset({
    "GATHER", "FORM", "MONITOR", "MONITOR_WEAK", "LIST", "OTHER_LINK", "REPLY_TOKEN", "NAME",
    "COLLECT", "SEND", "FORWARD", "WHO", "PEOPLE", "YOU", "STAKE", "FRAME_ASK", "HELP"})


def _office_errand(s: list[_Word]) -> bool:
    """"Mohon matikan AC dan lampu ruangan sebelum pulang": a sentence, even inside a
    paragraph about the survey, that names nothing the survey's errands could be made of
    (nor people, nor a place to gather with a gathering)."""
    return not any((w.tags & _ERRAND_OF_SURVEY and not (
        w.tags & _ERRAND_OF_SURVEY <= {"STAKE", "FRAME_WHO"} and k > 0
        and s[k - 1].word in _WHERE)) or w.word in _BACK_REFERENCE for k, w in enumerate(s))


# "meninggalkan kantor", "di kantor": the office as a place, not what is at stake.
_WHERE = frozenset({"di", "ke", "dari", "meninggalkan", "masuk", "keluar", "pulang", "in",
                    "at", "leave", "leaving"})


def _made_of(key: tuple[str, ...], items: set[tuple[str, ...]]) -> bool:
    """Whether a sentence of the whole text is one or more of the items' sentences run
    together (a heading with no full stop and the list item after it read as one)."""
    if not items or not key:
        return False
    lengths = sorted({len(k) for k in items})
    reach = [True] + [False] * len(key)
    for start in range(len(key)):
        if reach[start]:
            for n in lengths:
                if start + n <= len(key) and key[start:start + n] in items:
                    reach[start + n] = True
    return reach[len(key)]


_ADDRESS_WORDS = frozenset({"email", "e-mail", "surel", "mail"})
_TOWARDS = frozenset({"ke", "kepada", "to", "lewat", "melalui", "via"})


def _mail_addresses(tagged: list[_Word]) -> None:
    """"Karya dikirim ke email panitia": an office's e-mail address that something goes to,
    not the invitation e-mail (which is received: "dapat email dari KPK")."""
    for before, w, after in zip(tagged, tagged[1:], tagged[2:], strict=False):
        if w.word in _ADDRESS_WORDS and before.word in _TOWARDS and "INVITE" in w.tags \
                and after.tags & {"LOCAL_PLACE", "NAME"}:
            w.tags = w.tags - {"INVITE"}


_NEWS = frozenset({"kabar", "berita", "info", "informasi", "pengumuman", "news", "updates"})
_SOME = frozenset({"ada", "beberapa", "satu", "dua", "tiga", "sedikit", "some", "a few", "two"})
_ATTENDING = frozenset({"hadir", "datang", "mengikuti", "ikut", "menghadiri", "attended",
                        "joined", "came"})
# Sessions that inform all staff, unlike a briefing of respondents or a filling session.
_INFORMING_EVENTS = frozenset({"sosialisasi", "seminar", "webinar", "bimtek", "kajian",
                               "pelatihan", "workshop", "training"})
# What "mengikuti" follows when it is no taking part: a rule, a circular, a schedule.
_RULES = frozenset({"edaran", "surat edaran", "aturan", "ketentuan", "jadwal", "petunjuk",
                    "sop", "kalender", "keputusan", "instruksi"})


_UNTIL = frozenset({"sampai", "hingga", "sampe", "until"})
_SHOWS = frozenset({"menunjukkan", "menunjukan", "memperlihatkan", "menampilkan", "shows",
                    "show"})
_WHEN = frozenset({"tanggal", "tgl", "hari", "jam", "pukul", "akhir", "awal", "pertengahan",
                   "minggu", "bulan", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu",
                   "minggu depan", "besok", "lusa", "nanti", "sore", "malam", "siang"})


def _news_and_thanks(tagged: list[_Word]) -> None:
    """"Ada dua kabar", "beberapa info": news, told, no report asked; "terima kasih … yang
    sudah hadir": an attendance thanked, not asked; "Cuti bersama mengikuti edaran Sekda": a
    date following a rule, no one taking part."""
    thanks = False
    for k, w in enumerate(tagged):
        if w.word in _SENTENCE_END:
            thanks = False
        thanks = thanks or "THANKS" in w.tags
        if w.word in _NEWS and "REPORT" in w.tags and (
                (k > 0 and (tagged[k - 1].word in _SOME or "NUMBER" in tagged[k - 1].tags))
                or (k == 0 and k + 1 < len(tagged) and tagged[k + 1].word in (
                    "dari", "from", "singkat", "terbaru"))):
            w.tags = w.tags - {"REPORT"}
        if thanks and w.word in _ATTENDING and k > 0 and "STATUS" in tagged[k - 1].tags:
            w.tags = w.tags - {"REPORT", "REPLY_TOKEN"}
            tagged[k - 1].tags = tagged[k - 1].tags - {"REPLY_TOKEN"}
            at = tagged[k + 1:k + 3]
            if at and (at[0].word in _INFORMING_EVENTS or (
                    at[0].word in ("di", "pada", "in", "at") and at[1:]
                    and at[1].word in _INFORMING_EVENTS)):
                w.tags = w.tags - {"FILL"}  # "… yang sudah mengikuti sosialisasi SPI"
        if w.word in _SHOWS and "SEND" in w.tags and any(
                "SCORE" in x.tags for x in tagged[max(0, k - 3):k]):
            w.tags = w.tags - {"SEND"}  # "Indeks SPI menunjukkan …": a score shows, no one sends
        if w.word in _UNTIL and "RECEIVE" in w.tags and k + 1 < len(tagged) and (
                tagged[k + 1].word in _WHEN or "NUMBER" in tagged[k + 1].tags):
            w.tags = w.tags - {"RECEIVE"}  # "dibuka sampai tanggal 20": until, no arrival
        if w.word in ("mengikuti", "ikuti", "follows") and k + 1 < len(tagged) \
                and tagged[k + 1].word in _RULES:
            w.tags = w.tags - {"FILL"}
            tagged[k + 1].tags = tagged[k + 1].tags - {"DUTY"}


def _repair_tags(tagged: list[_Word]) -> None:
    """The word-level repairs made before a text (or an item of it) is read as sentences."""
    _finished_being_done(tagged)
    _mail_addresses(tagged)
    _news_and_thanks(tagged)
    _dealings(tagged)
    _lists_not_registration(tagged)
    _dates_are_not_counts(tagged)
    _arrivals(tagged)


_HEARSAY = frozenset({"katanya", "kabarnya", "konon", "konon katanya"})
# Saying verbs are someone's claim only after who says it ("ada yang bilang", "pesan yang
# menyebut"); alone they may be the sender's ask ("bilang saja belum").
_SAYING_OF = frozenset({"bilang", "menyebut", "menyebutkan", "mengatakan", "says", "said",
                        "claims", "claiming"})
_DENIALS = frozenset({"sukarela", "keliru", "tidak benar", "tak benar", "hoaks", "hoax",
                      "bohong", "salah", "voluntary", "false", "not true", "untrue"})


def _hearsay_denied(s: list[_Word], after: list[_Word]) -> None:
    """"Jangan percaya omongan yang katanya SPI itu wajib. SPI sukarela.": a claim told as
    someone's word and denied (by a negation before it or a denial after it) is no duty of
    the sender's."""
    for k, w in enumerate(s):
        if w.word not in _HEARSAY and not (w.word in _SAYING_OF and k > 0 and s[k - 1].word in (
                "yang", "who", "that", "which")):
            continue
        denied = any(x.tags & {"NEGATOR", "NEGATOR_STRONG"} for x in s[:k]) \
            or any(x.word in _DENIALS for x in after[:4])
        if denied:
            for x in itertools.takewhile(lambda x: not _is_clause_end(x), s[k + 1:]):
                x.off = True
        return


def _reasons(text: str, *, received_message: bool) -> tuple[str, ...]:
    tagged = _tag(text)
    _repair_tags(tagged)
    _not_the_invitation(tagged, received_message=received_message)
    _modals(tagged)
    _ellipses(tagged)
    sentences = _sentences(tagged)
    for s in sentences:
        _wishes_not_status(s)
        _contact_upkeep(s)
        _registering_with_bot(s)
        _reported_questions(s)
        _announcement_formula(s)
        _reports_as_documents(s)
        _checking_here(s)
        _checking_origin(s)
        _replies_to_reader(s)
        _mark_scopes(s)
        _negate_backwards(s)
        _acts_of_kpk(s)
        _contrast_denied(s)
        _acts_of_sender(s)
        _acts_of_message_senders(s)
        _voiced_in_the_survey(s)
    for s, after in itertools.pairwise([*sentences, []]):
        _hearsay_denied(s, after)
    # "Laporan kinerja bulanan dikirim ke Subbag Program": a sentence whose act has an object
    # of its own and names nothing of the survey is about that object, not the survey.
    survey_text = any(w.tags & {"SURVEY", "INVITE", "KPK"} for s in sentences for w in s)
    # An event joined is suspect in a text about the survey only right after people singled
    # out by it ("Selamat kepada yang terpilih. Mohon hadir di briefing Jumat"); in a long
    # announcement "Rapat koordinasi Selasa, mohon hadir" is another item of the office's.
    # (A text of no sentence at all, "🙏" alone, has nothing to set aside.)
    singled = [False, *(_singles_out(s) for s in sentences[:-1])][:len(sentences)]
    # A long announcement is judged item by item: an item naming nothing of the survey (nor
    # pointing back at it) is another matter of the office's, whatever it asks ("Jangan lupa
    # isi presensi harian", "yang mau menonton silakan datang"); a forbidden ask buried in a
    # long text names what it asks for in its own item.
    items = [] if received_message else _items_of(text)  # tagged once, read by both stages
    other_items = _items_off_the_survey(items, policy=True)
    sentences = [s for s, after_singled in zip(sentences, singled, strict=True)
                 if not _own_topic(s) and not _made_of(_sentence_key(s), other_items)
                 and not _about_another_event(s, survey_text=survey_text and after_singled)]
    for s in sentences:
        _typed_example(s)
        _proven_wrongs(s)
        if s and _penalised_by_kpk(s):
            for w in s:
                w.off = True  # a penalty KPK sets on steering, told: nothing asked
        if s and _coerced_worthless(s):
            s[0].tags = s[0].tags | {"VIOLATION"}
    for s, after in itertools.pairwise(sentences):
        if s and _disowns_before(after):
            # "Di daerah lain pegawai diarahkan jawabannya. Kami tidak akan melakukan hal
            # seperti itu.": the example is told as one to refuse, like a violation.
            s[0].tags = s[0].tags | {"VIOLATION"}
    for question, answer in itertools.pairwise(sentences):
        if _faq_pair(question, answer):
            for w in question:
                w.off = True  # "Berapa lama mengisinya? Sekitar 10 sampai 15 menit."
    asks_reply = any(_report_asked(s) for s in sentences)
    topic = True if _ALWAYS_ON_TOPIC else any("SURVEY" in w.tags for s in sentences for w in s)
    found: set[str] = set()
    for i, s in enumerate(sentences):
        following = sentences[i + 1] if i + 1 < len(sentences) else []
        rhetorical = bool(following) and (following[0].word in _GUIDANCE_START
                                          or any("VIOLATION" in w.tags for w in following))
        # "Sudah diterima semua? Mohon tanggapannya": what follows a question asks for more
        # than filling in, so the question wants an answer.
        answer_wanted = not following or _asks_beyond_filling(following) \
            or _if_yes(following)
        found |= _sentence_reasons(s, asks_reply, rhetorical, answer_wanted, topic=topic,
                                   received_message=received_message)
        for end in (i + 2, i + 3):
            if end <= len(sentences):
                # A forbidden ask split over sentences: "Sudah dapat link? Lapor ke admin."
                window = sentences[i:end]
                if _split_receipt(window):
                    found.add("receipt")
                if _split_appeal(window):
                    found.add("rating")
                joined = [w for part in window for w in part]
                if not any(_has(part, "VIOLATION") for part in window) and (
                        _consequence_for_non_participants(joined) or _split_duty(window)
                        or _split_sanction(window)):
                    found.add("threat")
    if not found and not received_message and ALLOW_LIST_STAGE:
        # Second stage, built for recall: what a broadcast asks must be on the allow-list.
        heeded = [False][:len(sentences)] + [_heeds_prohibition(before, s)
                            for before, s in itertools.pairwise(sentences)]
        other_items = _items_off_the_survey(items)
        found |= allow_list_reasons([s for s, h in zip(sentences, heeded, strict=True)
                                     if not h and _sentence_key(s) not in other_items
                                     and not _office_errand(s)], _stemmer().stem)
    if not found and not received_message and integrity_model.refuses(text):
        # Third, a learned second opinion built for recall (staff side only: a broadcast is
        # checked when written, not per message sent); off with SPI_BROADCAST_MODEL=off.
        found.add("model")
    return tuple(r for r in REASONS if r in found)


SAMPLE_VALUES = {"nama": "Budi Santoso", "unit": "Dinas Kependudukan"}


def fill_template(body: str, variables: Mapping[str, str]) -> str:
    """A WhatsApp template body with its {{1}}, {{2}}... replaced by the variables' values."""
    for key, value in variables.items():
        body = body.replace("{{" + key + "}}", value)
    return body


def fill_placeholders(text: str) -> str:
    """{nama} and {unit} replaced by sample values, as a recipient would read them."""
    for name, value in SAMPLE_VALUES.items():
        text = text.replace("{" + name + "}", value)
    return text


def check_broadcast(text: str, template_body: str | None = None,
                    variables: Mapping[str, str] | None = None) -> Verdict:
    """Every text a recipient may read: the free text, and the template body with every
    variable substituted (so a forbidden sentence split over two variables is whole again).
    The verdict's text is the first that was refused, or the free text."""
    readings = [fill_placeholders(text)]
    if template_body is not None:
        readings.append(fill_placeholders(fill_template(template_body, variables or {})))
    readings.extend(fill_placeholders(v) for v in (variables or {}).values())
    for reading in readings:
        verdict = check_text(reading)
        if not verdict.allowed:
            return verdict
    return Verdict(text)
