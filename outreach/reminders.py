"""The catalogue of approved reminder texts: staff pick one by id instead of writing their own.

The texts live in core/texts/broadcast.<lang>.toml as `reminder.<id>.title` and
`reminder.<id>.text`; each says only what the SPI fact sheet supports. Every one passes the
integrity check (tests/test_broadcast_integrity.py holds that true).
"""

from __future__ import annotations

from collections.abc import Sequence

# Each id, and the refusal reasons it is the nearest honest replacement for.
REMINDERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sukarela", ("threat", "monitoring", "other_ask", "model")),
    ("kenali_undangan", ("forward", "form_first")),
    ("waspada_penipuan", ()),
    ("pengalaman_sendiri", ("rating", "gathering")),
    ("rahasia", ("receipt", "answers", "proof")),
    ("pendaftaran", ()),
    ("berhenti", ()),
)
IDS = tuple(rid for rid, _ in REMINDERS)


def text_key(reminder_id: str) -> str:
    return f"reminder.{reminder_id}.text"


def title_key(reminder_id: str) -> str:
    return f"reminder.{reminder_id}.title"


def nearest(reasons: Sequence[str]) -> str:
    """The approved text that says honestly what a refused text was after."""
    for reason in reasons:
        for rid, replaces in REMINDERS:
            if reason in replaces:
                return rid
    return IDS[0]


def find(word: str) -> str | None:
    """The reminder id a staff member typed: its id or its number in the list (1, 2, ...)."""
    word = word.strip().casefold().lstrip("#")
    if word.isdigit() and 1 <= int(word) <= len(IDS):
        return IDS[int(word) - 1]
    return word if word in IDS else None
