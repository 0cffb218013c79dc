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

from handlers.faq.matcher import FaqMatcher

GAP = "…"
_MAX_CHARS = 300

# Addresses and numbers go before words are split, so "budi@dinkes.go.id" leaves no "budi".
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_DIGITS = re.compile(r"\d[\d\s().-]*")
_WORD = re.compile(r"[^\W_]+")

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
petani nelayan pedagang wartawan jurnalis ojek ojol tukang pensiunan sopir supir buruh
head chief officer manager teacher nurse doctor employee clerk secretary director
kantor dinas dinkes disdik rsud puskesmas sekolah kecamatan kelurahan desa seksi bidang
pasar warung toko kios bakul kampung pelayanan
bagian subbag rumah sakit instansi unit sdn smpn sman smkn
office hospital school clinic department district village
""".split())  # noqa: SIM905 - a word list reads best as plain text


# A name can also be an ordinary word we keep ("Bagus", "Aman"): after an introduction the next
# two words go whatever they are, after a title the next one does.
_INTRODUCTIONS = frozenset({"nama", "namaku", "namanya", "bernama", "name", "called"})
_TITLES = frozenset({"pak", "bu", "bapak", "ibu", "bpk", "mas", "mbak", "bang", "sdr", "sdri",
                     "mr", "mrs", "ms"})
_BEFORE_A_NAME = frozenset({"saya", "sy", "aku", "is", "my", "adalah", "ialah", "me"})


def _personal(matcher: FaqMatcher, word: str) -> bool:
    return word in _PERSONAL or matcher.stem(word) in _PERSONAL


def topic_words(question: str, matcher: FaqMatcher) -> str:
    """`sy budi staf dinkes, udh dpt wa spi kmrn, asli?` -> `… whatsapp spi … asli`.

    Returns "" when no topic word is left: such a question tells staff nothing to improve.
    """
    # What is kept is at most _MAX_CHARS long, so reading further would only cost time.
    text = _EMAIL.sub(" ", question[:_MAX_CHARS * 2])
    text = _URL.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    kept: list[str] = []
    name_words = 0  # how many of the next words are taken as a name
    for typed in _WORD.findall(text.casefold()):
        if typed in _INTRODUCTIONS or typed in _TITLES:
            name_words = 2 if typed in _INTRODUCTIONS else 1
            _keep(kept, None)
            continue
        for word in matcher.spelled(typed):
            if name_words and word not in _BEFORE_A_NAME:
                name_words -= 1
                _keep(kept, None)
                continue
            meanings = [None] if _personal(matcher, word) else matcher.known_words(word)
            for known in meanings:
                _keep(kept, None if known is None or _personal(matcher, known[0])
                      or known[1] in _PERSONAL else known[0])
    if all(word == GAP for word in kept):
        return ""
    return " ".join(kept)[:_MAX_CHARS]


def _keep(kept: list[str], word: str | None) -> None:
    """Appends a topic word, or one gap for a run of anything else."""
    if word is not None:
        kept.append(word)
    elif not kept or kept[-1] != GAP:
        kept.append(GAP)
