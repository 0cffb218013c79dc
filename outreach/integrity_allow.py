"""The broadcast check's second stage: an allow-list of what a broadcast may ask.

The first stage (outreach/integrity.py, its frames in integrity_frames.py) looks for forbidden
frames and names the reason. Texts written by people who never saw its lists paraphrase the
forbidden in ways no list enumerates ("tinggalkan namanya di sini", "lengkapi dulu daftar
hadir", "bales 'sudah' di sini"). This stage reads the other way round: every clause that asks
something of the reader (a politeness or directive marker, an imperative, "bisa …?", "X agar
…", "… dapat disampaikan ke …") must ask one of a short closed list of acts, or it is refused
as `other_ask`:

- fill in or answer the survey (honestly, from one's own experience), take part;
- check or recognise the genuine link or sender, ignore, refuse, delete or beware of scams;
- report scams or breaches (to KPK, 198, the official channels);
- contact the inspectorate or the bot with questions; read the notice; save the number;
- reply or type a keyword the bot understands (STOP, HAPUS DATA, DATA SAYA, INFO, DAFTAR);
- register as a prospective respondent through the bot or the QR code; wait for KPK's
  invitation; support the survey; try again later.

A directive under a negation ("jangan kirim screenshot", "tidak perlu melapor") asks nothing.
Statements that announce recording, listing, checking or reporting who took part, or a
consequence for not taking part, are refused (`monitoring`, `threat`) whatever the verb,
unless negated ("kami tidak mencatat siapa yang mengisi").

Only texts about the survey are read (a notice about office hours asks what it likes). The
vocabulary is data: integrity_allow.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol


class Token(Protocol):
    """A word as outreach/integrity_reading.py tags it (`_Word`), as this stage reads it."""

    word: str
    tags: frozenset[str]
    off: bool


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    lists: dict[str, frozenset[str]]
    families: tuple[tuple[str, frozenset[str]], ...]

    def __getitem__(self, name: str) -> frozenset[str]:
        return self.lists[name]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data = tomllib.loads(resources.files("outreach").joinpath("integrity_allow.toml")
                         .read_text("utf-8"))
    lists = {name: frozenset(values) for section in ("markers", "objects")
             for name, values in data[section].items()}
    families = tuple((name, frozenset(values)) for name, values in data["families"].items())
    return _Vocabulary(lists, (*families, ("OTHER", lists["other_verbs"])))


_CLAUSE_END = frozenset({",", ";", ":", ".", "!", "?", "\n"})
_SEQUENCERS = frozenset({"lalu", "kemudian", "terus", "then", "trus", "setelah itu", "baru",
                         "tapi", "tetapi", "namun", "but", "however", "sedangkan", "melainkan",
                         "and then", "habis itu", "abis itu"})
_AND = frozenset({"dan", "and", "serta", "atau", "or", "&"})
_SURVEY_CONTEXT = frozenset({"SURVEY", "INVITE", "FILL_NOUN", "SELECT_WEAK", "KPK", "FILL",
                             "REGISTRATION", "SELECT"})
_PARTICIPATION_TAGS = frozenset({"FILL", "RECEIVE", "SELECT"})
_LOCAL_NEGATION_BEFORE = frozenset({"yang", "who", "bagi", "that", "yg", "sing", "nu"})


@dataclass(slots=True)
class _Clause:
    tokens: list[Token]
    question: bool  # the sentence it belongs to ends in "?"

    @property
    def text(self) -> str:
        return " " + " ".join(t.word for t in self.tokens) + " "


Stem = Callable[[str], str]


def allow_list_reasons(sentences: Sequence[Sequence[Token]], stem: Stem) -> set[str]:
    """The reasons (REASONS' words) the allow-list stage refuses a broadcast for."""
    if not any(t.tags & _SURVEY_CONTEXT for s in sentences for t in s):
        return set()
    reasons: set[str] = set()
    previous: list[_Clause] = []
    for sentence in sentences:
        clauses = _clauses(sentence, stem)
        checking = _checks_a_message(sentence)
        for k, clause in enumerate(clauses):
            before = clauses[max(0, k - 2):k]
            if k == 0 and len([t for t in clause.tokens if not _skip(t)]) == 1:
                # "Itu penipuan. Laporkan.": a bare verb acts on what was just said
                before = previous[-2:]
            if _directive_verb(clause, stem) is None:
                reasons |= _statement_reasons(clause, clauses[:k], stem)
            elif _asks_unlisted(clause, before, stem, checking=checking):
                reasons.add("other_ask")
        previous = clauses
    return reasons


def is_bot_keyword(words: Sequence[str]) -> bool:
    """The words (after a reply verb) open with a keyword of the bot's menu: "STOP",
    "HAPUS DATA", "INFO"."""
    keywords = _vocabulary()["keywords"]
    return bool(words) and (words[0] in keywords or " ".join(words[:2]) in keywords)


_POLICY_LISTS = ("REPORT", "form", "participation_nouns", "monitor", "consequence", "coach")


def policy_word(word: str, stems: Sequence[str]) -> bool:
    """The word (or one of its stems) is a report, form, participation, monitoring,
    consequence or coaching word of this stage's lists: "confirmation", "roster"."""
    vocabulary = _vocabulary()
    families = dict(vocabulary.families)
    for name in _POLICY_LISTS:
        entries = families.get(name) or vocabulary[name]
        if word in entries or any(len(x) > 3 and x in entries for x in stems):
            return True
    return False


def _in(word: str, name: str, stem: Stem) -> bool:
    entries = _vocabulary()[name]
    return word in entries or (word.isalpha() and stem(word) in entries)


def _phrase(clause: _Clause | str, name: str, stem: Stem | None = None) -> bool:
    """One of the list's entries in the clause: a word (or its stem) or words in a row."""
    text = clause if isinstance(clause, str) else clause.text
    words = text.split()
    for entry in _vocabulary()[name]:
        if " " in entry or "/" in entry or "." in entry:
            if f" {entry} " in text:
                return True
        elif entry in words or (stem is not None and any(
                w.isalpha() and len(w) > 4 and stem(w) == entry for w in words)):
            return True
    return False


def _family(word: str, stem: Stem) -> str | None:
    vocabulary = _vocabulary()
    for name, entries in vocabulary.families:
        if word in entries:
            return name
    if " " in word:
        # A phrase the first stage joined ("menjawab apa" of "menjawab apa adanya") acts
        # as its head word.
        return _family(word.split(maxsplit=1)[0], stem)
    if word.isalpha() and len(word) > 3:
        root = stem(word)
        for name, entries in vocabulary.families:
            if root in entries and root != word:
                return name
        # "memahami" of "pahami", "dipahami": any affixed form of a listed entry's root.
        return _family_roots(stem).get(root) if root != word else None
    return None


_ROOTS: dict[str, str] = {}


def _family_roots(stem: Stem) -> dict[str, str]:
    """The roots of every single-word family entry, each to its first family."""
    if not _ROOTS:
        for name, entries in _vocabulary().families:
            for entry in entries:
                if entry.isalpha() and len(entry) > 3:
                    _ROOTS.setdefault(stem(entry), name)
    return _ROOTS


def _clauses(sentence: Sequence[Token], stem: Stem) -> list[_Clause]:
    question = any(t.word == "?" for t in sentence)
    out: list[list[Token]] = [[]]
    for i, t in enumerate(sentence):
        if t.word in _CLAUSE_END or t.word in _SEQUENCERS:
            out.append([])
            continue
        if t.word in _AND and i + 1 < len(sentence) and out[-1]:
            nxt = sentence[i + 1]
            if _family(nxt.word, stem) is not None and _imperative_form(nxt.word):
                out.append([])  # "tolak dan laporkan", "isi survei dan kirim nama"
                continue
        out[-1].append(t)
    return [_Clause(c, question) for c in out if c]


def _imperative_form(word: str) -> bool:
    """A bare or -kan/-lah/-i imperative, not a passive, active or noun form."""
    return not word.startswith(("di", "me", "ber", "ter", "pe", "ke")) or word in (
        "kerjakan", "kenali", "periksa", "pelajari", "pilih", "berikan", "beri", "perhatikan",
        "teruskan", "tetap", "terusin", "pindai", "pastikan", "hapus", "kabari", "kirim",
        "kirimkan", "bagikan", "tempel", "pencet", "tekan", "tulis", "baca", "ketik")


def _skip(t: Token) -> bool:
    vocabulary = _vocabulary()
    return t.word in vocabulary["filler"] or bool(t.tags & {"YOU", "NAME", "REQUEST"}) \
        or t.word.startswith("{") or (" " in t.word and all(
            part in vocabulary["filler"] for part in t.word.split()))  # "seluruh pegawai"


def _directive_verb(clause: _Clause, stem: Stem) -> int | None:
    """Where the first act a directive clause asks for stands, or None for no directive."""
    verbs = _directive_verbs(clause, stem)
    return verbs[0] if verbs else None


def _verb_like(word: str, stem: Stem) -> bool:
    return word.startswith(("me", "ber", "di", "meng", "mem", "men")) \
        or _family(word, stem) is not None


def _directive_verbs(clause: _Clause, stem: Stem) -> list[int]:
    """Where the acts a directive clause asks for stand: the imperative that opens it, and
    the verb after each marker ("mohon", "agar", "bisa …?", "dapat disampaikan")."""
    tokens = clause.tokens
    vocabulary = _vocabulary()
    found: list[int] = []
    first = _imperative_opening(clause, stem)
    if first is not None:
        found.append(first)
    for i, t in enumerate(tokens):
        marker = t.word in vocabulary["request"]
        if t.word in vocabulary["agar"]:
            marker = any(x.word in vocabulary["agar_subjects"] or "YOU" in x.tags
                         for x in tokens[max(0, i - 3):i]) and i + 1 < len(tokens) \
                and _verb_like(tokens[i + 1].word, stem)
        if t.word in vocabulary["channel_modals"] and i + 1 < len(tokens):
            after = tokens[i + 1].word
            if after.startswith("di") and len(after) > 5 and _family(after, stem) is not None:
                found.append(i + 1)  # "… dapat disampaikan ke subbag"
                continue
        if t.word in ("bisa", "boleh", "could you", "can you", "would you", "could", "can") \
                and clause.question:
            marker = True  # "bisa tolong kirim …?"
        if marker and t.word in _MODAL_MARKERS and not _modal_addresses_reader(tokens, i, stem):
            continue  # "link harus berakhiran kpk.go.id", "survei segera ditutup"
        if marker and any(x.word in _RELATIVES for x in tokens[max(0, i - 2):i]):
            continue  # "pesan yang meminta …", "pesen ingkang nyuwun arta": someone's ask, told
        if not marker:
            continue
        if t.word in ("pastikan", "make sure"):
            found.append(i)
            continue
        j = i + 1
        while j < min(i + 8, len(tokens)):
            x = tokens[j]
            if x.word in vocabulary["not_asks"]:
                break  # "mohon maaf", "please note"
            if x.word in vocabulary["negators"] or x.tags & {"NEGATOR", "NEGATOR_STRONG"} \
                    or x.word.startswith("not "):
                break  # "mohon tidak meneruskan", "please don't post": a warning
            if x.word in _PREPOSITIONS:
                break  # "tanya-tanya silakan ke inspektorat": the act stood before the marker
            if x.word in _SUPPOSING:
                # "mohon jika ada kendala mengisi survei hubungi inspektorat": the condition
                # is passed over to the imperative it leads to, if any.
                main = next((k for k in range(j + 1, len(tokens))
                             if _family(tokens[k].word, stem) is not None
                             and not tokens[k].word.startswith(("me", "di", "ber", "ter"))
                             and _imperative_form(tokens[k].word)), None)
                if main is None:
                    break
                j = main
                continue
            if x.word in _RELATIVES:
                # "mengajak Bapak/Ibu yang menerima undangan untuk berpartisipasi": the
                # addressee qualified; the act asked is the one after "untuk", if any.
                purpose = next((k for k in range(j + 1, len(tokens))
                                if tokens[k].word in _PURPOSE), None)
                if purpose is not None:
                    j = purpose + 1
                    continue
            if _skip(x):
                j += 1
                continue
            if x.word.isalpha() or " " in x.word or "-" in x.word:
                found.append(j)
            break
    return sorted(set(found))


_RELATIVES = frozenset({"yang", "yg", "who", "which", "that", "ingkang", "sing", "nu", "anu"})
_SUPPOSING = frozenset({"jika", "bila", "kalau", "apabila", "if", "when", "jika ada",
                        "bila ada", "kalau ada", "apabila ada", "if any", "if there is",
                        "menawi", "upami", "lamun", "seandainya"})
_PURPOSE = frozenset({"untuk", "utk", "to", "agar", "supaya", "for"})
_PREPOSITIONS = frozenset({"ke", "kepada", "dari", "pada", "di", "via", "lewat", "melalui",
                           "at", "from", "dhateng", "ka"})


# Acts of the first stage's lexicon that hand something over or show it.
_HANDING_OVER = frozenset({"SEND", "REPORT", "COLLECT", "FORWARD", "REPLY", "PROOF", "LIST",
                           "MONITOR", "GATHER", "STEER"})
_MODAL_MARKERS = frozenset({"harus", "wajib", "must", "should", "need to", "needs to",
                            "have to", "has to", "mesti", "musti", "kudu", "segera",
                            "diwajibkan", "perlu"})
_FIRST_PERSON = frozenset({"kami", "saya", "we", "i", "aku", "kita", "sy"})


def _modal_addresses_reader(tokens: Sequence[Token], at: int, stem: Stem) -> bool:
    """"Anda harus …", "harus segera isi": a duty laid on the reader; not "link harus
    berakhiran …" (a rule about a thing) nor "survei segera ditutup" (news)."""
    vocabulary = _vocabulary()
    subject = [t for t in tokens[:at] if not _skip(t) or t.tags & {"YOU"}]
    if any(t.word not in vocabulary["agar_subjects"] and not t.tags & {"YOU", "PEOPLE"}
           and t.word not in vocabulary["people"] for t in subject):
        return False
    after = next((t for t in tokens[at + 1:at + 5] if not _skip(t)), None)
    if after is None:
        return False
    passive = (after.word.startswith("di") and len(after.word) > 5) or (
        after.word.endswith("ed") and any(t.word == "be" for t in tokens[at + 1:at + 3]))
    return not passive


def _imperative_opening(clause: _Clause, stem: Stem) -> int | None:
    tokens = clause.tokens
    vocabulary = _vocabulary()
    first = next((i for i, t in enumerate(tokens) if not _skip(t)), None)
    if first is None or any(t.word in _FIRST_PERSON for t in tokens[:first]):
        return None  # "kami bantu jelaskan": the sender's own act
    word = tokens[first].word
    if word in vocabulary["not_asks"] or word in vocabulary["nouns"]:
        return None
    family = _family(word, stem)
    if family is not None and (word in _all_family_words() or word.endswith(
            ("kan", "lah", "kanlah"))) and _imperative_form(word):
        return first
    if word.endswith(("kan", "kanlah")) and len(word) > 6 and word.isalpha() \
            and _imperative_form(word) and tokens[first].tags & _HANDING_OVER:
        return first  # an imperative of handing over no list names: "setorkan", "unggahkan"
    return None


@lru_cache(maxsize=1)
def _all_family_words() -> frozenset[str]:
    return frozenset(w for _, entries in _vocabulary().families for w in entries)


def _negated(clause: _Clause, at: int) -> bool:
    """The directive's act under a negation ("jangan kirim", "tidak perlu melapor")."""
    tokens = clause.tokens
    if tokens[at].off:
        return True
    vocabulary = _vocabulary()
    for k in range(max(0, at - 4), at):
        t = tokens[k]
        if t.word in ("jangan lupa", "jangan ragu", "jangan sungkan", "don't forget",
                      "do not forget", "dont forget", "don't hesitate", "do not hesitate"):
            continue
        if (t.word in vocabulary["negators"] or t.tags & {"NEGATOR", "NEGATOR_STRONG"}) \
                and not (k > 0 and tokens[k - 1].word in _LOCAL_NEGATION_BEFORE):
            return True
    return False


def _participation(clauses: Sequence[_Clause]) -> bool:
    """Someone's receipt, filling in or selection named as a condition or a group."""
    for clause in clauses:
        tokens = clause.tokens
        for i, t in enumerate(tokens):
            if t.off or not t.tags & _PARTICIPATION_TAGS:
                continue
            near = tokens[max(0, i - 4):i]
            if any(x.word in _vocabulary()["wishing"] for x in near):
                continue  # "yang ingin menjadi responden"
            if any(x.word in _vocabulary()["status"] or x.tags & {"STATUS", "RELATIVE", "WHO"}
                   for x in near):
                return True
        if _phrase(clause, "participation_nouns") and not _phrase(clause, "wishing"):
            return True
    return False


def _asks_unlisted(clause: _Clause, before: Sequence[_Clause], stem: Stem, *,
                   checking: bool = False) -> bool:
    return any(not _negated(clause, at) and _unlisted_act(clause, at, before, stem,
                                                          checking=checking)
               for at in _directive_verbs(clause, stem))


_CHECK_WORDS = frozenset({"keaslian", "keasliannya", "authenticity", "asli", "genuine",
                          "palsu", "fake", "authentic", "yakin", "ragu", "curiga",
                          "mencurigakan", "suspicious", "unsure", "doubt", "cek", "check",
                          "dicek", "verifikasi", "verify", "penipuan", "scam", "khawatir"})
_CAPTURE = frozenset({"screenshot", "ss", "foto", "capture", "salin", "copy", "tempel",
                      "paste"})
_HERE = frozenset({"di sini", "disini", "here", "sini"})


def _checks_a_message(sentence: Sequence[Token]) -> bool:
    """The sentence hands a message over here or to the bot to learn whether it is genuine,
    and names no answers, proof of filling in or anyone's status."""
    return any(t.word in _CHECK_WORDS for t in sentence) and any(
        t.word in _HERE or "BOT" in t.tags for t in sentence) and not any(
        t.tags & {"ANSWERS", "FILL", "FILL_NOUN", "STATUS", "STATUS_NOT", "SELECT"}
        for t in sentence) and not (any("PROOF" in t.tags for t in sentence) and not any(
            "INVITE" in t.tags for t in sentence))


def _unlisted_act(clause: _Clause, at: int, before: Sequence[_Clause], stem: Stem, *,
                  checking: bool = False) -> bool:
    """The act at `at`, asked in `clause`, is on no allowed list."""
    tokens = clause.tokens
    if any("POPULATION" in t.tags for t in tokens):
        return False  # the inspectorate's one task: contact data for KPK's population
    if any(t.tags & {"VIOLATION"} and not t.off for t in tokens) and not _phrase(
            clause, "form"):
        return False  # "laporkan penipuan", "waspadai pesan palsu"
    verb = tokens[at].word
    family = _family(verb, stem) or "OTHER"
    span = _Clause(tokens[at:], clause.question)
    context = [*before, clause]
    context_text = "".join(c.text for c in context)
    scam = _phrase(context_text, "scam") or any(
        t.tags & {"VIOLATION"} for c in context for t in c.tokens)
    joined = [t for c in context for t in c.tokens]
    question = _phrase(context_text, "question") or any(
        "HELP" in t.tags for t in joined)
    took_part = _participation(context)
    own = _phrase(span, "own") or any("NEUTRAL" in t.tags for t in span.tokens)
    coached = _phrase(_unnegated(span), "coach", stem) and not own and not scam
    form = _phrase(span.text.replace(" atas nama ", " "), "form") or any(
        "FORM" in t.tags for t in span.tokens)
    other_link = any("OTHER_LINK" in t.tags for t in span.tokens)
    local = _phrase(span, "local")
    official = _phrase(span, "official") or any("OFFICIAL_PLACE" in t.tags
                                                for t in span.tokens)
    registering = any("REGISTRATION" in t.tags for t in span.tokens) and not took_part
    if family == "FILL":
        if registering and (_phrase(span, "bot") and not local):
            return False  # "isi formulir pendaftaran calon responden di bot ini"
        return form or other_link or coached or _sent_to_office(span)
    if family == "CHECK":
        if any(t.tags & {"PEOPLE"} for t in span.tokens) or (
                _participation([span]) and _phrase(span, "people")):
            return True  # "pastikan semua pegawai sudah mengisi"
        if _phrase(span, "genuine") or official or scam:
            return False
        # "cek siapa yang sudah mengisi", "periksa daftar hadir", "cek jawaban pegawai"
        return _phrase(span, "participation_nouns") or form or _sent_to_office(span) or any(
            t.tags & {"PROOF", "WHO"} or ("ANSWERS" in t.tags and "YOU" not in t.tags)
            for t in span.tokens)
    if family == "IGNORE":
        return coached and not any("FRAME_ASK" in t.tags for t in span.tokens)
    if family == "REPORT":
        if scam or (registering and not form):
            return False  # "laporkan penipuan", "kabari keluarga soal pendaftaran"
        if own and not local and not form and not took_part and not any(
                t.tags & {"PROOF", "RECEIVE", "SELECT", "FILL_NOUN"} for t in span.tokens):
            return False  # "sampaikan penilaian Anda secara terbuka": answering, nowhere else
        if question and not took_part:
            return False  # "sampaikan pertanyaan Anda", "let us know if you have questions"
        return not (official and not took_part)
    if family == "CONTACT":
        conveyed = any(t.tags & {"ANSWERS", "PROOF", "FORM"} for t in span.tokens)
        if scam or (question and not conveyed):
            return False
        return took_part or conveyed
    if checking and family == "OTHER" and verb in _CAPTURE:
        return False  # "screenshot aja terus kirim ke bot ini buat dicek"
    if family in ("KEYWORD_REPLY", "FORWARD") and (checking or _checked_by_bot(span, context)):
        return False  # "kirim pesannya ke bot ini untuk dicek", "tempel pesannya di sini"
    if family == "KEYWORD_REPLY":
        words = span.text.split()[1:7]
        if any(w in _vocabulary()["keywords"] for w in words) or _phrase(
                " " + " ".join(words) + " ", "keywords"):
            return False
        if scam or (question and not took_part):
            return False  # "kirim pesan mencurigakan ke bot ini", "balas untuk bertanya"
        return took_part or not any("THIS_MESSAGE" in t.tags for t in span.tokens[1:4])
    if family == "READ":
        return form or (other_link and not any("REGISTRATION" in t.tags for t in span.tokens))
    if family == "SAVE":
        return any(t.tags & {"PROOF", "ANSWERS"} for t in span.tokens)
    if family == "REGISTER":
        if _phrase(span, "bot"):
            return False
        return form or took_part or local
    if family in ("SUPPORT", "REMEMBER"):
        return coached or form
    if family == "WAIT":
        # "tunggu saja" (the invitation named before), "tunggu undangan dari KPK"; not
        # "tunggu arahan pimpinan", "wait for the secretariat".
        return (coached or local) and not any(t.tags & {"INVITE", "KPK"}
                                              for t in span.tokens)
    if family == "RETRY":
        return False
    if family == "FORWARD":
        if scam and (_phrase(span, "bot") or official or local):
            return False  # "teruskan pesan mencurigakan ke bot ini"
        if (_phrase(clause, "shareable") or _notice_passed_on(span)) and not took_part:
            return False  # "forward pesan ini ke rekan …": this notice, not an invitation
        return any(t.tags & {"INVITE", "SURVEY", "ANSWERS", "PROOF"} for t in span.tokens) \
            or local or took_part
    if family == "OTHER" and _exhorts_about_survey(tokens, at) and not coached and not (
            form or local or other_link or any(t.tags & {"PROOF", "ANSWERS"}
                                               for t in span.tokens)):
        return False  # "Mari jadikan SPI cermin perbaikan": the survey itself, valued
    if registering and not form and not local:
        return False  # "datang ke loket untuk mendaftar"
    # An act no list names, about one's own experience ("ceritakan pengalaman Anda apa
    # adanya", "berikan penilaian yang jujur") and going nowhere, is answering the survey.
    # Answers named without "Anda" are someone else's, unless the act is choosing or giving
    # one's own ("pilih jawaban yang paling mendekati pengalaman Anda").
    yours = any("YOU" in t.tags for t in span.tokens) or "STEER" in tokens[at].tags
    return not (own and not local and not form and not any(
        "PROOF" in t.tags or ("ANSWERS" in t.tags and "YOU" not in t.tags and not yours)
        for t in span.tokens))


_NOTICES = frozenset({"informasi", "info", "pengumuman", "imbauan", "himbauan", "kabar",
                      "berita", "poster", "pengingat", "edaran", "notice", "reminder", "news",
                      "information", "word", "pesan", "message"})


def _notice_passed_on(span: _Clause) -> bool:
    """"Sebarkan informasi bahwa SPI sukarela …": what is passed on is a notice (the first
    word after the verb), carrying no invitation, answers or proof."""
    rest = [t for t in span.tokens[1:] if not _skip(t)]
    return bool(rest) and rest[0].word in _NOTICES and "INVITE" not in rest[0].tags \
        and not any(t.tags & {"ANSWERS", "PROOF", "FILL_NOUN", "FORM"} for t in span.tokens) \
        and not any(t.tags & {"INVITE"} for t in rest[1:])


_AUTHENTICITY = frozenset({"keaslian", "keasliannya", "asli", "palsu", "genuine", "fake",
                           "authentic", "authenticity", "cek", "dicek", "check", "checked",
                           "verifikasi", "diverifikasi", "verify", "verified", "ragu", "doubt",
                           "mencurigakan", "suspicious"})


def _checked_by_bot(span: _Clause, context: Sequence[_Clause]) -> bool:
    """A message handed to the bot (or pasted "here" beside a check) to be checked: the
    verification the bot offers. Answers, proof of filling in or participation are not."""
    tokens = [t for c in context for t in c.tokens]
    if any(t.tags & {"ANSWERS", "FILL_NOUN", "FILL"} for t in tokens) or (
            any("PROOF" in t.tags for t in span.tokens)
            and not any("INVITE" in t.tags for t in span.tokens)):
        return False
    to_bot = any("BOT" in t.tags for t in span.tokens)
    here = (" di sini " in span.text or " here " in span.text) and any(
        t.word in _AUTHENTICITY for t in tokens)
    return to_bot or here


_EXHORTING = frozenset({"mari", "ayo", "yuk", "let's", "let us", "mari kita", "ayo kita"})


def _exhorts_about_survey(tokens: Sequence[Token], at: int) -> bool:
    """"Mari jadikan SPI …", "Ayo maknai survei ini …": an exhortation whose object is the
    survey itself."""
    if not any(t.word in _EXHORTING for t in tokens[max(0, at - 3):at]):
        return False
    after = [t for t in tokens[at + 1:at + 4] if not _skip(t)]
    return bool(after) and "SURVEY" in after[0].tags


def _unnegated(span: _Clause) -> _Clause:
    """The span up to a negation ("…, bukan ajang mengejar nilai")."""
    vocabulary = _vocabulary()
    kept: list[Token] = []
    for t in span.tokens:
        if t.word in vocabulary["negators"] or t.tags & {"NEGATOR", "NEGATOR_STRONG"}:
            break
        kept.append(t)
    return _Clause(kept, span.question)


_TO_PLACE = frozenset({"ke", "kepada", "di", "to", "in", "at", "sama", "via", "lewat", "on"})


def _sent_to_office(span: _Clause) -> bool:
    """The act done at or towards the office: "jawab di sini", "isi di grup"."""
    tokens = span.tokens
    if " di sini " in span.text or " here " in span.text or " sini " in span.text:
        return True
    return any(t.word in _vocabulary()["local"] and "OFFICIAL_PLACE" not in t.tags
               and k > 0 and tokens[k - 1].word in _TO_PLACE and t.word not in ("kami", "us")
               for k, t in enumerate(tokens))


def _conveyed_to_office(clause: _Clause) -> bool:
    tokens = clause.tokens
    vocabulary = _vocabulary()
    for k, t in enumerate(tokens):
        if t.word not in vocabulary["convey"]:
            continue
        ahead = tokens[k + 1:k + 5]
        if any(x.word in _TO_PLACE | {"with", "kepada"} and j + 1 < len(ahead)
               and ahead[j + 1].word in vocabulary["local"] for j, x in enumerate(ahead)):
            return True
    return False


def _locally_negated(tokens: Sequence[Token], k: int) -> bool:
    return k > 0 and tokens[k - 1].word in _LOCAL_NEGATION_BEFORE


def _clause_negated(clause: _Clause) -> bool:
    vocabulary = _vocabulary()
    return any((t.word in vocabulary["negators"]
                or t.tags & {"NEGATOR", "NEGATOR_STRONG", "POST_NEGATION"}
                or t.word in ("tidak ada", "tak ada", "no one", "nobody", "never", "tanpa"))
               and not _locally_negated(clause.tokens, k)
               for k, t in enumerate(clause.tokens))


_MAY = frozenset({"bisa", "dapat", "boleh", "can", "may", "silakan", "berhak"})


def _groups_own_act(clause: _Clause, stem: Stem) -> bool:
    """"Yang sudah terima undangan bisa cek keasliannya di bot ini": the group named by
    taking part is the subject, and the checking is what it may do itself."""
    tokens = clause.tokens
    if not tokens or tokens[0].word not in _LOCAL_NEGATION_BEFORE | {"those", "anyone"}:
        return False
    watching = [k for k, t in enumerate(tokens) if _in(t.word, "monitor", stem)]
    return bool(watching) and all(
        any(x.word in _MAY for x in tokens[max(0, k - 2):k])
        and not tokens[k].word.startswith(("di", "ter")) and not any(
            x.word in ("oleh", "by") for x in tokens[k + 1:]) for k in watching)


def _statement_reasons(clause: _Clause, before: Sequence[_Clause], stem: Stem) -> set[str]:
    """Recording, listing or reporting who took part, or a consequence for not taking part,
    announced: "Inspektorat akan merekap pegawai yang belum berpartisipasi"."""
    tokens = clause.tokens
    context = [*before, clause]
    if any(_clause_negated(c) for c in context) or any(
            t.tags & {"VIOLATION", "FRAME_WHO", "COND_EXISTS", "OFFICIAL_PLACE"}
            for c in context for t in c.tokens) or any(_phrase(c, "scam") for c in context):
        return set()
    before = before[-2:]
    if tokens and tokens[0].word in ("jika", "bila", "kalau", "apabila", "if", "when"):
        return set()  # a supposition, not an announcement
    reasons: set[str] = set()
    context = [*before, clause]
    took_part = _participation([clause]) or (_participation(context) and any(
        "WHO" in t.tags or t.word in ("yang", "who", "bagi") for c in context
        for t in c.tokens))
    nonparticipation = any("NONPARTICIPATION" in t.tags for t in tokens) or any(
        t.word in ("tidak", "tak", "gak", "nggak", "not") and _locally_negated(tokens, k)
        for k, t in enumerate(tokens)) or any(
        "STATUS_NOT" in t.tags for c in context for t in c.tokens)
    kpk = any(t.word in _vocabulary()["kpk_agents"] or "KPK" in t.tags
              for t in tokens[:4])
    monitored = (_phrase(clause, "monitor") or _conveyed_to_office(clause)) and not kpk \
        and not clause.question and not _groups_own_act(clause, stem)
    if monitored and took_part:
        reasons.add("monitoring")
    weighed = _phrase(clause, "consequence") and not clause.question
    if weighed and (took_part or nonparticipation or any(
            t.tags & {"FILL", "FILL_NOUN", "NONPARTICIPATION"} for t in tokens)
            or _phrase(clause, "participation_nouns")):
        reasons.add("threat")
    return reasons
