"""Text from outside (citizens, units' files) shown on a terminal or written to a spreadsheet.

A terminal runs escape sequences and a spreadsheet runs formulas; both get the text made inert
here, visibly rather than silently, so staff can still see what was sent.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, lone surrogates, bidirectional overrides and line separators: what
# can move a terminal's cursor, hide or reorder text, or break an encoder.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069"
                     "\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`Budi\\x1b[31m` for `Budi<ESC>[31m`: control characters written as visible escapes."""
    return _UNSAFE.sub(_escaped, text) if _UNSAFE.search(text) else text


def for_terminal(value: object) -> str:
    """A value for a CLI line: controls (newlines and tabs included) escaped."""
    return escape_controls(str(value))


def has_controls(text: str) -> bool:
    return _UNSAFE.search(text) is not None
