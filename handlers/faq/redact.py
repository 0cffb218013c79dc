"""Masks what could identify a person in a question kept for staff: numbers, e-mails, names."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_DIGITS = re.compile(r"\+?\d[\d\s().-]{4,}\d")
# "nama saya Budi Santoso", "saya Budi dari…", "my name is …": the words after are a name.
_INTRO = re.compile(
    r"\b(nama saya|nama sy|namaku|nama aku|saya bernama|sy bernama|my name is|atas nama)"
    r"\s+((?:[A-Za-z][\w'.-]*\s*){1,3})", re.IGNORECASE)
_TITLED = re.compile(r"\b(pak|bu|bapak|ibu|mas|mbak|kak|bang|sdr|sdri)\.?\s+[A-Z][\w'-]*",
                    re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})*")
# Capitalised words that are not names.
_NOT_NAMES = frozenset({"Saya", "Apakah", "Bagaimana", "Kapan", "Kenapa", "Siapa", "Berapa",
                        "Pak", "Bu", "Ibu", "Bapak", "Kak", "Min", "Survei", "Indonesia",
                        "Komisi", "Pemberantasan", "Korupsi", "Inspektorat", "Kabupaten",
                        "Kota", "Whatsapp", "WhatsApp", "Google", "Form", "Integritas",
                        "Penilaian", "The", "Is", "What", "How", "Why", "When", "Who"})


def _intro(match: re.Match[str]) -> str:
    return f"{match[1]} [nama] "


def redact(question: str) -> str:
    """`nama saya Budi, no 0812-3456-7890` -> `nama saya [nama] , no [nomor]`."""
    text = _EMAIL.sub("[email]", question)
    text = _URL.sub("[tautan]", text)
    text = _DIGITS.sub("[nomor]", text)
    text = _INTRO.sub(_intro, text)
    text = _TITLED.sub(lambda m: f"{m[1]} [nama]", text)
    text = _CAPITALISED.sub(
        lambda m: m.group() if m.group().split()[0] in _NOT_NAMES else "[nama]", text)
    return re.sub(r"\s+", " ", text).strip()[:500]
