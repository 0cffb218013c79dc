"""Scam and manipulation signs asserted in a text, with negation read per clause, and claims.

A sign counts only when the text asks for it. Negation is read, not keyword-cancelled: a
negator ("jangan", "tidak", "never") denies what follows it up to the end of its clause, so
"Jangan berikan kode OTP" is a warning; but "jangan lupa", "jangan khawatir", "jika tidak …"
and "tidak perlu ragu" deny a feeling or set a condition, not the ask that follows. "Tanpa",
"bebas" and "without" deny only the few words right after them, and "gratis" denies nothing:
"Gratis, cukup transfer biaya admin" is still a payment ask.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

# A text naming KPK or SPI claims to come from them; its links and numbers must then be official.
_CLAIM = re.compile(
    r"\b(kpk|komisi pemberantasan korupsi|spi|survei penilaian integritas|"
    r"survey penilaian integritas|penilaian integritas)\b", re.IGNORECASE)

# Where a clause ends: sentence and clause punctuation (a dot inside "Rp50.000" does not), and
# words that start a new instruction ("…, cukup transfer", "jangan khawatir silakan kirim").
_BOUNDARY = re.compile(
    r"[!?;\n]|[.,:](?!\d)|\s[/|]\s|\s[-\u2013\u2014]+\s|[\u2013\u2014\u2192]|"
    r"[(\[](?=[^()\[\]]*?\w+\W+\w)|\bdan\s+(?=(segera\s+)?(kirim|kirimkan|laporkan|lapor|balas|transfer|bayar|"
    r"berikan|serahkan|setor|hubungi|konfirmasi|japri|kabari|isi|klik|unduh|pasang)\b)|\b(tetapi|tapi|namun|melainkan|cukup|lalu|kemudian|selanjutnya|"
    r"silakan|silahkan|mohon|harap|tolong|segera|but|however|instead|just|then|please)\b",
    re.IGNORECASE)
_NEGATOR = re.compile(
    # "kada" is Banjar's "tidak" ("kada minta duit")
    r"\b(tidak|tak|tdk|gak|ga|nggak|enggak|ngga|kada|bukan|jangan|jgn|hindari|hindarilah|never|not|"
    r"don'?t|avoid|"
    r"no(?![.\s]*(rek|hp|wa|telp|tlp|handphone|kartu|\d)))\b",
    re.IGNORECASE)
# Negators that reach only the next few words: "tanpa biaya", "tanpa memasang aplikasi".
_NEAR_NEGATOR = re.compile(r"\b(tanpa|bebas|without)\b((?:\s+\S+){0,2})\s*$", re.IGNORECASE)
# "jangan lupa", "tidak perlu khawatir", "jangan sampai": the ask after them stands.
_NOT_A_DENIAL = re.compile(
    r"\s+((perlu|usah|pernah|boleh)\s+)?(lupa|ragu|ragu-ragu|khawatir|takut|sungkan|bingung|"
    r"cemas|panik|sampai|lewatkan|tunda|menunda|terlambat|telat|forget|hesitate|worry|miss|"
    r"delay|wait)\b"
    # "tidak apa-apa kirim OTP", "tidak ada salahnya", "no problem": reassurance, not a denial
    r"|\s+(apa-apa|apa2|apa apa|papa|masalah|(ada\s+)?(salahnya|masalah\w*|risiko\w*|bahaya\w*)|"
    r"problem|worries|harm|risk)\b", re.IGNORECASE)
# "jika tidak mengisi, …" and "pegawai yang tidak mengisi akan …" set a condition (usually
# before a threat): they deny nothing.
_CONDITION = re.compile(
    r"(\b(jika|kalau|klo|apabila|bila|if|unless)\s+(\S+\s+)?|\b(yang|yg|who)\s+)$", re.IGNORECASE)
# "tidak meminta OTP, PIN, atau password": a comma before a short item without a verb continues
# a list, and the list stays in the clause of its negation.
_LIST_ITEM = re.compile(
    r"\s*((atau|dan|serta|maupun|juga|or|and|nor)\s+)?(?!(kirim|kirimkan|berikan|beri|"
    r"transfer|bayar|masukkan|isi|klik|ketik|balas|sebutkan|unduh|pasang|login|masuk|send|give|"
    r"enter|pay|click|type|share|install|download)\b)([\w-]+\s*){0,3}", re.IGNORECASE)
# A comma followed by one of these starts a new clause, never a list item: "…, demi skor kantor".
_NEW_CLAUSE = re.compile(
    r"\s*(hanya|cuma|cuman|cukup|only|just|demi|agar|supaya|biar|karena|sebab|untuk|jika|kalau|kalo|bila|apabila|nanti|lalu|terus|"
    r"so|because|to|if|then|otherwise)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_LONE_WORD = re.compile(r"\s*[\w-]+\s*")
# A sign's frame lives in one sentence: "... Inspektorat Daerah. Silakan mengisi survei" names
# the inspectorate and then asks the reader, it does not say the inspectorate fills it in.
_SENTENCE_GAP = re.compile(r"[.!?]\s+(?=[A-Z])|\n")
_SCOPE = 300  # characters a negation reaches back at most; bounds the work on long texts
# "Jangan berikan OTP kecuali kepada petugas" and "tidak ada biaya selain transfer" ask after all.
_EXCEPTION = re.compile(r"\b(kecuali|selain|pengecualian|dikecualikan|except|other than|but only|"
                        r"unless)\b", re.IGNORECASE)


# A sentence that names an ask only to warn against it: "permintaan OTP adalah tanda bahaya",
# "jika ada yang meminta Anda melapor, itu melanggar aturan SPI", "any request for a PIN is a
# red flag". The ask is the subject of the warning (after a word that names it as someone
# else's ask) and the sentence says what it is; a sentence that also asks stays an ask.
_SENTENCE_END = re.compile(r"[!?;\n]|\.(?=\s|$)")
_WARN_SUBJECT = re.compile(
    r"\b(permintaan|meminta|minta|diminta|dimintai|menyuruh|disuruh|request(s|ing)?|ask(s|ed|ing)?|"
    r"janji|menjanjikan|promise[sd]?|tawaran|menawarkan|offers?|mengarahkan|mengumpulkan|"
    r"menanyakan|steering|collecting|gathering|asking|requesting|pihak yang|orang yang|"
    r"siapa pun yang|anyone who|someone who|"
    r"(jika|bila|kalau|apabila|if) (ada|someone|anyone|anybody))\b", re.IGNORECASE)
_WARN_PREDICATE = re.compile(
    r"\b(tanda bahaya|patut dicurigai|perlu dicurigai|mencurigakan|penipu(an)?|modus|hoaks|palsu|"
    r"waspadai|waspada(lah)?\s+(terhadap|dengan|akan|pada)|"
    r"(ber)?hati-hati(lah)?\s+(terhadap|dengan|pada)|awas|beware( of)?|be careful|watch out|"
    r"melanggar (aturan|ketentuan)|tidak (dibenarkan|diperbolehkan)|dilarang|"
    r"jangan (ditanggapi|dilayani|dituruti|diikuti|dipercaya|dikasih|diberi|diberikan|dibalas|"
    r"direspons?|diladeni|dibayar|ditransfer)|hentikan|"
    r"bukan (dari|berasal dari|pesan dari|kiriman|petugas|pegawai|orang) (kpk|kami)|"
    r"bukan (pesan |permintaan )?resmi|tidak perlu (dituruti|diikuti|"
    r"ditanggapi)|red flag|suspicious|a scam|fraud|breaks? (spi )?rules|against (spi )?rules|"
    r"not allowed|forbidden|do not (respond|comply|reply)|tolak\w*|abaikan|laporkan ke|ignore it|"
    r"refuse|decline|say no)\b", re.IGNORECASE)
# "Jawaban Anda tidak perlu dikirim ke siapa pun": a negated passive after the phrase denies it.
_POST_DENIAL = re.compile(
    r"\W*((?!(bila|jika|kalau|kalo|klo|apabila|if|unless|yang|yg|when|who)\b)\w+\W+){0,3}?"
    r"(tidak|tak|tdk|jangan|bukan|never|not|no need)\s+"
    r"((perlu|usah|boleh|akan|pernah|harus|wajib|dapat|bisa|need|needs|to|be)\s+)*"
    r"(di\w+|ke\w+|\w+ed|shared|sent|shown)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Signs:
    scam: list[str]  # ids under [scam] in scam_signs.toml, in the data's order
    manipulation: list[str]  # ids under [manipulation]
    other_asks: list[str]  # ids under [ask]: asks beyond filling the survey, named by no sign


@dataclass(frozen=True, slots=True)
class _Knowledge:
    scam: dict[str, list[re.Pattern[str]]]
    manipulation: dict[str, list[re.Pattern[str]]]
    asks: dict[str, list[re.Pattern[str]]]
    unless: dict[str, re.Pattern[str]]
    unless_before: dict[str, re.Pattern[str]]


@lru_cache(maxsize=1)
def _knowledge() -> _Knowledge:
    raw = resources.files("handlers.knowledge").joinpath("scam_signs.toml").read_text("utf-8")
    data = tomllib.loads(raw)

    families = _families(data.get("families", {}))

    def compiled(table: dict[str, list[str]]) -> dict[str, list[re.Pattern[str]]]:
        return {sign: [re.compile(_expand(p, families), re.IGNORECASE) for p in patterns]
                for sign, patterns in table.items()}

    def excuses(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
        return {sign: re.compile(_expand(p, families), re.IGNORECASE)
                for sign, p in table.items()}

    return _Knowledge(compiled(data["scam"]), compiled(data["manipulation"]),
                      compiled(data["ask"]), excuses(data.get("unless", {})),
                      excuses(data.get("unless_before", {})))


_FAMILY = re.compile(r"<<(\w+)>>")


def _families(raw: dict[str, list[str]]) -> dict[str, str]:
    """Word families as one alternation each; a family may name families defined before it."""
    out: dict[str, str] = {}
    for name, words in raw.items():
        out[name] = "(?:" + "|".join(_expand(w, out) for w in words) + ")"
    return out


def _expand(pattern: str, families: dict[str, str]) -> str:
    """`<<report>>` in a pattern stands for the family `report` (a frame names families, not
    the sentences seen); an unknown family name is an error in the data, not a silent miss."""
    def one(match: re.Match[str]) -> str:
        if match[1] not in families:
            raise KeyError(f"scam_signs.toml: unknown word family <<{match[1]}>>")
        return families[match[1]]
    return _FAMILY.sub(one, pattern)


def scam_sign_ids() -> list[str]:
    return list(_knowledge().scam)


def manipulation_sign_ids() -> list[str]:
    return list(_knowledge().manipulation)


# Obfuscation a scammer uses to slip past word lists: zero-width characters and emoji between
# words, full-width letters, letters spaced or hyphenated apart ("O T P", "k-o-d-e"), digits for
# letters ("0TP", "k0de", "b1aya"), and a sentence broken over one-word lines.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f]")
_SPACED = re.compile(r"(?<![\w-])(?:[a-z0-9][ .\-_*·]){2,}[a-z0-9](?![\w-])", re.IGNORECASE)
# Cyrillic and Greek letters drawn like Latin ones ("ОТР" in Cyrillic reads as OTP).
_HOMOGLYPHS = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u043a\u043c\u0442\u043d\u0432\u0456\u0458\u0455"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0406\u0408\u0405\u0423"
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7"
    "\u03bf\u03b1\u03bd\u03b9\u03ba\u03c1\u03c4\u03c5",
    "aeopcyxkmtHvijs"
    "ABEKMHOPCTXIJSY"
    "ABEZHIKMNOPTYX"
    "oavikptu")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})
# A word with single digits among its letters; a run of two or more digits is a number
# ("spi2024", "Rp50"), and an amount with its unit ("5k", "10rb") is money, not a word.
_MIXED = re.compile(r"(?<![\w@.])(?=\w*[a-z])(?=\w*[013457])[a-z013457]+(?![\w@]|\.\w)",
                    re.IGNORECASE)
_AMOUNT = re.compile(r"\d+(rb|rbu|ribu|k|jt|juta|an|x|gb|mb|kb|m|h|d|th|st|nd|rd|pm|am)",
                     re.IGNORECASE)
_BULLET_START = re.compile(r"\s*([-\u2022*\u00b7>]|\(?\d{1,2}[.)]|\(?[a-e][.)])\s")
_SHORT_LINE = 3  # words


def _unspaced(match: re.Match[str]) -> str:
    letters = re.sub(r"[ .\-_*·]", "", match[0])
    if sum(c.isalpha() for c in letters) < 2:
        return match[0]
    return " ".join(_segmented(letters.translate(_LEET).lower()))


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """The words the signs are written in, to split "kodeverifikasi" spelled out letter by
    letter back into its words."""
    raw = resources.files("handlers.knowledge").joinpath("scam_signs.toml").read_text("utf-8")
    return frozenset(w.lower() for w in re.findall(r"[a-zA-Z]{3,}", raw))


def _segmented(word: str) -> list[str]:
    vocabulary = _vocabulary()
    if len(word) < 7 or word in vocabulary:
        return [word]
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            if head is not None and word[start:end] in vocabulary \
                    and (best[end] is None or len(head) + 1 < len(best[end] or [])):
                best[end] = [*head, word[start:end]]
    return best[-1] or [word]


def _unleet(match: re.Match[str]) -> str:
    word = match[0]
    if _AMOUNT.fullmatch(word) or re.search(r"\d\d", word) \
            or sum(c.isalpha() for c in word) < 2:
        return word
    return word.translate(_LEET)


def _joined_short_lines(text: str) -> str:
    """A sentence broken over short lines ("kirim\nkode\nverifikasi") is read as one."""
    lines = text.split("\n")
    out = [lines[0]]
    for previous, line in pairwise(lines):
        short = 0 < len(previous.split()) <= _SHORT_LINE and 0 < len(line.split()) <= _SHORT_LINE
        if short and not re.search(r"[.!?:;,]\s*$", previous) \
                and not _BULLET_START.match(line) and not _BULLET_START.match(previous):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def deobfuscate(text: str) -> str:
    """`text` as its reader reads it, with the disguises above taken off."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_HOMOGLYPHS)
    text = "".join(" " if unicodedata.category(c) in ("So", "Sk", "Cs", "Co") else c
                   for c in text)
    text = _SPACED.sub(_unspaced, text)
    text = _MIXED.sub(_unleet, text)
    return _joined_short_lines(text)


# Clitics on a sign's word ("rekeningnya", "kodenya", "PINmu") are split off for the signs.
_CLITIC = re.compile(r"\b([a-z]{3,}?)(nya|mu|ku)\b", re.IGNORECASE)


def _split_clitics(text: str) -> str:
    vocabulary = _vocabulary()

    def one(match: re.Match[str]) -> str:
        word, stem = match[0].lower(), match[1].lower()
        if word in vocabulary or stem not in vocabulary:
            return match[0]
        return f"{match[1]} {match[2]}"
    return _CLITIC.sub(one, text)


def find_signs(text: str) -> Signs:
    """The scam and manipulation signs `text` asserts (denied ones are left out)."""
    text = _split_clitics(deobfuscate(text))
    knowledge = _knowledge()
    return Signs(_asserted_ids(text, knowledge.scam, knowledge),
                 _asserted_ids(text, knowledge.manipulation, knowledge),
                 _asserted_ids(text, knowledge.asks, knowledge))


def _asserted_ids(text: str, table: dict[str, list[re.Pattern[str]]],
                  knowledge: _Knowledge) -> list[str]:
    out = []
    sentences = _sentences(text)
    for sign, patterns in table.items():
        excuse = knowledge.unless.get(sign)
        excuse_before = knowledge.unless_before.get(sign)
        # Matched sentence by sentence: a match that would run across a sentence gap must not
        # hide the real one inside the next sentence ("Isi survei di … . Jawab sesuai arahan").
        # Overlapping matches are tried too: a denied "kode" must not hide a later one.
        for match in (m for p in patterns for start, end in sentences
                      for m in _overlapping(p, text, start, end)):
            # The excuse may stand anywhere from the match to the end of its clause; an
            # `unless_before` one between the clause's start and the match.
            tail = max(match.end(), _clause_end(text, match.end()))
            if excuse is not None and excuse.search(text, match.start(), tail):
                continue
            if excuse_before is not None and excuse_before.search(
                    text, _clause_start(text, match.start()), match.start()):
                continue
            if asserted(text, match.start(), match.end()):
                out.append(sign)
                break
    return out


def _overlapping(pattern: re.Pattern[str], text: str, start: int,
                 end: int) -> Iterator[re.Match[str]]:
    """Every match of `pattern` in text[start:end], one per starting position."""
    position = start
    while position < end:
        match = pattern.search(text, position, end)
        if match is None:
            return
        yield match
        position = match.start() + 1


@lru_cache(maxsize=4)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence of `text`, split at _SENTENCE_GAP (its full stop kept)."""
    out, start = [], 0
    for gap in _SENTENCE_GAP.finditer(text):
        end = gap.start() + (gap.group() != "\n")
        out.append((start, end))
        start = gap.end()
    out.append((start, len(text)))
    return tuple(out)


@lru_cache(maxsize=4)
def _boundaries(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every clause boundary of `text` (start, end, text), found once per checked text."""
    return tuple((b.start(), b.end(), b.group()) for b in _BOUNDARY.finditer(text))


# "KPK will never ask you to transfer money, share an OTP, or install an app": after "ask you
# to", the short verb phrases between commas are the infinitive's list, under its negation.
_ASKED_TO = re.compile(
    r"\b(ask|asks|asked|request|requests|require|requires|tell|tells|want|wants)\s+(\w+\s+)?"
    r"to\s+\w+", re.IGNORECASE)
_SHORT_ITEM = re.compile(r"\s*((or|and|nor)\s+)?\w+(\s+[\w-]+){0,4}\s*", re.IGNORECASE)


# After a comma, a phrase that carries an amount or a predicate of its own ("tidak dipungut
# biaya, biaya admin Rp5.000 saja", "…, nama ibu kandung kami perlukan") starts a new clause:
# a list item under a negation is a bare noun phrase.
_OWN_PREDICATE = re.compile(
    r"\b(rp\.?\s?\d|\d+\s?(rb|ribu|k|jt|juta)\b|\d{1,3}[.,]\d{3})|\b(saja|aja|doang|only|"
    r"just|diperlukan|perlukan|dibutuhkan|butuhkan|wajib|harus|dikenakan|dikenai|berlaku|kami|"
    r"kita|silakan|silahkan|dulu|dahulu|tetap|masih|is|are|required|needed)\b",
    re.IGNORECASE)


def _clause_start(text: str, position: int) -> int:
    end = position
    before = [b for b in _boundaries(text) if b[1] <= position]
    for k in range(len(before) - 1, -1, -1):
        b_start, b_end, found = before[k]
        if end == position and _comma_like(found) \
                and _OWN_PREDICATE.search(text, b_end, _clause_end(text, position)):
            return b_end
        # Inside a list ("pulsa, transfer, atau kode OTP") a lone word between two commas is an
        # item, even one that could be a verb: an ask needs an object after its verb.
        lone_item = end != position and _LONE_WORD.fullmatch(text, b_end, end) is not None
        item = lone_item or _LIST_ITEM.fullmatch(text, b_end, end) is not None \
            or (_SHORT_ITEM.fullmatch(text, b_end, end) is not None
                and _ASKED_TO.search(text, before[k - 1][1] if k else 0, b_start) is not None)
        if not (_comma_like(found) and item and not _NEW_CLAUSE.match(text, b_end)):
            return b_end
        end = b_start
    return 0


def _comma_like(boundary: str) -> bool:
    """A comma, or a dash, slash, bracket or arrow standing where a comma could: what follows
    it may be one more item of a list ("tidak meminta (OTP, PIN)") or a new clause ("tidak
    meminta biaya (transfer Rp10.000 ke admin)"), which the list test tells apart."""
    return boundary.strip() in {",", "/", "|", "-", "--", "\u2013", "\u2014", "(", "[", "\u2192"}


def _clause_end(text: str, position: int) -> int:
    return next((b_start for b_start, _, _ in _boundaries(text) if b_start >= position),
                len(text))


def asserted(text: str, start: int, end: int) -> bool:
    """Is the phrase at text[start:end] asked for, rather than denied in its clause?

    Both ends of the phrase must stand. A negator inside the phrase counts too ("jawaban Anda
    tidak akan dilihat atasan"), except on its first word, which some signs start with
    ("jangan beri jawaban negatif").
    """
    if _EXCEPTION.search(text, end, _clause_end(text, end)):
        return True
    if _warned(text, start) or _POST_DENIAL.match(text, end, _clause_end(text, end)):
        return False
    if _listed_under_denial(text, start, end):
        return False
    words = list(_WORD.finditer(text, start, end))
    last = words[-1].start() if words else start
    inner = words[0].end() if words else start
    before = text[max(_clause_start(text, start), start - _SCOPE):start]
    if _NEAR_NEGATOR.search(before) or _denied(before):
        return False
    last_clause = _clause_start(text, last)
    scope = text[max(last_clause, last - _SCOPE):last] if last_clause > start \
        else f"{before} {text[inner:last]}"
    return not _denied(scope)


# A list after a colon: "KPK tidak pernah meminta:\n- transfer uang\n- kode OTP", "Hal yang
# TIDAK akan kami minta: pembayaran, OTP, PIN". Each item is short; items on their own lines
# start with a bullet or a number, items on the colon's line are split by commas or semicolons.
_LIST_COLON = re.compile(r":(?!\d)")
_BULLET = re.compile(
    r"\s*([-\u2022*\u00b7\u2013\u2014\u25aa\u25cf>]|\(?\d{1,2}[.)]|\(?[a-e][.)])\s+")
_ITEM_WORDS = 6
_ITEM_END = re.compile(r"[\n,;]|[.!?](?=\s|$)")
# An item that starts a new instruction is no item: "...: cukup transfer Rp10.000".
_NEW_INSTRUCTION = re.compile(
    r"\s*((dan|atau|and|or)\s+)?(cukup|silakan|silahkan|mohon|harap|tolong|segera|lalu|kemudian|"
    r"tetapi|tapi|namun|just|please|then|but)\b", re.IGNORECASE)
# "Hal yang tidak akan kami minta:": a relative clause's negation still governs the list when
# its verb is the asking itself.
# The denied verb must govern the list: the head ends with it (or "hal berikut", "the following").
_HEAD_END = re.compile(
    r"\b(minta|meminta|diminta|dimintai|mintai|menanyakan|ditanyakan|tanyakan|pungut|memungut|"
    r"dipungut|perlukan|memerlukan|butuhkan|membutuhkan|ask|asks|asked|request|requests|"
    r"requested|collect|collects|need|needs)"
    r"(\s+(anda|kamu|bapak/ibu|kepada anda|dari anda|you|for|apa pun|hal|hal-hal|berikut|"
    r"di bawah ini|seperti|ini|the following|anything like))*\s*$", re.IGNORECASE)
_ASK_VERB = re.compile(
    r"\b(minta|meminta|diminta|dimintai|mintai|menanyakan|ditanyakan|tanyakan|pungut|memungut|"
    r"dipungut|ask|asks|asked|request|requests|requested|collect|collects)\b", re.IGNORECASE)


def _listed_under_denial(text: str, start: int, end: int) -> bool:
    """Is the phrase an item of a list whose head (before the colon) denies or warns of it?"""
    if text.rfind(":", max(0, start - _SCOPE), start) < 0:
        return False
    colon = None
    for m in _LIST_COLON.finditer(text, max(0, start - _SCOPE), start):
        colon = m
    if colon is None:
        return False
    item_end = _ITEM_END.search(text, end)
    # The item holding the phrase: one with an exception or an amount of its own ("- selain
    # biaya admin Rp10.000") is no item of the denied list.
    item_start = max(colon.end(), *(text.rfind(c, colon.end(), start) + 1 for c in "\n,;"))
    item = text[item_start:item_end.start() if item_end is not None else len(text)]
    if _EXCEPTION.search(item) or _OWN_PREDICATE.search(item):
        return False
    region = text[colon.end():item_end.start() if item_end is not None else len(text)]
    lines = region.split("\n")
    if len(lines) > 1:  # items on their own lines, each with its bullet
        items = lines[1:]
        if lines[0].strip() or not all(_BULLET.match(item) for item in items):
            return False
        items = [_BULLET.sub("", item, count=1) for item in items]
    else:
        items = [_BULLET.sub("", item, count=1) for item in re.split(r"[,;]", region)]
    if any(len(_WORD.findall(item)) > _ITEM_WORDS or re.search(r"[.!?](\s|$)", item.rstrip())
           or _NEW_INSTRUCTION.match(item) for item in items):
        return False
    reach = max(0, colon.start() - _SCOPE)
    head_start = max((m.end() for m in _SENTENCE_END.finditer(text, reach, colon.start())),
                     default=reach)
    head = text[head_start:colon.start()]
    if _WARN_SUBJECT.search(head) and _WARN_PREDICATE.search(head):
        return True
    if not _HEAD_END.search(head):
        return False  # "Kami tidak meminta banyak: transfer Rp10.000 saja" lists no denied ask
    for negator in reversed(list(_NEGATOR.finditer(head))):
        if _NOT_A_DENIAL.match(head, negator.end()):
            continue
        if _CONDITION.search(head, max(0, negator.start() - 40), negator.start()) \
                and not _ASK_VERB.search(head, negator.end()):
            continue
        return _EXCEPTION.search(head, negator.end()) is None
    return False


def _warned(text: str, start: int) -> bool:
    """Is the phrase at `start` named, in its sentence, as someone's ask that is warned of?"""
    reach = max(0, start - _SCOPE)  # a sentence is read at most _SCOPE either side
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, reach, start)), default=reach)
    end = next((m.start() for m in _SENTENCE_END.finditer(text, start, start + _SCOPE)),
               min(len(text), start + _SCOPE))
    return _WARN_SUBJECT.search(text, begin, start) is not None \
        and any(not _PREDICATE_DENIED.search(text, max(begin, m.start() - 20), m.start())
                for m in _WARN_PREDICATE.finditer(text, begin, end))


# "itu bukan penipuan", "this is not a scam": the warning's own word denied warns of nothing.
_PREDICATE_DENIED = re.compile(r"\b(bukan|tidak|tak|not|isn'?t|is not|never)\s+(\w+\s+)?$",
                               re.IGNORECASE)


def _denied(scope: str) -> bool:
    """Does a real negator, not lifted by a later exception, govern the end of `scope`?"""
    for negator in reversed(list(_NEGATOR.finditer(scope))):
        if _NOT_A_DENIAL.match(scope, negator.end()) \
                or _CONDITION.search(scope, max(0, negator.start() - 40), negator.start()) \
                or _DOUBLE_DENIAL.search(scope, max(0, negator.start() - 20), negator.start()):
            continue
        return _EXCEPTION.search(scope, negator.end()) is None
    return False


# "jangan sampai tidak transfer", "jangan lupa, jangan tidak": a denied denial is an ask.
_DOUBLE_DENIAL = re.compile(r"\b(jangan|jgn|don'?t)\s+(sampai|sampe|lupa|forget)\s+$",
                            re.IGNORECASE)


def claims_kpk(text: str) -> bool:
    return _CLAIM.search(deobfuscate(text)) is not None
