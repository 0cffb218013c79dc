"""One rule for a person's name, whether typed in the chat or read from a unit's list.

The import may never accept a name the chat refuses, so both call `check_name`. Besides what a
name looks like, the rule keeps out what would hurt where names end up: control characters
(NUL crashes the Excel export, escapes garble terminals) and a first character a spreadsheet
would run as a formula (`=`, `+`, `-`, `@`). Tabs and line breaks are ordinary whitespace:
they are folded into single spaces, so a leading tab or carriage return never reaches a cell
and what follows it is checked as the first character.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

NAME_MAX = 100
# Longer input is refused before any per-character work (a 131,072-character cell).
_INPUT_MAX = 4 * NAME_MAX
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Between the letters of a name: initials, titles after a comma, Ma'ruf / Ma’ruf, Abdul-Aziz.
_SEPARATORS = frozenset(" .,'’-")
_FOLDED = frozenset("\t\n\r")
# Plain ASCII names in their normal form, the bulk of every list: no per-character work.
_PLAIN = re.compile(r"(?=[^A-Za-z]*[A-Za-z][^A-Za-z]*[A-Za-z])[A-Za-z][A-Za-z.,'-]*"
                    r"(?: [A-Za-z.,'-]+)*")


class NameProblem(StrEnum):
    """Why a name was refused; the values are the import report's reason codes."""

    MISSING = "name_missing"
    CONTROL = "name_control"
    FORMULA = "name_formula"
    TOO_LONG = "name_too_long"
    INVALID = "name_invalid"


def check_name(text: str) -> tuple[str, NameProblem | None]:
    """(the name in its stored form, None) or (what was read, why it is refused).

    Letters (any script) with spaces and `. , ' ’ -` between them, starting with a letter, at
    least two letters, no digits, at most 100 characters after whitespace is folded.
    """
    stripped = text.strip()
    if len(stripped) <= NAME_MAX and _PLAIN.fullmatch(stripped):
        return stripped, None
    if not stripped:
        return "", NameProblem.MISSING
    if len(stripped) > _INPUT_MAX:
        return stripped[:_INPUT_MAX], NameProblem.TOO_LONG
    chars = []
    for ch in stripped:
        if ch in _FOLDED:
            chars.append(" ")
            continue
        category = unicodedata.category(ch)
        if category[0] == "C" or category in ("Zl", "Zp"):
            return stripped, NameProblem.CONTROL
        chars.append(" " if category == "Zs" else ch)
    name = unicodedata.normalize("NFC", " ".join("".join(chars).split()))
    if name.startswith(FORMULA_PREFIXES):
        return name, NameProblem.FORMULA
    if len(name) > NAME_MAX:
        return name, NameProblem.TOO_LONG
    letters = 0
    for ch in name:
        if ch.isalpha():
            letters += 1
        elif ch not in _SEPARATORS and unicodedata.category(ch)[0] != "M":
            return name, NameProblem.INVALID
    if letters < 2 or not name[0].isalpha():
        return name, NameProblem.INVALID
    return name, None
