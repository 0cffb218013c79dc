"""The checker in a chat: `CEK …`, any message with a link, number or e-mail, a forwarded text
that asks for something scams or SPI manipulation ask for, or the message after the menu.

Checks are anonymous: only a daily count per verdict is stored, never the sender or the text,
so no one can learn who received an SPI invitation.
"""

from __future__ import annotations

import re

from handlers.check.checker import MAX_TEXT, check_text, strip_check_word
from handlers.check.extract import extract, refang
from handlers.check.render import render
from handlers.check.signs import claims_kpk, find_signs
from handlers.registration import RegistrationEntry
from handlers.turn import Turn

PREFIX = "check"
AWAITING = f"{PREFIX}:await"
# A question ("apakah harus bayar?", "survei ini bayar gak") is for the FAQ, not a forwarded
# message to check, even when it names a scam sign.
_QUESTION = re.compile(
    r"^\W*(apa|apakah|bagaimana|gimana|gmn|berapa|kenapa|mengapa|siapa|kapan|dimana|bolehkah|"
    r"bisakah|haruskah|perlukah|benarkah|betulkah|is|are|do|does|can|could|should|will|would|"
    r"what|how|why|who|when)\b|\?\W*$|\b(gak|ga|gk|nggak|enggak|engga|ngga|kah|bukan|tidak|tdk)"
    r"(\s+(sih|ya|yah|kah|dong|nih|deh|kan))?\W*$",
    re.IGNORECASE)
# A forwarded message may hold a question ("Sudah dapat WA dari KPK? Jika sudah, mohon lapor"):
# it is one when, beside the question, it asks its reader for something and nobody speaks of
# themselves, as someone asking us would ("saya sudah isi, perlu lapor gak?").
_CLAUSE = re.compile(r"[.!?;,\n]+")
_ASKS_READER = re.compile(
    r"\b(mohon|harap|tolong|tlg|silakan|silahkan|dimohon|diharapkan|segera|wajib|please|kindly|"
    r"ya|yaa|yah)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(saya|sy|aku|ak|gue|gw|gua|i|me|my|mine)\b", re.IGNORECASE)
# A forwarded message speaks to its reader or in KPK's name; a bare phrase does neither.
_ADDRESSED = re.compile(
    r"\b(anda|bapak|ibu|bpk|bu|pak|kamu|kalian|saudara|rekan|you|your|mohon|silakan|silahkan|"
    r"segera|harap|please|wajib|jangan|yg|yang|bagi|kirim|kirimkan|balas|bls|klik|tolong|japri|"
    r"kabari|kabarin|laporkan|lapor|konfirmasi|transfer|everyone|everybody|all staff|staff|staf|"
    r"semua|seluruh|rekan\w*|teman\w*|temen\w*|guys|pegawai|karyawan)\b",
    re.IGNORECASE)
# A person telling what happened to them ("ada yang minta transfer", "atasan nyuruh lapor",
# "someone asked me to pay") is asking the FAQ for advice; a forwarded message speaks to its
# reader instead.
_OWN_WORDS = re.compile(
    r"\b(disuruh|suruh|diminta|dimintai|nyuruh|ngaku|ngakunya|katanya|"
    r"ada (yang|yg|orang|nomor|pesan|wa) (minta|meminta|nyuruh|menyuruh|ngaku|mengaku|nelpon|"
    r"menelepon|telepon|chat|hubungi|menghubungi|bilang|kirim|ngirim|mengirim|sms|wa)|"
    r"(minta|meminta|menyuruh) (kami|saya|aku|sy)|someone|somebody|asked (me|us)|told (me|us)|"
    r"wants? (my|our)|kok|(kantor|bos|atasan|pimpinan|kepala dinas|kadis|kabid)\s+(saya\s+)?"
    r"(bikin|minta|meminta|nyuruh|menyuruh|kumpulin|mengumpulkan|mewajibkan))\b",
    re.IGNORECASE)
_FORWARDED_MIN_WORDS = 5  # shorter texts are a person's own words, not a forwarded message
_POLICY_MIN_WORDS = 8
_OWN_QUESTION = re.compile(
    r"^\W*(mau|ingin|pengen|pingin|takut|saya|sy|aku|gue|gw|kami|i|we|my|our)\b|"
    r"\b(mana|kemana|siapa|sapa|apa|gimana|bagaimana|berapa|kapan|where|who|what|how)\W*$|"
    r"\b(minta|meminta|nyuruh|menyuruh|asks?|asked)\b.{0,60}\b(kami|saya|sy|aku|me|us)\W*$|"
    r"^\W*(pak|bu|bapak|ibu)?\s*\w+\s+(minta|nyuruh|menyuruh|mewajibkan)\b",
    re.IGNORECASE)


def wants_check(text: str) -> bool:
    """`CEK …`, a message with a link, a phone number or an e-mail address, or a forwarded
    text (not a question) with a scam or manipulation sign."""
    body = strip_check_word(text)
    if body != text or bool(extract(refang(text[:MAX_TEXT]))):
        return True
    return looks_forwarded_with_signs(text[:MAX_TEXT])


def looks_forwarded_with_signs(text: str) -> bool:
    if len(text.split()) < _FORWARDED_MIN_WORDS or _OWN_WORDS.search(text) \
            or (_QUESTION.search(text) and not _relays_an_ask(text)):
        return False
    body = refang(text)
    if not (_ADDRESSED.search(body) or claims_kpk(body)):
        return False
    signs = find_signs(body)
    if signs.scam or signs.manipulation:
        return True
    # An employer's ask the sign patterns do not word ("Sing wis rampung ngisi SPI, tulis
    # jenenge", "rekap guru yang sudah mengisi"): the integrity policy, read from the
    # recipient's side, names it, in a text long enough to be a relayed message and not
    # worded as a person's own question or account ("mau lapor ada yang ngarahin jawaban",
    # "pak sekdis minta screenshot", "... lapor ke mana"). Imported here so a plain
    # question does not load it.
    if len(text.split()) < _POLICY_MIN_WORDS or _OWN_QUESTION.search(text):
        return False
    from outreach.integrity import forbidden_acts  # noqa: PLC0415

    return bool(forbidden_acts(body))


def _relays_an_ask(text: str) -> bool:
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    return len(clauses) > 1 and bool(_ASKS_READER.search(text)) \
        and not _FIRST_PERSON.search(text)


async def run_check(turn: Turn) -> None:
    result = check_text(turn.text, turn.deps.registry.get(), year=turn.now.year)
    await turn.deps.check_stats.count_check(turn.conn, turn.now, result.verdict,
                                         scope=turn.scope)
    turn.end()
    turn.say_text(render(turn.deps.catalog, turn.lang, result))


class CheckEntry:
    """Takes idle messages that ask for a check or carry something checkable."""

    async def try_handle(self, turn: Turn) -> bool:
        if not turn.text or not wants_check(turn.text):
            return False
        if not strip_check_word(turn.text).strip():
            turn.goto(AWAITING)
            turn.say("menu.ask_check")
            return True
        await run_check(turn)
        return True


class CheckFlow:
    """After "Cek keaslian" in the menu: the next message is checked, whatever it holds."""

    prefix = PREFIX

    async def step(self, turn: Turn) -> None:
        if turn.msg.start_payload:
            # A QR code scanned while we waited: the person wants to register, not a check.
            turn.end()
            await RegistrationEntry().try_handle(turn)
            return
        if not turn.text:
            turn.say("check.ask_again")
            return
        await run_check(turn)
