"""Refuses broadcast texts that would breach SPI integrity.

KPK withheld scores of institutions that asked who received the survey, collected answers or
told people how to answer. This is a deliberately small list of Indonesian and English patterns
for those requests; it catches the usual phrasings, not every possible one, so staff still read
the preview.
"""

from __future__ import annotations

import re

_SURVEY = r"(survei|survey|kuesioner|kuisioner|spi)\b"
_GOT = r"(menerima|terima|dapat|mendapat|mendapatkan|dihubungi|mengisi|isi)"

# (reason key in the catalogue, pattern)
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Apakah Anda sudah menerima survei SPI?"
    ("broadcast.refuse_integrity_received", re.compile(
        r"\b(apakah|apa\s+(anda|bapak|ibu|kamu|saudara))\s+(\w+\s+){0,3}" + _GOT
        + r"\s+(\w+\s+){0,3}" + _SURVEY, re.IGNORECASE)),
    # "Sudah dapat link survei?" - a question, not "if you received it, check the sender".
    ("broadcast.refuse_integrity_received", re.compile(
        r"\b(sudah|udah|belum)\s+(\w+\s+){0,2}" + _GOT + r"\s+(\w+\s+){0,3}" + _SURVEY
        + r"[^.!\n]*\?", re.IGNORECASE)),
    # "Balas YA jika sudah menerima survei", "laporkan bila Anda dihubungi surveyor SPI"
    ("broadcast.refuse_integrity_received", re.compile(
        r"\b(balas|konfirmasi|laporkan|lapor|beritahu|beri\s+tahu|kabari|infokan|reply|"
        r"confirm|report|let\s+us\s+know)\b.{0,60}\b" + _GOT + r"\s+(\w+\s+){0,3}" + _SURVEY,
        re.IGNORECASE)),
    ("broadcast.refuse_integrity_received", re.compile(
        r"\b(did|have)\s+you\s+(\w+\s+){0,2}(receive|received|get|got|fill|filled|"
        r"complete|completed)\b.{0,40}" + _SURVEY, re.IGNORECASE)),
    # "Kirimkan screenshot jawaban Anda"
    ("broadcast.refuse_integrity_answers", re.compile(
        r"\b(kirim|kirimkan|bagikan|screenshot|tangkapan\s+layar|foto|sebutkan|tulis)\s+"
        r"(\w+\s+){0,3}(jawaban|jawabannya|isian)", re.IGNORECASE)),
    ("broadcast.refuse_integrity_answers", re.compile(
        r"\b(share|send|forward)\s+(\w+\s+){0,2}(answers?|responses?)\b", re.IGNORECASE)),
    # "Jawablah sangat baik", "beri nilai maksimal"
    ("broadcast.refuse_integrity_coaching", re.compile(
        r"\b(jawab(lah)?|isi(lah)?|pilih(lah)?|beri(lah|kan)?|answer|choose|rate|give)\s+"
        r"(\w+\s+){0,4}(sangat\s+baik|sangat\s+puas|puas|setuju|positif|"
        r"nilai\s+(tinggi|maksimal|sempurna|bagus|baik|10)|excellent|positive|"
        r"(high|top|full)\s+(marks|scores?))\b", re.IGNORECASE)),
)


def integrity_problem(text: str) -> str | None:
    """The catalogue key of the reason to refuse this text, or None when it is acceptable."""
    for key, pattern in _RULES:
        if pattern.search(text):
            return key
    return None
