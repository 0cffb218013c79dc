"""What is kept of a question the FAQ could not answer: its topic words, nothing about the person.

Masking names and numbers out of free text always misses some (a name typed in lower case, a
job title, a workplace, "udh dpt wa spi kmrn"), and a record of who received, was selected for
or filled in the survey is exactly what SPI forbids an inspectorate to keep. So the question is
not masked but reduced: only words the FAQ knowledge base itself uses are kept (a closed list
we wrote, with no names in it), minus those that would turn a topic into a statement about
someone (receiving, filling in, being picked, when, job titles, workplaces). Every other run of
words becomes one "…", so staff still see where the question went beyond what the bot knows.
"""

from __future__ import annotations

import re

from handlers.faq.matcher import FaqMatcher, shipped_matcher

GAP = "…"
_MAX_CHARS = 300

# Addresses and numbers go before words are split, so "budi@dinkes.go.id" leaves no "budi".
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_DIGITS = re.compile(r"\d[\d\s().-]*")

# Words (and their stems) that say what a person did or is, never what they ask about; checked
# on each word as typed (slang expanded) and on what it stands for, so "mengisi", "diisi",
# "ngisi", "filled" and "isi" all go, and "staf" goes before the glossary calls it "petugas".
_PERSONAL = frozenset("""
isi dapat terima pilih ikut jawab balas selesai kirim klik buka kerja partisipasi
sudahisi sudahdapat belumdapat
sudah telah belum pernah tadi kemarin barusan pagi siang sore malam lalu besok
already received receive got filled fill completed complete finished finish did done
saya aku kami gue gua sy i me my we am
nama kepala kasi kabid kadis kasubag kabag kasubbag sekretaris sekda camat lurah kades
direktur manajer staf staff pegawai karyawan honorer pns asn pppk guru dosen dokter perawat
bidan bendahara operator atasan pimpinan bos boss
head chief officer manager teacher nurse doctor employee clerk secretary director
kantor dinas dinkes disdik rsud puskesmas sekolah kecamatan kelurahan desa seksi bidang
bagian subbag rumah sakit instansi unit sdn smpn sman smkn
office hospital school clinic department district village
""".split())  # noqa: SIM905 - a word list reads best as plain text


def _personal(matcher: FaqMatcher, word: str) -> bool:
    return word in _PERSONAL or matcher.stem(word) in _PERSONAL


def topic_words(question: str, matcher: FaqMatcher | None = None) -> str:
    """`sy budi staf dinkes, udh dpt wa spi kmrn, asli?` -> `… whatsapp spi … asli`.

    Returns "" when no topic word is left: such a question tells staff nothing to improve.
    """
    text = _EMAIL.sub(" ", question)
    text = _URL.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    matcher = matcher or shipped_matcher()
    kept: list[str] = []
    for word in matcher.spelled(text):
        meanings = [None] if _personal(matcher, word) else matcher.known_words(word)
        for known in meanings:
            if known is not None and not _personal(matcher, known[0]) \
                    and known[1] not in _PERSONAL:
                kept.append(known[0])
            elif not kept or kept[-1] != GAP:
                kept.append(GAP)
    if all(word == GAP for word in kept):
        return ""
    return " ".join(kept)[:_MAX_CHARS]
