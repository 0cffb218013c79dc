"""Chat text as comparable words: ASCII, lower case, chat spellings expanded, stems.

Shared by every layer that reads what people write (the broadcast integrity check in
outreach, the FAQ in handlers), so a spelling learnt once is understood everywhere.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

# A placeholder, a web address, a word (letters, digits, inner apostrophes or dots as in
# "spi.kpk.go.id"), or one punctuation mark that ends a clause or a sentence.
_TOKEN = re.compile(
    r"\{[a-z_]+\}|https?://\S+|[a-z0-9]+(?:['’][a-z]+)?(?:[.@/][a-z0-9]+)*|[.!?;:,\n]")
_REPEATED_LETTERS = re.compile(r"([a-z])\1{2,}")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_REDUPLICATED = re.compile(r"^([a-z]{2,})(?:2|-\1)$")


@lru_cache(maxsize=1)
def slang() -> dict[str, str]:
    """Chat spellings and abbreviations -> standard words (core/slang.toml)."""
    table: dict[str, Any] = tomllib.loads(
        resources.files("core").joinpath("slang.toml").read_text("utf-8"))
    return {str(k): str(v) for k, v in table["words"].items()}


def plain(text: str) -> str:
    """ASCII, lower case: "Sudah ‘isi’ SURVEI" -> "sudah 'isi' survei"."""
    text = text.translate(_QUOTES)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.casefold()


def words(text: str) -> list[str]:
    """Words and clause marks of a text, chat spellings expanded: "Sdh isi2?" ->
    ["sudah", "isi", "?"]. Reduplication ("jawaban2", "baik-baik") keeps one copy."""
    table = slang()
    out: list[str] = []
    flat = plain(text).replace("-", " - ")
    flat = re.sub(r"\b([a-z]{2,}) - \1\b", r"\1", flat)  # bersama-sama -> bersama
    for raw in _TOKEN.findall(flat):
        word = _REPEATED_LETTERS.sub(r"\1", raw)
        doubled = _REDUPLICATED.match(word)
        if doubled:
            word = doubled[1]
        word = word.replace("’", "'")
        out.extend(table.get(word, word).split())
    return out


class Stemmer:
    """Indonesian stems from Sastrawi, English ones from Snowball, cached per word."""

    def __init__(self) -> None:
        # Sastrawi builds its dictionary on first use (~70 ms); only loaded when needed.
        import snowballstemmer  # noqa: PLC0415
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415

        self._stemmer = StemmerFactory().create_stemmer()
        self._dictionary = self._stemmer.delegatedStemmer.dictionary
        self._english = snowballstemmer.stemmer("english")
        self.stem = lru_cache(maxsize=20_000)(self._stem)

    def is_word(self, word: str) -> bool:
        """True for an Indonesian root word in Sastrawi's dictionary (so not a typo)."""
        return bool(self._dictionary.contains(word))

    def english(self, word: str) -> str:
        stem: str = self._english.stemWord(word)
        return stem

    def _stem(self, word: str) -> str:
        if len(word) <= 3 or not word.isalpha():
            return word
        stem: str = self._stemmer.stem(word)
        if stem != word:
            return stem
        if word[0] == "n" and len(word) > 4:
            # Chat drops the "me-" of verbs: ngisi, nyuruh, nanya.
            formal: str = self._stemmer.stem("me" + word)
            if formal not in (word, "me" + word):
                return formal
        return word
