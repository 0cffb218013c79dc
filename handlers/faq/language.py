"""Turns what people type into comparable word stems: slang, typos, affixes, English endings."""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")
_PARTICLES = frozenset({"ji", "mi", "ki", "pi"})  # Makassar/Bugis: "bisaji", "sudahmi"
_REPEAT = re.compile(r"^([a-z]+)2$")  # "pesan2" is how chat writes "pesan-pesan"
_STRETCHED = re.compile(r"([a-z])\1{2,}")

# Function words that carry no intent; question words (kapan, siapa, berapa...) are kept
# because they are what tells "when" from "who" from "how long".
STOPWORDS = frozenset("""
yang ini itu di ke dan atau juga saja sih ya kah lah pun nya apakah adalah akan sudah
nah kok lho deh dong kan si para sang ada the a an is are am was were to of for my i me
do does did it this that and or in on be you your we our they them so just please its
saya kami kita anda dia mereka tersebut tolong mohon halo hai terima kasih sebagai
want will can us don t s much would could should any also about with from by as at
someone somebody wants need needs i ll ve d m re isn aren wasn these those there here
yet even though says say said tell told me us him her his she he be been being have has had
having than then there what s very too only own same other some such more most
again further once both each few all into over under up down out off through during before
after above below just now ever also okay ok hi hello thanks thank
""".split())  # noqa: SIM905 - a word list reads best as plain text


def _load(name: str) -> dict[str, Any]:
    raw = resources.files("handlers.knowledge").joinpath(name).read_text("utf-8")
    return tomllib.loads(raw)


def _load_lexicon() -> tuple[dict[str, str], dict[str, str], dict[tuple[str, ...], str]]:
    """Chat spellings, words of the same meaning, and phrases, from the knowledge data files."""
    slang = {k: str(v) for k, v in _load("slang.toml")["words"].items()}
    glossary = _load("glossary.toml")
    concepts = {k: str(v) for k, v in glossary["words"].items()}
    phrases = {tuple(k.split()): str(v) for k, v in glossary["phrases"].items()}
    return slang, concepts, phrases


STEM_TABLE = "stems.json"


def _load_stem_table() -> dict[str, str]:
    try:
        raw = resources.files("handlers.knowledge").joinpath(STEM_TABLE).read_text("utf-8")
    except FileNotFoundError:
        return {}
    table: dict[str, str] = json.loads(raw)
    return table


class Stemmer:
    """Indonesian stems from Sastrawi, English ones from Snowball, cached per word."""

    def __init__(self, *, shipped_table: bool = True) -> None:
        # Sastrawi builds its dictionary on first use (~70 ms); only loaded when needed.
        import snowballstemmer  # noqa: PLC0415
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415
        from Sastrawi.StopWordRemover.StopWordRemoverFactory import (  # noqa: PLC0415
            StopWordRemoverFactory,
        )

        self._stemmer = StemmerFactory().create_stemmer()
        self._dictionary = self._stemmer.delegatedStemmer.dictionary
        self._english = snowballstemmer.stemmer("english")
        # Sastrawi's list of common words (kalau, langsung, dulu, punya...): ordinary words
        # that say nothing about the topic when the knowledge base does not use them.
        self.common_words = frozenset(StopWordRemoverFactory().get_stop_words())
        # The stems of the knowledge base's own words, worked out once by
        # scripts/faq_stems.py: Sastrawi needs ~0.3 ms a word, ~0.15 s for them all at start-up.
        self._table: dict[str, str] = _load_stem_table() if shipped_table else {}
        self.stem = lru_cache(maxsize=20_000)(self._stem)

    def is_word(self, word: str) -> bool:
        """True for an Indonesian root word in Sastrawi's dictionary (so not a typo)."""
        return bool(self._dictionary.contains(word))

    def _stem(self, word: str) -> str:
        if len(word) <= 3 or word.isdigit():
            return word
        known = self._table.get(word)
        if known is not None:
            return known
        stem: str = self._stemmer.stem(word)
        if stem != word:
            return stem
        if word[0] == "n":
            # Chat drops the "me-" of verbs: ngisi, nyuruh, nanya, ngukur.
            formal: str = self._stemmer.stem("me" + word)
            if formal not in (word, "me" + word):
                return formal
        return self.english(word)

    def english(self, word: str) -> str:
        """Snowball's English stem for a word Indonesian does not know: answers, running."""
        if not word.isascii() or self.is_word(word):
            return word
        stem: str = self._english.stemWord(word)
        return stem


class Normalizer:
    """Text -> list of stems, with chat spellings expanded and typos corrected to known words."""

    def __init__(self, vocabulary: Iterable[str] = (), stemmer: Stemmer | None = None) -> None:
        self._slang, self._words, self._phrases = _load_lexicon()
        # A phrase is also met as chat spells its words: "no hp" as typed and as "no nomor".
        for phrase, concept in list(self._phrases.items()):
            spelled = tuple(w for typed in phrase for w in (self._slang.get(typed, typed)
                                                            or typed).split())
            self._phrases.setdefault(spelled, concept)
        # First word -> the lengths of the phrases it starts, longest first.
        sizes: dict[str, set[int]] = {}
        for phrase in self._phrases:
            sizes.setdefault(phrase[0], set()).add(len(phrase))
        self._phrase_sizes = {word: sorted(n, reverse=True) for word, n in sizes.items()}
        self._stemmer = stemmer or Stemmer()
        self._vocabulary: list[str] = []
        self._known: frozenset[str] = frozenset()
        self.set_vocabulary(vocabulary)

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """Words typos are corrected towards: the spellings the knowledge base uses."""
        words = set(words)
        self._all_known = frozenset(words)
        self._word_of_stem = {self._stemmer.stem(w): w for w in sorted(words, reverse=True)}
        known = {w for w in words if len(w) >= 4}
        self._known = frozenset(known)
        self._known_stems = frozenset(self._stemmer.stem(w) for w in words)
        self._vocabulary = sorted(known)
        # Sastrawi needs ~2 ms for a word outside its dictionary, so it only runs on words that
        # could hold a known stem; the first letter may be dropped (memilih <- pilih).
        pieces = {p for stem in self._known_stems if len(stem) >= 3
                  for p in (stem, stem[1:] if len(stem) >= 5 else stem)}
        # Compiled on first need (~70 ms for the shipped vocabulary): a cold start whose
        # question has only known words never needs it.
        self._may_hold_source = "|".join(sorted(map(re.escape, pieces), key=len,
                                                reverse=True)) or "(?!)"
        self._may_hold_compiled: re.Pattern[str] | None = None
        self._stem_of = lru_cache(maxsize=50_000)(self._stem_uncached)

    def _may_hold_stem(self) -> re.Pattern[str]:
        if self._may_hold_compiled is None:
            self._may_hold_compiled = re.compile(self._may_hold_source)
        return self._may_hold_compiled

    def words(self, text: str) -> list[str]:
        """Lower-cased words with slang expanded and stopwords dropped (before stemming)."""
        meant = [w for w in self._join_phrases(self._spelled(text, keep_empty=True),
                                               concepts=True)
                 if w not in STOPWORDS]
        # Once English and stopwords are gone a phrase may show: "haven't I received" ->
        # "belum dapat".
        return self._join_phrases(meant, concepts=False)

    def spelled(self, text: str) -> list[str]:
        """Lower-cased words with chat spellings expanded; nothing dropped or joined yet."""
        return self._spelled(text, keep_empty=False)

    def _spelled(self, text: str, *, keep_empty: bool) -> list[str]:
        # keep_empty: a word the slang table empties ("to", "ibu", "min") stays until the
        # glossary's phrases are joined, so "have to", "ibu kandung", "talk to" still meet
        # theirs; _join_phrases drops it afterwards.
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        spelled: list[str] = []
        for typed in _WORD.findall(text.casefold()):
            raw = _STRETCHED.sub(r"\1", typed)  # "wajibbb", "gimanaaa": stretched for emphasis
            repeated = _REPEAT.match(raw)
            word = repeated[1] if repeated else raw
            meant = self._slang.get(word, word)
            spelled.extend([word] if keep_empty and not meant else meant.split())
        return spelled

    def _join_phrases(self, words: list[str], *, concepts: bool) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in self._phrase_sizes.get(words[i], ()):
                concept = self._phrases.get(tuple(words[i:i + size]))
                if concept is not None:
                    out.extend(concept.split())
                    i += size
                    break
            else:
                word = words[i]
                if word in self._slang and not self._slang[word]:
                    pass  # kept for the phrases only ("to" of "have to"): dropped now
                else:
                    out.extend(self._words.get(word, word).split() if concepts else [word])
                i += 1
        return out

    def as_known(self, word: str) -> str | None:
        """The knowledge-base word `word` is (a typo corrected), or None for any other word."""
        if word in self._all_known:
            return word
        if len(word) < 4 or word.isdigit():
            return None
        if self._stemmer.is_word(word) or word in self._stemmer.common_words:
            # A real word: known only as an inflection of ours (pelayanan -> layanan).
            return self._word_of_stem.get(self._stemmer.stem(word))
        corrected = self._closest(word)
        return corrected if corrected != word else None

    def stem(self, word: str) -> str:
        return self._stemmer.stem(word)

    @property
    def common_words(self) -> frozenset[str]:
        return self._stemmer.common_words

    def stems(self, text: str) -> list[str]:
        return self.stems_of_words(self.words(text))

    def stems_of_words(self, words: Iterable[str], *, correct: bool = True) -> list[str]:
        """The stems of what `words` returned (so a text is split and joined only once);
        correct=False skips typo correction (for text we wrote, spelled right: ~10x faster)."""
        out: list[str] = []
        for word in words:
            stem = self._stem_of(word) if correct else self._stemmer.stem(word)
            concept = self._words.get(stem)
            # "manusianya" only meets the glossary once its "-nya" is gone.
            if concept and concept != stem:
                out.extend(self._stemmer.stem(c) for c in concept.split())
            elif stem not in STOPWORDS:
                out.append(stem)
        return out

    def _stem_uncached(self, word: str) -> str:
        if word in self._known and word.endswith("in") and len(word) > 6 \
                and self._stemmer.stem(word) == word and not self._stemmer.is_word(word):
            # A Jakarta "-in" form the knowledge base itself uses (faq_more.toml: "dilewatin")
            # and the stemmer leaves whole: read as its base, as a question's would be (below).
            base = self._stemmer.stem(word[:-2])
            if base in self._known_stems:
                return base
        if word in self._known or len(word) < 5 or word.isdigit():
            return self._stemmer.stem(word)
        if self._stemmer.is_word(word) or word in self._stemmer.common_words:
            return self._stemmer.stem(word)  # a real word, not a typo of one of ours
        if word[-2:] in _PARTICLES and word[:-2] in self._all_known:
            # Makassar/Bugis particles cling to the word: bisaji, wajibki, sudahmi.
            return self._stemmer.stem(word[:-2])
        if word.endswith("in") and len(word) > 6:
            # Jakarta's "-in" for "-kan"/"-i": dilewatin, ngerjain, kumpulin.
            base = self._stemmer.stem(word[:-2])
            if base in self._known_stems:
                return base
        stem = None
        if self._may_hold_stem().search(word):
            stem = self._stemmer.stem(word)
            if stem in self._known_stems:  # a known word, otherwise inflected
                return stem
        corrected = self._closest(word)
        if corrected != word:
            return self._stemmer.stem(corrected)
        return stem if stem is not None else self._stemmer.english(word)

    def _closest(self, word: str) -> str:
        """The knowledge-base word `word` is a typo of, or `word` itself."""
        if not self._vocabulary:
            return word
        from rapidfuzz import process  # noqa: PLC0415
        from rapidfuzz.distance import Levenshtein  # noqa: PLC0415

        # One slip in a short word, two in a long one; more would turn other words into ours.
        allowed = 1 if len(word) < 8 else 2
        match = process.extractOne(word, self._vocabulary, scorer=Levenshtein.distance,
                                   score_cutoff=allowed)
        return word if match is None else str(match[0])


_ENGLISH = frozenset("""i my me is are am was do does did the a an to of this that it you your
what when where who why how can could will would should which there their have has not
""".split())  # noqa: SIM905 - a word list reads best as plain text
_INDONESIAN = frozenset("""yang apa apakah saya sy aku ini itu gak ga tidak tdk bisa kapan siapa
bagaimana gimana gmn berapa brp min kak dong ya sih kok dan atau di ke dari untuk utk
""".split())  # noqa: SIM905 - a word list reads best as plain text


def looks_english(text: str) -> bool:
    """True for a question written in English, so it can be answered in English."""
    words = _WORD.findall(text.casefold())
    english = sum(w in _ENGLISH for w in words)
    indonesian = sum(w in _INDONESIAN for w in words)
    return len(words) >= 2 and english >= 1 and indonesian == 0

