"""Normalising what people type: case, spacing, punctuation and common chat spellings."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w\s@.+:/-]+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Casefold, drop stray punctuation, collapse spaces: `  Hapus  DATA!! ` -> `hapus data`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" .")


YES = frozenset({"ya", "y", "iya", "iyaa", "yes", "ok", "oke", "okay", "setuju", "boleh", "benar",
                 "betul", "yup", "sip", "siap", "agree"})
NO = frozenset({"tidak", "tdk", "gak", "ga", "gk", "nggak", "enggak", "no", "n", "tolak",
                "tidak setuju", "ngga", "engga", "nope"})


def yes_or_no(choice: str | None, text: str, yes_value: str, no_value: str) -> bool | None:
    """True/False when the user picked (or typed) yes/no; None when the answer was neither."""
    word = normalize(text)
    if choice == yes_value or word in YES:
        return True
    if choice == no_value or word in NO:
        return False
    return None
