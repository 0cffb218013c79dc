"""How the broadcast integrity check reads a text: words, sentences, and what does not count.

Words are first normalised (chat spellings, stems, small typos: see core/wording.py and
integrity_words.toml); spellings are normalised further by outreach/integrity_norm.py
(regional words, digits for letters, words without vowels, "-in" endings). `_tag` then gives
every word or listed phrase its concepts from the lexicon (`_Lexicon`, `_lexicon`,
`_normaliser`). The acts are recognised whatever their form: every affixed form of a listed
verb family ("membalas", "mencentang", "mengabarkan", "pengiriman"), the passive and noun
forms.

The tagged words are cut into sentences, clauses and segments, and passes over them mark
what does not count (`_Word.off`): what is said under a negation ("Jangan kirimkan jawaban"),
as someone else's ask ("bila ada yang meminta..."), as a reported or quoted question, as an
announcement formula, as KPK's, the sender's or another message sender's own act, as a
question answered in the next sentence (a FAQ pair), and words that only look like the
forbidden (a date that is not a count, an arrival that is not the invitation, a wish that is
not a status, a contact to keep up to date, a registration with the bot). What is said as a
violation ("... melanggar aturan SPI") is left to the verdict (outreach/integrity.py).

The policy frames (outreach/integrity_frames.py) and the verdict (outreach/integrity.py)
import from here, never the other way round. Names shared with them keep their leading
underscore and are imported by name: they are the check's internals, split over three
modules for reading only; nothing outside outreach/integrity*.py is to use them (the public
API is outreach/integrity.py's), and unchanged names keep history and notes that cite them
valid.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from core.wording import Stemmer, words
from outreach.integrity_norm import Normaliser

_SENTENCE_END = frozenset({".", "!", "?", "\n"})
_CLAUSE_END = frozenset({",", ";", ":"}) | _SENTENCE_END
_CONJUNCTIONS = frozenset({"tetapi", "tapi", "namun", "melainkan", "but", "however",
                           "sedangkan", "whereas", "instead", "cukup", "just", "only",
                           "hanya", "sebaliknya", "rather"})
_LOCAL_SCOPE = 3  # words a "tidak" after "yang"/"jika" negates: "yang tidak mengisi survei"


@dataclass(slots=True)
class _Word:
    word: str
    tags: frozenset[str]
    off: bool = False  # under a negation or someone else's ask
    neg_local: bool = False  # under a "tidak" right after "yang"/"jika": the threat still counts


@dataclass(slots=True)
class _Lexicon:
    exact: dict[str, set[str]] = field(default_factory=dict)
    stems: dict[str, set[str]] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    longest: int = 1
    fuzzy: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer:
    return Stemmer()


@lru_cache(maxsize=20_000)
def _english(word: str) -> str:
    """Snowball's English stem, cached: the rules ask for it many times per text."""
    return _stemmer().english(word)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return tomllib.loads(
        resources.files("outreach").joinpath("integrity_words.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = _data()
    lex = _Lexicon()
    stemmer = _stemmer()
    for concept, entries in data["concepts"].items():
        for entry in entries:
            exact = entry.startswith("=")
            parts = tuple(words(entry.removeprefix("=")))
            if len(parts) > 1:
                lex.phrases.setdefault(parts, set()).add(concept)
                lex.longest = max(lex.longest, len(parts))
            elif parts:
                lex.exact.setdefault(parts[0], set()).add(concept)
                if not exact:
                    for stem in {stemmer.stem(parts[0]), _english(parts[0])}:
                        lex.stems.setdefault(stem, set()).add(concept)
    lex.fuzzy = sorted(w for w in lex.exact if len(w) >= 6 and w.isalpha())
    return lex


def _tags_of(word: str, lex: _Lexicon) -> frozenset[str]:
    if word.endswith("nya") and len(word) > 5 and _known(word[:-3]):
        # "menerimanya", "layarnya": the word, pointing back at something named before.
        return _tags_of(word[:-3], lex) | lex.exact.get(word, set()) | {"ITSELF"}
    if word.endswith(("mu", "ku")) and len(word) > 6 and word[:-2] in lex.exact:
        return frozenset(lex.exact[word[:-2]] | {"YOU"})  # "jawabanmu": your answers
    if word in lex.exact:
        return frozenset(lex.exact[word])
    bare = word.rstrip("0123456789")
    if bare != word and len(bare) >= 3 and bare in lex.exact:
        return frozenset(lex.exact[bare])  # "spi2026", "survei2025"
    if word.startswith("{"):
        return frozenset({"NAME"})
    if "@" in word and "." in word.rsplit("@", maxsplit=1)[-1]:
        return _mailbox_tags(word)
    if _LINK.match(word):
        return _link_tags(word)
    if word.isdigit():
        return frozenset({"NUMBER"})
    stemmer = _stemmer()
    stem = stemmer.stem(word)
    found = lex.stems.get(stem) or lex.stems.get(_english(word))
    derived = _derived_act(word, stem, lex)
    if found or derived:
        return frozenset(found or ()) | derived
    if len(word) >= 6 and word.isalpha() and not stemmer.is_word(stem):
        return _typo_tags(word, lex)
    return frozenset()


# The acts whose verb families are recognised in every affixed form: "membalas", "dibalas",
# "mencentang", "melampirkan", "pengiriman" are the acts of "balas", "centang", "lampirkan",
# "kirim" listed once.
_ACT_FAMILIES = frozenset({"REPORT", "REPLY", "SEND", "FORWARD", "COLLECT", "MONITOR"})
_PREFIXED = ("me", "di")
_SUFFIXES = ("kan", "i", "lah", "an", "nya")


def _derived_act(word: str, stem: str, lex: _Lexicon) -> frozenset[str]:
    # "pengiriman" names the act; "pembocor" (a leaker) names a person, not an ask.
    affixed = word.startswith(_PREFIXED) or (word.startswith("pe") and word.endswith("an")) \
        or any(word == stem + x for x in _SUFFIXES)
    if not word.isalpha() or len(word) < 5 or stem == word or not affixed:
        return frozenset()
    found: set[str] = set()
    for base in {stem, *_elided_roots(word)}:
        # "dibacakan" is "bacakan" (read out), "dibaca" only "baca" (read).
        roots = [base] + [base + x for x in ("kan", "i") if word.endswith(x)]
        for root in roots:
            found |= lex.exact.get(root, set()) & _ACT_FAMILIES
    return frozenset(found)


# meN- and peN- drop a root's first k, s, p or t: "mengabarkan" is "kabar", "menyetor" is
# "setor"; the stemmer does not always restore it.
_NASAL_PREFIXES = (("meng", "k"), ("meny", "s"), ("mem", "p"), ("men", "t"),
                   ("peng", "k"), ("peny", "s"), ("pem", "p"), ("pen", "t"))


def _elided_roots(word: str) -> list[str]:
    roots = []
    for prefix, letter in _NASAL_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 2 \
                and word[len(prefix)] in "aeiou":
            base = letter + word[len(prefix):]
            roots.append(base)
            roots += [base[:-len(x)] for x in _SUFFIXES if base.endswith(x)]
            break
    return roots


_LINK = re.compile(r"^(https?://\S+|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?)$")
_OFFICIAL_SITES = ("kpk.go.id", "jaga.id", "q7survey.com", "stranaspk.id")


def _link_tags(word: str) -> frozenset[str]:
    """A web address: official, a registration link, or another place to fill things in."""
    host = word.rsplit("://", maxsplit=1)[-1].split("/", maxsplit=1)[0]
    if any(host == site or host.endswith("." + site) for site in _OFFICIAL_SITES):
        # The survey's own site names the survey: "penilaian Anda di spi.kpk.go.id".
        survey = host.startswith("spi.") or host == "q7survey.com"
        return frozenset({"OFFICIAL_PLACE", "SURVEY"} if survey else {"OFFICIAL_PLACE"})
    if any(part in word for part in ("daftar", "regist", "signup")):
        return frozenset({"REGISTRATION"})
    return frozenset({"OTHER_LINK"})


def _mailbox_tags(word: str) -> frozenset[str]:
    """An e-mail address: KPK's own mailbox, or anyone else's (the office, a person)."""
    host = word.rsplit("@", maxsplit=1)[-1]
    if host == "kpk.go.id" or host.endswith(".kpk.go.id"):
        return frozenset({"OFFICIAL_PLACE"})
    return frozenset({"LOCAL_PLACE"})


def _typo_tags(word: str, lex: _Lexicon) -> frozenset[str]:
    """A misspelt lexicon word ("screnshot", "konfirmsi"): one or two letters off."""
    from rapidfuzz import fuzz, process  # noqa: PLC0415

    match = process.extractOne(word, lex.fuzzy, scorer=fuzz.ratio, score_cutoff=86)
    return frozenset(lex.exact[match[0]]) if match else frozenset()


def _known(word: str) -> bool:
    """A word the check understands as it is: in the lexicon, or an Indonesian word."""
    lex = _lexicon()
    if word in lex.exact or not word.isalpha():
        return word in lex.exact or not any(c.isalpha() for c in word)
    stemmer = _stemmer()
    stem = stemmer.stem(word)
    return stem in lex.stems or _english(word) in lex.stems or stemmer.is_word(stem)


@lru_cache(maxsize=1)
def _normaliser() -> Normaliser:
    data = _data()
    table = {str(k): str(v) for k, v in data["normalise"].items()}
    lex = _lexicon()
    vocabulary = [*data["common"]["vocabulary"],
                  *sorted((w for w in lex.exact if w.isalpha()), key=len)]
    return Normaliser(words={k: v for k, v in table.items() if " " not in k},
                      phrases={tuple(k.split()): v for k, v in table.items() if " " in k},
                      vocabulary=vocabulary, known=_known)


# "HR" written in capitals is human resources, not the chat abbreviation of "hari" (day).
_HR = re.compile(r"\bHR\b")
# "hati-hati" (be careful) is a warning; reduplication would leave "hati" (heart) alone.
_CAREFUL = re.compile(r"\b(ber)?hati[-\s]?(hati|2)(lah)?\b", re.IGNORECASE)
# "That said, …": a discourse marker, not someone's saying (FRAME_ASK "said").
_DISCOURSE = re.compile(r"\b(that said|having said that|with that said|that being said)\b",
                        re.IGNORECASE)
# Emoji that acknowledge or answer (the rest are dropped with other symbols).
_EMOJI = str.maketrans({"\U0001F44D": " jempol ", "\u2705": " centang ", "\u2714": " centang ",
                        "\u2611": " centang ", "\U0001F64B": " angkat tangan ",
                        "\U0001F44C": " oke ", "\U0001F64C": " angkat tangan "})


# An acknowledging emoji asked for ("a quick 👍 here", "reply ✅ ya"), not one that closes
# the text as a greeting does.
_ACK_EMOJI = re.compile("[\U0001F44D\u2705\u2714\u2611\U0001F64B\U0001F44C\U0001F64C]"
                        "(?=[^.!?\n]*[A-Za-z])")


# A salutation opening the text and closed by a comma before a capital ("Rekan-rekan yang
# kami hormati, Nilai SPI ..."): its own sentence, so its "yang" names no group of the next.
_SALUTATION = re.compile(
    r"^(?![^,.!?\n]*(?:spi|surve|link|tautan|undangan|responden|pilih|terima|sudah|belum))"
    r"(\s*(?:[^,.!?\n]{0,40}\b(?:yth|yang (?:kami |saya )?(?:hormati|banggakan|sayangi|cintai)"
    r"|bapak/ibu|rekan-rekan|rekan2|teman-teman|sekalian|dear|halo|hai|selamat (?:pagi|siang"
    r"|sore|malam)|assalamu'?alaikum)\b[^,.!?\n]{0,40})),(?=\s+(?-i:[A-Z]))", re.IGNORECASE)
# (A salutation naming people by the survey, "Rekan-rekan penerima link SPI, kumpul ...", is
# who the next words are asked of and stays one sentence with them.)


def _tag(text: str) -> list[_Word]:
    lex = _lexicon()
    text = _SALUTATION.sub(r"\1.", text, count=1)
    text = _ACK_EMOJI.sub(lambda m: m[0].translate(_EMOJI), _CAREFUL.sub(
        " waspada ", _HR.sub("HRD", _DISCOURSE.sub("however", text))))
    original = _normaliser()(words(text))
    raw = [w[:-3] if w.endswith("nya") and len(w) > 5 and _known(w[:-3]) else w
           for w in original]
    out: list[_Word] = []
    i = 0
    while i < len(raw):
        for size in range(min(lex.longest, len(raw) - i), 1, -1):
            concepts = lex.phrases.get(tuple(raw[i:i + size]))
            if concepts is not None:
                out.append(_Word(" ".join(raw[i:i + size]), frozenset(concepts)))
                i += size
                break
        else:
            word = original[i]
            out.append(_Word(word, _tags_of(word, lex)))
            i += 1
    return out


# "yang ingin ikut SPI dapat mendaftar": wanting to take part, not having taken part.
_WISHING = frozenset({"ingin", "mau", "hendak", "berminat", "want", "wants", "wish", "would",
                      "like", "pengen", "tertarik", "interested"})
_REGISTER_VERBS = frozenset({"register", "daftar", "daftarkan", "mendaftar", "mendaftarkan",
                             "registrasi", "sign up"})
_LIST_CUES = frozenset({"nama", "yang", "hadir", "pengisi", "responden", "pegawai", "absen"})


_MODAL_WORDS = frozenset({"dapat", "bisa", "boleh", "can", "may"})
_DEALING = frozenset({"berurusan", "urusan"})
_PAST_DEALING = frozenset({"pernah", "pengalaman", "saat", "ketika", "waktu", "sewaktu",
                           "selama", "ever", "when", "experience"})


_BUILDINGS = frozenset({"kantor", "aula", "pendopo", "pendapa", "gedung", "rumah", "halaman",
                        "office", "hall", "komplek", "kompleks", "jalan"})


def _dealings(tagged: list[_Word]) -> None:
    """"kalau pernah berurusan dengan kantor kami", "pengalaman Anda berurusan dengan kami":
    dealings a citizen had with the office, not trouble the office threatens; "aula kantor
    bupati": a building named after an official, not the official's sanction."""
    for i, w in enumerate(tagged):
        if "SANCTION" in w.tags and i > 0 and tagged[i - 1].word in _BUILDINGS:
            w.tags = w.tags - {"SANCTION"}
        if w.word in _DEALING and "SANCTION" in w.tags and any(
                x.word in _PAST_DEALING for x in tagged[max(0, i - 3):i]):
            w.tags = w.tags - {"SANCTION"}


def _lists_not_registration(tagged: list[_Word]) -> None:
    """"di daftar yang beredar", "daftar nama": a list, not registering as a respondent."""
    for i, w in enumerate(tagged):
        if w.word != "daftar" or "REGISTRATION" not in w.tags:
            continue
        before = tagged[i - 1].word if i > 0 else ""
        after = tagged[i + 1].word if i + 1 < len(tagged) else ""
        if before in ("di", "pada", "dalam", "ke dalam") or after in _LIST_CUES:
            w.tags = w.tags - {"REGISTRATION"}
    for i, w in enumerate(tagged):
        if "REGISTRATION" not in w.tags or w.word not in _REGISTER_VERBS:
            continue
        # "If you were contacted for the survey, please register at the desk": registering is
        # for those not yet in KPK's pool; asked of those who took part it is a report.
        prior = list(itertools.takewhile(lambda x: x.word not in _SENTENCE_END,
                                          reversed(tagged[max(0, i - 10):i])))
        # "yang pernah menerima layanan ... dapat mendaftar": a service received, and the
        # modal "dapat" before the verb, are no invitation received.
        if any(x.word in _CONDITION or "RELATIVE" in x.tags for x in prior) and any(
                x.tags & {"RECEIVE", "SELECT", "FILL"} and not x.tags & {"NEGATOR"}
                and not (k == 0 and x.word in _MODAL_WORDS)
                and not (k > 0 and prior[k - 1].word in _THINGS_RECEIVED)
                for k, x in enumerate(prior)) and not any(
                x.tags & {"NEGATOR", "NEGATOR_STRONG", "STATUS_NOT"} or x.word in _WISHING
                for x in prior):
            w.tags = (w.tags - {"REGISTRATION"}) | {"REPORT"}
            continue
        # "register their names with the HR desk", "daftarkan diri ke admin": names handed
        # to the office, not registering with KPK.
        ahead = list(itertools.takewhile(lambda x: not _is_clause_end(x), tagged[i + 1:i + 5]))
        if any(x.word in ("nama", "names", "name", "namanya", "diri") for x in ahead) or any(
                "LOCAL_PLACE" in x.tags and "OFFICIAL_PLACE" not in x.tags for x in ahead):
            w.tags = (w.tags - {"REGISTRATION"}) | {"REPORT"}


def _sentences(tagged: list[_Word]) -> list[list[_Word]]:
    sentences: list[list[_Word]] = [[]]
    for w in tagged:
        sentences[-1].append(w)
        if w.word in _SENTENCE_END:
            sentences.append([])
    return [s for s in sentences if any(w.tags or w.word.isalpha() for w in s)]


def _is_clause_end(w: _Word) -> bool:
    return w.word in _CLAUSE_END or w.word in _CONJUNCTIONS


# Authorities whose ask, stated plainly, is the institution's own demand ("Pimpinan meminta
# laporan ..."), unlike "siapa pun", "oknum" or "jika atasan meminta ...".
_AUTHORITIES = frozenset({"atasan", "pimpinan", "boss", "supervisor", "employer", "kantor",
                          "instansi", "kepala", "kadis", "camat", "lurah", "bupati",
                          "inspektorat", "management", "manager", "director"})


def _demand_stated(sentence: list[_Word], at: int) -> bool:
    """An authority's ask stated as fact, not supposed ("jika atasan meminta"), refused
    ("boleh menolak", "melanggar") or negated ("tidak boleh meminta")."""
    if sentence[at].word not in _AUTHORITIES:
        return False
    before = sentence[max(0, at - 3):at]
    if any(x.tags & {"RELATIVE", "COND_EXISTS", "NEGATOR", "NEGATOR_STRONG"} for x in before):
        return False
    return not any(x.tags & {"VIOLATION", "IGNORE", "NEGATOR", "NEGATOR_STRONG",
                             "POST_NEGATION", "WH"} or x.word == "?" for x in sentence)


_WHO_WORDS = ("who has", "who have", "who", "yang")
_SUPPOSING = frozenset({"jika", "bila", "kalau", "apabila", "if", "seandainya", "jikalau",
                        "andaikan", "should", "when", "whenever", "menawi", "upami", "lamun"})


_BUT_WORDS = frozenset({"tapi", "tetapi", "namun", "but", "yet"})
# Where the main clause starts after a subject "yang tidak mengisi survei": its modal.
_MAIN_PREDICATE = frozenset({"akan", "bisa", "dapat", "bakal", "bakalan", "nanti", "will",
                             "could", "may", "might", "can", "harus", "wajib", "perlu",
                             "terancam", "langsung", "otomatis"})


# "yang ketahuan tidak mengisi": found out, between "yang" and its negation, still makes a
# relative clause of people named by what they did not do.
_FOUND_OUT = frozenset({"ketahuan", "ketauan", "kedapatan", "terbukti", "tertangkap",
                        "terdeteksi", "terlihat", "terpantau"})


def _possessed(w: _Word) -> bool:
    """"yang pegawainya tidak mengisi", "whose staff": a possessed noun between "yang" and
    its negation still makes a relative clause."""
    return (w.word.endswith("nya") and w.word.isalpha() and len(w.word) > 5) \
        or ("PEOPLE" in w.tags and " " not in w.word)


def _mark_scopes(sentence: list[_Word]) -> None:
    """Switch off what is negated or asked by someone else, up to the clause's end."""
    n = len(sentence)
    for i, w in enumerate(sentence):
        if _is_clause_end(w):
            continue
        negator = bool(w.tags & {"NEGATOR", "NEGATOR_STRONG"})
        local = negator and i > 0 and ("RELATIVE" in sentence[i - 1].tags
                                       or sentence[i - 1].word.endswith(_WHO_WORDS) or (
            i > 1 and "RELATIVE" in sentence[i - 2].tags and (
                "YOU" in sentence[i - 1].tags or _possessed(sentence[i - 1])
                or sentence[i - 1].word in _FOUND_OUT)))
        # "Tidak isi SPI = tidak loyal": not filling in, named as a subject.
        local = local or (negator and i == 0 and "NEGATOR" in w.tags and len(sentence) > 1
                          and "FILL" in sentence[1].tags)
        # "yang terpilih tapi tidak mengisi": the negation of a relative clause's second verb.
        local = local or (negator and i > 1 and sentence[i - 1].word in _BUT_WORDS and any(
            "RELATIVE" in x.tags or x.word.endswith(_WHO_WORDS)
            for x in sentence[max(0, i - 6):i - 1]) and not any(
            _is_clause_end(x) for x in sentence[max(0, i - 6):i - 1]))
        strong = negator and not local
        # "kalau ada yang masuk WA survei, tolong bilang ke kepala ruangan": an act after a
        # request marker is asked of the reader, not someone else's ask.
        framed = ("FRAME_WHO" in w.tags and any(
            "FRAME_ASK" in x.tags and "REQUEST" not in sentence[k - 1].tags
            for k, x in enumerate(sentence[i + 1:i + 7], start=i + 1))
            and not _demand_stated(sentence, i)) \
            or ("FRAME_ASK" in w.tags and i > 0 and "RELATIVE" in sentence[i - 1].tags)
        if w.word in _SUPPOSING and not framed:
            # "If a manager asks you to report …, you may refuse": whoever asks, a supposed
            # ask is told, not made, up to the end of its clause.
            ask = next((k for k in range(i + 1, min(i + 6, n))
                        if "FRAME_ASK" in sentence[k].tags), None)
            if ask is not None and not any(_is_clause_end(x) for x in sentence[i + 1:ask]):
                j = ask + 1  # to the clause's end, or the end of a list of asked acts
                while j < n and (not _is_clause_end(sentence[j]) or (
                        sentence[j].word == "," and _continues_list(sentence, j))):
                    sentence[j].off = sentence[j].off or not _is_clause_end(sentence[j])
                    j += 1
        if local:
            for k, x in enumerate(sentence[i + 1:i + 1 + _LOCAL_SCOPE]):
                if _is_clause_end(x) or "REQUEST" in x.tags:
                    break  # "yang tidak ikut survei silakan ...": the ask is not negated
                if k > 0 and (x.word in _MAIN_PREDICATE or (
                        " " in x.word and x.word.split()[-1] in _MAIN_PREDICATE)):
                    break  # "yang tidak ikut survei | bisa ...", "| tidak akan ..."
                x.off = x.neg_local = True
        elif strong or framed:
            j = i + 1
            while j < n and sentence[j].word not in _SENTENCE_END:
                if _is_clause_end(sentence[j]) and not framed and not _continues_list(
                        sentence, j, existential=w.word in _EXISTENTIAL):
                    break
                sentence[j].off = True
                j += 1


_AND_OR = frozenset({"atau", "dan", "maupun", "or", "and", "nor", "serta", "ataupun",
                     "ataukah", "atawa", "lan", "utawi", "jeung"})
_ACTS = frozenset({"MONITOR", "REPORT", "SEND", "COLLECT", "FORWARD", "STEER", "FILL",
                   "RECEIVE", "FRAME_ASK", "MONITOR_WEAK"})


_INCLUDING = frozenset({"termasuk", "including", "bahkan", "even", "apalagi", "especially",
                        "terutama", "not even"})


# "tidak ada apel, rapat atau sesi bersama": a negated existence, whose list is of things.
_EXISTENTIAL = frozenset({"tidak ada", "tak ada", "no", "there is no", "there are no",
                          "tanpa", "without", "bukan", "nothing"})


_PARALLEL_HEADS = frozenset({"siapa", "who", "apa", "what", "kapan", "when", "berapa",
                             "how", "whether", "apakah"})


_ARTICLES = frozenset({"a", "an", "the", "any", "sebuah", "suatu"})


def _continues_list(sentence: list[_Word], at: int, *, existential: bool = False) -> bool:
    """"tidak memantau, mencatat, atau menanyakan": a comma between negated acts."""
    # "for a screenshot, a copy of your answers, or proof": an article opens the next item
    following = [w for w in sentence[at + 1:at + 4] if w.word not in _AND_OR | _ARTICLES]
    if sentence[at].word != "," or not following:
        return False
    if following[0].word in _INCLUDING:
        return True  # "tidak perlu dikirim kepada siapa pun, termasuk kami"
    # "tidak memantau, mencatat, atau menanyakan", "tidak ada rapat, apel, atau sesi
    # bersama": a list closed by "atau"/"dan" (without one, "jgn diisi dulu, kirim ke
    # admin" is a new ask).
    rest = sentence[at + 1:]
    end = next((k for k, w in enumerate(rest) if w.word in _SENTENCE_END), len(rest))
    closes = any(w.word in _AND_OR for w in rest[:end])
    head = following[0].word.split(" ")[0]
    if head in _PARALLEL_HEADS and any(
            head in w.word.split(" ") for w in sentence[max(0, at - 8):at]) and not any(
            w.tags & {"REQUEST", "YOU"} for w in rest[:end]):
        return True  # "tidak mencatat siapa yang terpilih, siapa yang mengisi": one list
    if not closes:
        return False
    if following[0].tags & _ACTS or sentence[at + 1].word in _AND_OR:
        return True
    segment = next((k for k, w in enumerate(rest) if _is_clause_end(w)), len(rest))
    # Up to the word that closes the list and a few after it: "tidak ada sanksi, teguran,
    # atau catatan apa pun bagi yang ..." is one list; "…, mohon kirim …" starts anew.
    closing = next(k for k, w in enumerate(rest) if w.word in _AND_OR)
    short = segment <= 4 or (existential and closing <= 3)
    # "…, atau konfirmasi dari Anda": the reader named as where the items come from
    window = rest[:min(end, closing + 4)]
    return short and not any(
        w.tags & {"REQUEST", "YOU", "RELATIVE"} and not (
            "YOU" in w.tags and k > 0 and window[k - 1].word in ("dari", "from"))
        for k, w in enumerate(window))


def _segments(sentence: list[_Word]) -> list[list[_Word]]:
    """A sentence cut at ";" and ":", which join statements that stand on their own."""
    out: list[list[_Word]] = [[]]
    for w in sentence:
        if w.word in (";", ":"):
            out.append([])
        else:
            out[-1].append(w)
    return out


def _clauses(sentence: list[_Word]) -> list[list[_Word]]:
    clauses: list[list[_Word]] = [[]]
    for w in sentence:
        if _is_clause_end(w):
            clauses.append([])
        else:
            clauses[-1].append(w)
    return clauses


_KPK_SUBJECT_FILLER = frozenset({"akan", "will", "sendiri", "juga", "yang", "hanya", "only",
                                 "sudah", "telah", "would", "may", "dapat", "bisa", "itself"})
_KPK_OBJECT_MARK = frozenset({"dari", "from", "oleh", "by", "ke", "to", "kepada", "pada",
                              "untuk", "for", "via", "lewat", "melalui", "dengan", "with"})


def _acts_of_kpk(sentence: list[_Word]) -> None:
    """"KPK akan menghubungi Anda": what KPK itself does is no ask of the institution."""
    for i, w in enumerate(sentence):
        if "KPK" not in w.tags:
            continue
        if i > 0 and sentence[i - 1].word in ("laporan", "report", "hasil", "results"):
            sentence[i - 1].off = True  # "laporan KPK": KPK's own report, read
        # "skor dihitung KPK", "responden dipilih acak oleh KPK": KPK does it.
        by = i > 1 and sentence[i - 1].word in ("oleh", "by")
        if by or (i > 0 and sentence[i - 1].word not in _KPK_OBJECT_MARK):
            for agent in range(i - 2, max(-1, i - 5), -1) if by else [i - 1]:
                if agent >= 0 and (_passive(sentence[agent].word)
                                   or sentence[agent].word.endswith("ed")) \
                        and not sentence[agent].tags & {"RECEIVE", "VIOLATION",
                                                        "NEGATOR_STRONG"}:
                    sentence[agent].off = True
                    if agent > 0 and sentence[agent - 1].word.startswith(_RESULTS):
                        sentence[agent - 1].off = True  # "hasil survei diumumkan KPK"
                    break
        if i > 0 and sentence[i - 1].word in _KPK_OBJECT_MARK:
            continue
        if i > 0 and sentence[i - 1].tags & {"SURVEY", "INVITE"}:
            continue  # "undangan survei KPK sudah sampai": KPK names whose survey it is
        for x in sentence[i + 1:i + 4]:
            if x.tags & _ACTS:
                x.off = True
                break
            if x.word not in _KPK_SUBJECT_FILLER:
                break


_RESULTS = ("hasil survei", "hasil survey", "hasil spi", "survey results", "results")
_CONTRAST = frozenset({"bukan", "not", "bukannya"})


def _contrast_denied(sentence: list[_Word]) -> None:
    """"Indeks per instansi, bukan jawaban per orang": what a contrast after a comma sets
    aside is denied, not asked."""
    for i, w in enumerate(sentence):
        if w.word in _CONTRAST and i > 0 and sentence[i - 1].word == ",":
            for x in itertools.takewhile(lambda x: not _is_clause_end(x), sentence[i + 1:]):
                x.off = True


_SENDER = frozenset({"kami", "we", "saya", "i", "kita"})
_SENDER_FILLER = frozenset({"akan", "will", "ingin", "mau", "hendak", "perlu", "would",
                            "like", "to", "juga", "hanya", "just", "want", "dengan", "ini"})
_INFORMING = frozenset({"sampaikan", "menyampaikan", "informasikan", "menginformasikan",
                        "beritahukan", "memberitahukan", "inform", "informs", "remind",
                        "ingatkan", "mengingatkan", "tell", "let you know", "update",
                        "beritahu", "memberitahu"})


# Who sent a message, as a forwarded one tells it: "Nomor 0812… kirim undangan SPI", "akun
# SPI by KPK mengirim tautan": the act is the sender's, told, not asked of the reader.
_SAYING = frozenset({"bilang", "katanya", "bilangnya", "says", "said", "menyebut", "mengatakan"})
_MESSAGE_SENDERS = frozenset({"nomor", "nomor ini", "akun", "pengirim", "number", "account",
                              "sender", "this number"})


def _acts_of_message_senders(sentence: list[_Word]) -> None:
    """"Nomor 0813-2222-1919 kirim undangan", "wa dari 0812... bilang sy terpilih": the sender of
    a message (a number, an account, a message from a number) is who sends or says, the
    reader is asked nothing. The number itself is skipped, whatever its length."""
    for clause in _clauses(sentence):
        if not clause:
            continue
        source = clause[0].word in _MESSAGE_SENDERS or (
            "INVITE" in clause[0].tags and len(clause) > 2 and clause[1].word == "dari"
            and "NUMBER" in clause[2].tags)
        if not source:
            continue
        rest = [x for x in clause[1:] if "NUMBER" not in x.tags and x.word != "dari"]
        for x in rest[:3]:
            if x.tags & {"SEND", "FORWARD"} or x.word in _SAYING:
                x.off = True
                break


def _acts_of_sender(sentence: list[_Word]) -> None:
    """"Kami sampaikan bahwa survei sukarela": the sender informing, no ask of the reader."""
    for i, w in enumerate(sentence):
        if w.word not in _SENDER:
            continue
        for x in sentence[i + 1:i + 4]:
            if x.word in _INFORMING:
                x.off = True
                break
            if x.word not in _SENDER_FILLER:
                break


_INTO = frozenset({"di", "dalam", "melalui", "lewat", "pada", "in", "through", "via", "on",
                   "into", "ke"})
_VOICING = frozenset({"REPORT", "SEND", "REPLY"})


_VENUE = frozenset({"tempat", "wadah", "sarana", "saluran", "forum", "place", "channel",
                    "way"})


def _voiced_in_the_survey(sentence: list[_Word]) -> None:
    """"Sampaikan pendapat Anda secara jujur di survei resmi KPK": what is told or sent into
    the survey itself is answering it, so the verb is no report, unless the clause also
    names the office, proof or anyone's participation."""
    for clause in _clauses(sentence):
        if _has(clause, "PROOF", "RECEIVE", "SELECT", "FILL_NOUN", "FILL", "ANSWERS") or any(
                "LOCAL_PLACE" in w.tags and "OFFICIAL_PLACE" not in w.tags for w in clause):
            continue
        for i, w in enumerate(clause):
            if w.off or not w.tags & _VOICING:
                continue
            into = any(x.word in _INTO and k + 1 < len(clause) and "SURVEY" in clause[k + 1].tags
                       for k, x in enumerate(clause[i + 1:i + 8], start=i + 1))
            # "survei ini adalah tempat yang aman untuk menyampaikannya"
            venue = any("SURVEY" in x.tags and any(y.word in _VENUE for y in clause[k + 1:i])
                        for k, x in enumerate(clause[max(0, i - 8):i], start=max(0, i - 8)))
            if into or venue:
                w.tags = w.tags - _VOICING


_UNLINKED = frozenset({"tidak berpengaruh", "tidak memengaruhi", "tidak mempengaruhi",
                       "tidak ada hubungan", "tidak ada kaitan", "tak ada hubungan",
                       "tidak ada hubungannya", "tidak ada kaitannya", "tidak berkaitan",
                       "tidak terkait", "tidak berhubungan", "has nothing to do",
                       "have nothing to do", "not linked", "not tied"})
_LINKED_TO = frozenset({"pada", "terhadap", "ke", "kepada", "dengan", "dgn", "on", "to",
                        "with"})


def _negate_backwards(sentence: list[_Word]) -> None:
    """"Laporan penerimaan tidak diperlukan": a negation that closes its clause negates
    what came before it in that clause."""
    start = 0
    for i, w in enumerate(sentence):
        if _is_clause_end(w):
            start = i + 1
            continue
        if "POST_NEGATION" in w.tags and w.word in _UNLINKED and i + 1 < len(sentence) \
                and sentence[i + 1].word in _LINKED_TO:
            # "..., dan tidak berpengaruh pada penilaian kinerja": what it is not linked to
            # is denied, whatever the clause before it.
            for x in itertools.takewhile(lambda x: not _is_clause_end(x), sentence[i + 1:]):
                x.off = True
        if "POST_NEGATION" in w.tags:
            rest = [x for x in sentence[i + 1:] if not _is_clause_end(x)][:3]
            closes = all(not x.tags & _ACTS for x in rest)
            if closes:
                for x in sentence[start:i]:
                    x.off = True
                continue
        if w.tags & {"NEGATOR", "NEGATOR_STRONG"} and i + 1 < len(sentence) \
                and _passive(sentence[i + 1].word) \
                and not any(x.tags & {"RELATIVE", "WHO"} for x in sentence[start:i]):
            # "Tingkat partisipasi tidak diumumkan": the subject of a negated passive.
            for x in sentence[start:i]:
                x.off = True


def _passive(word: str) -> bool:
    return word.startswith("di") and len(word) > 5 and word.isalpha()


def _has(words_: Iterable[_Word], *concepts: str) -> bool:
    return any(not w.off and w.tags.intersection(concepts) for w in words_)


_DATE_WORDS = frozenset({
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
    "oktober", "november", "desember", "jan", "feb", "mar", "apr", "jun", "jul", "agu",
    "agt", "sep", "okt", "nov", "des", "january", "february", "march", "may", "june", "july",
    "august", "october", "december", "oct", "dec", "aug", "tanggal", "tgl", "jam", "pukul",
    "menit", "minutes", "minute", "hari", "days", "day", "tahun", "year"})


_ARRIVING = frozenset({"datang", "come", "came", "tiba", "hadir"})


_THINGS_RECEIVED = frozenset({"layanan", "pelayanan", "service", "services", "bantuan", "gaji",
                              "manfaat", "izin", "perizinan", "dokumen", "sertifikat"})
_OWN_DATA = frozenset({"data", "nomor", "kontak", "number", "contact", "details"})
_TO_THE_END = frozenset({"hingga", "sampai", "until", "to", "sd", "s/d"})
# The survey storing the reader's answers: "agar jawaban Anda tercatat", "your responses have
# been recorded". Someone else keeping them is named with an agent ("dicatat oleh atasan").
_STORED = frozenset({"tercatat", "tersimpan", "terekam", "terkirim", "recorded", "saved",
                     "stored", "submitted", "received"})
# In a received message, "jawaban Anda telah kami terima" is the survey's own receipt note (the
# sender may be KPK); in a broadcast the inspectorate would be saying it holds the answers.
_RECEIVED_BY_SENDER = frozenset({"terima", "diterima", "menerima"})
_HANDLED_TAGS = frozenset({"MONITOR", "SANCTION", "SEND", "COLLECT", "RECEIVE", "REPORT"})


def _not_the_invitation(tagged: list[_Word], *, received_message: bool = False) -> None:
    """What a genuine invitation says that only sounds like receipt or proof: "menerima
    layanan" (a service received, by whoever uses the office), "data Anda diperoleh dari
    instansi" (where KPK got the number), "isi hingga halaman terakhir" (the last page
    reached, not shown), and answers "yang sudah dikirim" (submitted to KPK, described)."""
    for i, w in enumerate(tagged):
        after = tagged[i + 1].word if i + 1 < len(tagged) else ""
        if "RECEIVE" in w.tags and (after in _THINGS_RECEIVED or (
                _passive(w.word) and any(x.word in _OWN_DATA
                                         for x in tagged[max(0, i - 3):i]))):
            w.tags = w.tags - {"RECEIVE"}
        if "PROOF" in w.tags and i > 0 and tagged[i - 1].word in _TO_THE_END:
            w.tags = w.tags - {"PROOF"}
        if "ANSWERS" in w.tags:
            ahead = list(itertools.takewhile(lambda x: not _is_clause_end(x),
                                             tagged[i + 1:i + 6]))
            stored = next((x for x in ahead[:4] if x.word in _STORED
                           or (received_message and x.word in _RECEIVED_BY_SENDER)), None)
            if stored is not None and not any(
                    x.word in ("oleh", "by", "ke", "to", "kepada") for x in ahead):
                stored.tags = stored.tags - _HANDLED_TAGS
                if received_message:
                    for x in ahead[:ahead.index(stored)]:
                        x.tags = x.tags - {"LOCAL_PLACE"}
        if "ANSWERS" in w.tags and after in ("yang", "that", "which"):
            rest = [x for x in tagged[i + 2:i + 5] if "STATUS" not in x.tags]
            if rest and "SEND" in rest[0].tags and (_passive(rest[0].word)
                                                    or rest[0].word in ("sent", "submitted")):
                target = tagged[i + 2:i + 8]
                if not any("LOCAL_PLACE" in x.tags and "OFFICIAL_PLACE" not in x.tags
                           for x in target):
                    rest[0].tags = rest[0].tags - {"SEND"}


def _arrivals(tagged: list[_Word]) -> None:
    """"undangan belum datang", "the link came": an invitation arriving is receipt, not a
    person coming to report."""
    for i, w in enumerate(tagged):
        if w.word in _ARRIVING and any("INVITE" in x.tags for x in tagged[max(0, i - 3):i]):
            w.tags = frozenset({"RECEIVE"})


_MODAL = frozenset({"dapat", "bisa", "can"})
_VERB_START = ("di", "me", "ber", "ter")


def _ellipses(tagged: list[_Word]) -> None:
    """"Yang sudah, ditunggu kabarnya", "kalau SPI-nya sudah.": "sudah"/"belum" closing its
    clause after a group, a condition or the survey stands for having taken part; "salah
    satu responden", "one of the SPI respondents" is one of those selected."""
    for i, w in enumerate(tagged):
        closes = i + 1 == len(tagged) or _is_clause_end(tagged[i + 1]) \
            or tagged[i + 1].word in ("ya", "yaa", "kah", "dong")
        if "STATUS" in w.tags and closes and any(
                x.tags & {"RELATIVE", "WHO", "SURVEY", "ITSELF"} or x.word in _CONDITION
                for x in tagged[max(0, i - 3):i]):
            w.tags = w.tags | {"FILL"}
        if "SELECT_WEAK" in w.tags and any(
                x.word in ("salah satu", "one of", "termasuk", "among", "one of the")
                for x in tagged[max(0, i - 3):i]):
            w.tags = w.tags | {"SELECT"}


def _modals(tagged: list[_Word]) -> None:
    """"Survei dapat diisi dari HP": "dapat" before a verb is "can", not "receive"; and
    "data yang Anda masukkan" is the reader's own input, not a record kept of them."""
    for i, w in enumerate(tagged[:-1]):
        after = tagged[i + 1]
        verb = (after.word.startswith(_VERB_START) and len(after.word) > 4) \
            or bool(after.tags & (_ACTS | {"FILL"}) and "INVITE" not in after.tags)
        if w.word in _MODAL and verb:
            w.tags = w.tags - {"RECEIVE", "BENEFIT"}
        if w.word == "data" and after.word in ("yang", "that") and any(
                "YOU" in x.tags for x in tagged[i + 2:i + 3]):
            w.tags = w.tags - {"COLLECT", "MONITOR"}


def _dates_are_not_counts(tagged: list[_Word]) -> None:
    """"sampai 31 Oktober", "10-15 menit": numbers of the calendar, not counts of people."""
    for i, w in enumerate(tagged):
        if "NUMBER" not in w.tags:
            continue
        near = {x.word for x in tagged[max(0, i - 1):i + 3]}
        if near & _DATE_WORDS or re.fullmatch(r"(19|20)\d\d", w.word):
            w.tags = w.tags - {"NUMBER"}  # "SPI 2026" names the year, not 2026 people


# Verbs of finding out: "kami perlu tahu siapa …", "akan menanyakan satu per satu apakah …"
# put the who-question to the reader after all.
_KNOWING = frozenset({"tahu", "know", "lihat", "see", "cek", "check", "tanya", "ask",
                      "satu per satu", "one by one", "data", "catat", "mengetahui", "find out"})


_PERMITS = frozenset({"boleh", "dapat", "berhak", "bisa", "mendapat", "mendapatkan", "dapet",
                      "memperoleh", "get", "gets", "may", "can", "earn", "earns", "receive",
                      "receives", "entitled", "diberi", "diberikan", "akan dapat"})


_CONDITION = frozenset({"setelah", "sesudah", "after", "once", "kalau", "jika", "bila",
                        "apabila", "if", "when", "begitu", "habis", "selesai", "seusai"})


_TAG_QUESTION = frozenset({"kan", "bukan", "right", "ya kan", "iya kan", "benar kan",
                           "betul kan", "isn't it", "aren't we", "don't you"})
_FEARS = frozenset({"takut", "ragu", "khawatir", "sungkan", "segan", "afraid", "hesitate",
                    "worry", "cemas"})


_PROSPECTIVE = _WISHING | frozenset({"prospective", "calon", "future", "pendaftaran",
                                     "registration", "menjadi", "become", "jadi"})


_QUESTION_NOUNS = frozenset({"pertanyaan", "bertanya", "ditanyakan", "menanyakan", "tanya",
                             "nanya", "question", "questions", "asked", "asking", "asks",
                             "wonder", "wondering", "wondered", "ask"})
_WHETHER_OPENERS = frozenset({"apakah", "whether", "if", "siapa", "who", "bagaimana", "how",
                              "kenapa", "why", "mengapa"})
_FIRST_PERSON_SINGULAR = frozenset({"saya", "aku", "i", "gue", "gw", "kula", "abdi"})
_OWN_DUTY = frozenset({"wajib", "harus", "perlu", "must", "need", "have", "boleh", "bisa",
                       "can", "may", "kudu"})


def _reported_questions(s: list[_Word]) -> None:
    """"Kami menerima pertanyaan apakah atasan akan tahu siapa yang mengisi", "Apakah saya
    wajib mengisi?": a question someone asked, quoted, or a reader's question heading an
    answer, asks nothing of the reader."""
    for i, w in enumerate(s):
        if w.word in _QUESTION_NOUNS and i + 1 < len(s) and s[i + 1].word in _WHETHER_OPENERS \
                and not any(x.word in _AUTHORITIES or x.tags & {"LOCAL_PLACE", "YOU"}
                            for x in s[:i] if x.word not in _SENDER) \
                and not _asks_beside(s, i):
            for x in itertools.takewhile(lambda x: x.word not in _SENTENCE_END, s[i + 1:]):
                x.off = True
            return
    if s and s[-1].word == "?" and s[0].word in _FEARS | {"penasaran", "bingung", "curious",
                                                          "worried", "cemas", "concerned"}:
        for x in s:
            x.off = True  # "Takut jawaban Anda diketahui atasan?": a fear named, answered
        return
    if s and s[-1].word == "?" and len(s) > 2 and s[0].word in _WHETHER_OPENERS | {
            "bolehkah", "haruskah", "wajibkah", "perlukah", "do", "must", "should", "can",
            "am"} and any(x.word in _FIRST_PERSON_SINGULAR for x in s[1:3]) and any(
            x.word in _OWN_DUTY or x.tags & {"DUTY"} for x in s[1:5]) and not any(
            x.tags & {"WHO", "MONITOR", "MONITOR_WEAK"} or x.word in _KNOWING for x in s):
        for x in s:
            x.off = True


_ANNOUNCED = frozenset({"bahwa", "berikut", "sebagai berikut", "hal", "hal-hal", "that",
                       "as follows", "the following"})


_HEADING_WORDS = frozenset({"update", "info", "informasi", "pengumuman", "kabar",
                            "berita", "news", "notice", "reminder", "pengingat"})
_SOON_STATES = frozenset({"berakhir", "ditutup", "dimulai", "dibuka", "selesai", "habis",
                          "tiba", "usai", "berlalu", "berjalan", "end", "ends", "close",
                          "closes", "start", "starts", "open", "opens"})


def _announcement_formula(s: list[_Word]) -> None:
    """"Disampaikan hal-hal sebagai berikut", "diinformasikan bahwa …": a passive conveying
    verb that introduces what the notice says is the sender informing, not an ask. So is a
    heading ("Update: …"), and "segera" before a state ("periode segera berakhir") tells
    time, asks nothing."""
    if len(s) > 1 and s[0].word in _HEADING_WORDS and s[1].word == ":":
        s[0].tags = s[0].tags - {"REPORT"}
    for i, w in enumerate(s):
        if w.word in ("segera", "soon") and "REQUEST" in w.tags and i > 0 \
                and i + 1 < len(s) and s[i + 1].word in _SOON_STATES \
                and not s[i - 1].tags & {"REQUEST", "YOU"} and not _is_clause_end(s[i - 1]):
            w.tags = w.tags - {"REQUEST"}
        if "REPORT" in w.tags and _passive(w.word) and any(
                x.word in _ANNOUNCED for x in s[i + 1:i + 3]):
            w.tags = w.tags - {"REPORT"}
        # bcast15: "Mohon dicatat: …", "perlu dicatat bahwa …": the reader is asked to note
        # what follows, nobody is put on record.
        if w.word in _NOTE_VERBS and i > 0 and s[i - 1].word in _NOTE_LEADS \
                and i + 1 < len(s) and s[i + 1].word in (":", "bahwa", "that"):
            w.tags = w.tags - {"MONITOR", "SANCTION", "SEND"}
    _response_opener(s)
    _results_reported(s)


_NOTE_VERBS = frozenset({"dicatat", "diingat", "noted"})
_NOTE_LEADS = frozenset({"mohon", "harap", "perlu", "untuk", "please", "be", "agar"})
_RESPONSE_OPENERS = frozenset({"menanggapi", "menjawab", "merespons", "merespon",
                               "membalas"})
_RESPONSE_TOPICS = frozenset({
    "pertanyaan", "surat", "edaran", "pesan", "berita", "kabar", "isu", "informasi", "info",
    "keluhan", "masukan", "banyaknya", "beredarnya", "maraknya", "beberapa", "kekhawatiran",
    "kebingungan", "rumor", "unggahan", "postingan", "diskusi", "pertanyaan-pertanyaan"})
_RESULT_NOUNS = frozenset({"hasil", "indeks", "nilai", "skor", "results", "index", "score"})


def _response_opener(s: list[_Word]) -> None:
    """bcast15: "Menanggapi pertanyaan beberapa pegawai, …", "Menjawab surat edaran yang
    beredar: …": a sentence opened in response to a question or news names what it answers
    up to its first comma or colon; that clause asks nothing (what follows is judged)."""
    start = next((i for i, w in enumerate(s[:4]) if w.word in _RESPONSE_OPENERS), None)
    if start is None or start + 1 >= len(s) \
            or s[start + 1].word.split()[0] not in _RESPONSE_TOPICS \
            or any(w.word.isalpha() and w.tags for w in s[:start]):
        return
    end = next((k for k in range(start + 1, len(s)) if s[k].word in (",", ":")), None)
    if end is None:
        return
    for w in s[start:end]:
        w.off = True


def _results_reported(s: list[_Word]) -> None:
    """bcast15: "Hasil SPI dilaporkan dalam bentuk indeks": results or an index reported,
    in a sentence naming no person, is how results travel, not a sanction on anyone."""
    if _has(s, "WHO", "PEOPLE", "YOU", "STATUS_NOT", "NAME", "SELECT", "SELECT_WEAK",
            "NONPARTICIPATION", "ANSWERS"):
        return
    for clause in _clauses(s):
        words = [w for w in clause if w.word.isalpha()]
        if words and words[0].word in _RESULT_NOUNS:
            for w in clause:
                if "SANCTION" in w.tags and _passive(w.word):
                    w.tags = w.tags - {"SANCTION"}


def _reports_as_documents(s: list[_Word]) -> None:
    """"Laporan hasil SPI dapat dibaca di situs jaga.id": a report named as a document that
    is read, published or downloaded, not anything the reader is asked to report."""
    for clause in _clauses(s):
        for i, w in enumerate(clause):
            if "REPORT" not in w.tags or not w.word.endswith("an") or not w.word.isalpha():
                continue
            rest = clause[i + 1:]
            passive = next((x for x in rest if _passive(x.word)), None)
            if passive is not None and not passive.tags & (_ACT_TAGS | {"MONITOR",
                                                                       "MONITOR_WEAK"}) \
                    and not any("LOCAL_PLACE" in x.tags and "OFFICIAL_PLACE" not in x.tags
                                for x in rest) \
                    and not _has(clause, "RECEIVE", "FILL", "FILL_NOUN", "SELECT", "PROOF"):
                w.tags = w.tags - {"REPORT"}


_CHECKING = frozenset({"keaslian", "keasliannya", "authenticity", "asli", "genuine", "palsu",
                       "fake", "authentic", "verifikasi", "verify", "yakin", "ragu", "curiga",
                       "mencurigakan", "suspicious", "unsure", "doubt", "dicek", "diperiksa",
                       "checked", "verified"})
_HERE_WORDS = frozenset({"di sini", "disini", "here", "sini"})


def _checking_here(s: list[_Word]) -> None:
    """"Kirim atau tempel pesan yang Anda terima di sini, lalu kami beri tahu apakah pesannya
    asli": a received message handed over here to be told whether it is genuine is the
    bot's verification; answers, proof or anyone's status handed over are not."""
    if not any(w.word in _CHECKING for w in s) or not any(
            w.word in _HERE_WORDS or "BOT" in w.tags for w in s):
        return
    if any(w.tags & {"ANSWERS", "FILL", "FILL_NOUN", "STATUS", "STATUS_NOT", "SELECT"}
           for w in s) or (any("PROOF" in w.tags for w in s)
                           and not any("INVITE" in w.tags for w in s)):
        return
    handed = {"SEND", "FORWARD", "REPORT", "RECEIVE", "PROOF", "MONITOR", "MONITOR_WEAK"}
    for w in s:
        # "screenshot aja terus kirim ke bot ini buat dicek": the message's picture, checked.
        if w.tags & handed and (w.word in _CHECKING or w.word in _HERE_WORDS or not w.tags & {
                "MONITOR"} or any("BOT" in x.tags for x in s)):
            w.tags = w.tags - handed


_CHECK_VERBS = frozenset({"cek", "periksa", "pastikan", "check", "verify", "lihat",
                          "perhatikan", "teliti", "make sure"})
_ORIGIN = frozenset({"resmi", "official", "asli", "genuine", "palsu", "fake", "sah",
                     "terverifikasi", "verified", "centang"})
_OWN_CHECK_TAGS = frozenset({"ASK_QUESTION", "SEND", "MONITOR", "MONITOR_WEAK", "RECEIVE"})


def _checking_origin(s: list[_Word]) -> None:
    """"Cek apakah undangan dikirim dari kanal resmi", "check whether the link is KPK's":
    the reader's own check of where a message came from, nothing asked back."""
    for i, w in enumerate(s[:-1]):
        if w.word not in _CHECK_VERBS or s[i + 1].word not in ("apakah", "whether", "if"):
            continue
        end = next((k for k in range(i + 2, len(s)) if s[k].word in _SENTENCE_END), len(s))
        clause = s[i + 1:end]
        if any(x.word in _ORIGIN or x.tags & {"OFFICIAL_PLACE", "KPK"} for x in clause) \
                and not any(x.tags & {"ANSWERS", "STATUS", "STATUS_NOT", "SELECT", "FILL",
                                      "REQUEST", "LOCAL_PLACE"} for x in clause):
            for x in [w, *clause]:
                x.tags = x.tags - _OWN_CHECK_TAGS


_READERS_MESSAGES = frozenset({"chat", "pesan", "pertanyaan", "keluhan", "message",
                               "messages", "question", "questions", "aduan", "laporan"})


def _replies_to_reader(s: list[_Word]) -> None:
    """"chat Anda akan dibalas petugas", "your question will be answered": the office's
    reply to the reader's own message, nothing asked of the reader."""
    for i, w in enumerate(s):
        if not w.tags & {"REPLY", "REPORT", "SEND"} or not (
                _passive(w.word) or w.word.endswith("ed")):
            continue
        before = s[max(0, i - 4):i]
        if any(x.word in _READERS_MESSAGES for x in before) \
                and any("YOU" in x.tags for x in before):
            w.tags = w.tags - {"REPLY", "REPORT", "SEND"}


_FAQ_OPENERS = frozenset({"apa", "berapa", "bagaimana", "gimana", "kapan", "mengapa",
                          "kenapa", "what", "how", "when", "why", "where", "di mana",
                          "dimana", "kemana", "ke mana"})
_ANSWER_LIKE_BARS = frozenset({"AFFIRM", "FILL", "STEER", "REQUEST", "REPORT", "SEND",
                               "COLLECT", "FORWARD", "REPLY", "GATHER", "MONITOR",
                               "WAITING", "STATUS_NOT", "SANCTION", "CONSEQUENCE",
                               "PRESSURE", "DUTY", "REWARD", "PROOF"})


def _faq_pair(question: list[_Word], answer: list[_Word]) -> bool:
    """A question heading its own answer: "Berapa lama mengisinya? Sekitar 10 menit.",
    "Siapa saja yang bisa menjadi responden? Pegawai, pengguna layanan …". Not a status
    question ("Sudah terima undangan?") nor one followed by an ask, an act, the office or a
    consequence ("Siapa yang sudah dapat? Saya tunggu di grup.")."""
    if not question or question[-1].word != "?" or any(
            w.tags & {"STATUS", "STATUS_NOT", "YOU", "REQUEST", "PRESUME"}
            or w.word in _TAG_QUESTION for w in question):
        return False  # "Tentu Bapak/Ibu puas …, bukan?": a leading question
    if any(w.tags & {"RECEIVE", "FILL", "SELECT", "SELECT_WEAK"} for w in question):
        # Participation in a question: only what/how long/why, or who may, heads an answer;
        # "Terpilih jadi responden?", "sapa yg kemarin ditelpon kpk?" want one back.
        opener = question[0].word
        modal = any(w.word in _PERMITS | _OWN_DUTY | {"bolehkah", "haruskah", "wajibkah",
                                                      "perlukah", "bisakah"} for w in question)
        if not (opener in _FAQ_OPENERS or (opener in _WHETHER_OPENERS | {
                "bolehkah", "haruskah", "wajibkah", "perlukah", "bisakah"} and modal)):
            return False
    if not answer or answer[-1].word == "?" or any(
            w.tags & _ANSWER_LIKE_BARS and not w.off for w in answer) or any(
            w.word in ("dong", "yuk", "ayo", "deh", "please", "pls") for w in answer):
        return False
    return not any("LOCAL_PLACE" in w.tags and "OFFICIAL_PLACE" not in w.tags
                   and w.word not in _SENDER for w in answer if not w.off)


def _asks_beside(s: list[_Word], at: int) -> bool:
    """An ask before the quoted question or in a clause after it ("Pimpinan bertanya apakah
    …, tolong jawab di grup")."""
    end = next((k for k in range(at + 1, len(s)) if _is_clause_end(s[k])), len(s))
    return any("REQUEST" in x.tags for x in s[:at]) or any(
        "REQUEST" in x.tags or "REPLY" in x.tags for x in s[end:])


def _registering_with_bot(s: list[_Word]) -> None:
    """"Ketik DAFTAR ke nomor bot ini": registering with the bot is the registration it
    offers, not signing up with the office."""
    for i, w in enumerate(s):
        if "REPORT" in w.tags and w.word.split(maxsplit=1)[0] in _REGISTER_VERBS | {
                "daftar", "mendaftar"} and any("BOT" in x.tags for x in s[i + 1:i + 4]):
            w.tags = (w.tags - {"REPORT"}) | {"REGISTRATION"}
        elif w.word in _VISITS and i + 2 < len(s) and s[i + 1].word in ("ke", "to") \
                and "BOT" in s[i + 2].tags:
            # "udah mampir ke bot kami": a visit to the bot is its use, nothing reported
            w.tags = w.tags - {"REPORT", "RECEIVE"}
        if "LOCAL_PLACE" in w.tags and i > 0 and "BOT" in s[i - 1].tags \
                and "LOCAL_PLACE" not in s[i - 1].tags:
            # "chatbot Inspektorat": the office owns the bot, the message goes to the bot
            w.tags = w.tags - {"LOCAL_PLACE"}


_VISITS = frozenset({"mampir", "berkunjung", "datang", "visiting", "visited", "stopping",
                     "stopped", "dropping"})


def _wishes_not_status(s: list[_Word]) -> None:
    """"Yang ingin ikut menjadi responden, silakan pindai QR": wanting to be selected or
    invited is a wish to register, not having been selected; so is wanting to take part
    where registering is what the sentence offers ("yang mau ikut survei, scan QR")."""
    registering = any("REGISTRATION" in w.tags for w in s)
    for i, w in enumerate(s):
        if registering and "FILL" in w.tags and (any(
                x.word in _WISHING for x in s[max(0, i - 2):i]) or any(
                x.word in _PROSPECTIVE - _WISHING for x in s[i + 1:i + 3])):
            w.tags = w.tags - {"FILL"}  # "ikut menjadi calon responden dengan memindai QR"
        if not w.tags & {"SELECT", "RECEIVE"}:
            continue
        before = s[max(0, i - 3):i]
        wish = next((k for k, x in enumerate(before) if x.word in _WISHING), None)
        if wish is None:
            continue
        for x in [*before[wish + 1:], w]:
            x.tags = x.tags - {"SELECT", "RECEIVE", "FILL"}


_CONTACT_NOUNS = frozenset({"nomor", "number", "email", "e-mail", "kontak", "contact",
                            "hp", "telepon", "phone"})
_UPKEEP = frozenset({"aktif", "active", "valid", "benar", "perbarui", "memperbarui",
                     "diperbarui", "update", "updated", "mutakhir", "terbaru", "pemutakhiran",
                     "mutakhirkan", "dimutakhirkan", "correct", "current"})


def _contact_upkeep(s: list[_Word]) -> None:
    """"Pastikan nomor WhatsApp Anda di data kepegawaian masih aktif": keeping one's contact
    details valid is the population data KPK samples from, the office's one task."""
    if any(w.word in _CONTACT_NOUNS for w in s) and any(w.word in _UPKEEP for w in s):
        for w in s:
            if w.word in _CONTACT_NOUNS:
                w.tags = w.tags | {"POPULATION"}
            elif "daftar" in w.word and "REPORT" in w.tags:
                # "nomor yang didaftarkan aktif": the contact registered, nothing reported
                w.tags = (w.tags - {"REPORT"}) | {"REGISTRATION"}


_ACT_TAGS = frozenset({"REPORT", "SEND", "COLLECT", "FORWARD", "REPLY"})
