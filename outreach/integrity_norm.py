"""Broadcast words made comparable before the integrity check reasons with them.

core/wording.py already lowers, strips accents and expands common chat spellings. Staff write
more freely still, so this adds, for the integrity check only:

- regional and colloquial words and phrases (Javanese "sampun angsal", Sundanese "tos nampi",
  Manado "so dapa", Betawi "udeh") -> standard Indonesian, from `[normalise]` in
  integrity_words.toml;
- digits for letters ("1si", "l4por", "bukt1") when the result is a known word;
- a root doubled with "2" before a suffix ("jelek2in" -> "jelekkan");
- colloquial affixes on a known root: "-in" for "-kan" ("fotoin", "kumpulin"), "ke-" for
  "ter-" ("kepilih"), "di-"/"nge-" on a borrowed verb ("diforward", "ngeshare");
- words written without their vowels ("dkirim", "undgn", "hlmn", "jwbn") -> the only known
  word with the same consonants in the same order.

Only words the check does not already know are rewritten, so a normal word never changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_DIGITS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                         "9": "g", "6": "g", "2": "z"})
_VOWELS = frozenset("aeiou")
_WORD = re.compile(r"^[a-z]+$")


def skeleton(word: str) -> str:
    """The consonants of a word in order: "undangan" -> "ndngn"."""
    return "".join(c for c in word if c not in _VOWELS)


def _let_know(tokens: list[str]) -> list[str]:
    """"let HR know", "let your team leader know" -> "inform HR", "inform your team leader"."""
    out = list(tokens)
    for i, word in enumerate(out):
        if word != "let":
            continue
        for j in range(i + 2, min(i + 6, len(out))):
            if out[j] in (".", ",", "!", "?", ";", "\n"):
                break
            if out[j] == "know":
                return [*out[:i], "inform", *out[i + 1:j], *_let_know(out[j + 1:])]
    return out


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


@dataclass(frozen=True, slots=True)
class Normaliser:
    """Rewrites the words of a text; `known` says whether the check understands a word."""

    words: Mapping[str, str]
    phrases: Mapping[tuple[str, ...], str]
    vocabulary: Sequence[str]
    known: Callable[[str], bool]

    def __call__(self, tokens: Iterable[str]) -> list[str]:
        raw = []
        for t in tokens:
            if t.startswith("http") and t[-1] in ".,!?;:)":  # "https://spi.kpk.go.id."
                raw += [t.rstrip(".,!?;:)"), t[-1]]
            else:
                raw.append(t[:-2] if t.endswith("'s") and len(t) > 4 else t)
        raw = _let_know(raw)
        out: list[str] = []
        longest = max((len(p) for p in self.phrases), default=1)
        i = 0
        while i < len(raw):
            for size in range(min(longest, len(raw) - i), 1, -1):
                value = self.phrases.get(tuple(raw[i:i + size]))
                if value is not None:
                    out.extend(value.split())
                    i += size
                    break
            else:
                out.extend(self.word(raw[i]).split())
                i += 1
        return out

    def word(self, word: str) -> str:
        if word in self.words:
            return self.words[word]
        if self.known(word) or not word[:1].isalnum() or "." in word or "/" in word:
            return word
        for candidate in self._candidates(word):
            if candidate in self.words:
                return self.words[candidate]
            if self.known(candidate):
                return candidate
        return self._unvowelled(word) or word

    def _candidates(self, word: str) -> list[str]:
        found: list[str] = []
        letters = sum(c.isalpha() for c in word)
        digits = sum(c.isdigit() for c in word)
        # "jelek2in", "kumpul2kan": a root doubled with "2" and a suffix ("jelek-jelekin").
        doubled = re.fullmatch(r"([a-z]{3,})2(in|kan|an|i|nya)", word)
        if doubled:
            root, suffix = doubled.groups()
            found += [root + ("kan" if suffix == "in" else suffix), root]
        if digits and letters >= 2 and letters >= digits \
                and not re.fullmatch(r"[a-z]+\d{2,}", word):
            found.append(word.translate(_DIGITS))
        if not _WORD.match(word):
            return found
        single = re.sub(r"([a-z])\1", r"\1", word)
        if single != word:  # "yaa", "lapoor"
            found.append(single)
        if word.endswith("in") and len(word) >= 5:  # fotoin, kumpulin, bilangin, kbrin
            root = word[:-2]
            found += [root + "kan", root, root[:-1] + "kan" if root.endswith("i") else root]
            short = self._unvowelled(root)
            if short is not None:
                found.append(short)
        for suffix in ("nipun", "ipun"):  # Javanese krama "-(n)ipun" for "-nya"
            if word.endswith(suffix) and len(word) > len(suffix) + 3:
                found.append(word[:-len(suffix)] + "nya")
                break
        if word.startswith("ke") and len(word) > 5:  # kepilih -> terpilih
            found += ["ter" + word[2:], word[2:]]
        if word.startswith("ke") and word.endswith("an") and len(word) > 7:  # kedapetan
            found.append(word[2:-2])
        for prefix in ("di", "nge", "ng", "ter"):  # diforward, ngeshare
            if word.startswith(prefix) and len(word) > len(prefix) + 3:
                found.append(word[len(prefix):])
        return found

    def _unvowelled(self, word: str) -> str | None:
        """"dkirim" -> "dikirim", "undgn" -> "undangan": a known word that has exactly
        these letters, in order, plus vowels."""
        if not _WORD.match(word) or len(word) < 2 or len(word) > 8:
            return None
        vowels = sum(c in _VOWELS for c in word)
        if vowels > max(1, len(word) // 3) or len(skeleton(word)) < 2:
            return None
        key = skeleton(word)
        same = [w for w in self.vocabulary
                if w[0] == word[0] and skeleton(w) == key and _subsequence(word, w)]
        if same:
            return same[0]
        if len(key) < 3:  # "undgn", "svy": some consonants dropped too, first and last kept
            return None
        loose = [w for w in self.vocabulary
                 if w[0] == word[0] and _subsequence(word, w) and skeleton(w)[-1:] == key[-1:]
                 and _subsequence(key, skeleton(w)) and len(skeleton(w)) <= len(key) + 2]
        return loose[0] if loose else None
