"""The checker's verdict is structurally the worst of its link verdict and its content verdict:
a genuine link or number never makes a message that asks a forbidden or scam act `official`,
and a genuine-style invitation is never `suspicious` only because it quotes an unlisted
sender. Property-style: many generated combinations of genuine channels, forbidden acts
(tests/support/broadcast_acts.py), scam asks, placements and sender lines, seeded so a
failure can be reproduced."""

from __future__ import annotations

import random

import pytest

from handlers.check.checker import (
    MANIPULATION,
    OFFICIAL,
    SEVERITY,
    SUSPICIOUS,
    UNKNOWN,
    check_text,
    content_verdict,
    link_verdict,
    worst,
)
from handlers.check.registry import load_registry
from tests.support.broadcast_acts import generate

REGISTRY = load_registry()
YEAR = 2026

OFFICIAL_LINKS = ["https://spi.kpk.go.id/r/Ab12", "spi.kpk.go.id", "https://spi.kpk.go.id",
                  "https://spi.kpk.go.id/r/Zz9?src=wa", "www.kpk.go.id", "https://jaga.id",
                  "SPI.KPK.GO.ID/r/Q1"]
OFFICIAL_CONTACTS = ["call center 198", "pengaduan@kpk.go.id", "kws.kpk.go.id"]

SCAM_ASKS = [
    "Transfer biaya admin Rp25.000 agar tautan aktif.",
    "Jangan lupa bayar biaya aktivasi 15rb ke rekening panitia.",
    "Kirim 6 angka kode OTP yang baru masuk lewat SMS ke nomor ini.",
    "Sebutkan PIN m-banking Anda untuk validasi honor responden.",
    "Login ke internet banking Anda lewat tautan ini untuk menerima insentif.",
    "Unduh aplikasi SPI_KPK.apk sebelum mengisi.",
    "Selamat, Anda memenangkan hadiah Rp5.000.000, klaim sekarang.",
    "Nomor WhatsApp Anda akan diblokir jika survei tidak diisi hari ini.",
    "Please pay the processing fee of IDR 20,000 to activate your link.",
    "Share the verification code you just received so we can register you.",
    "Top up saldo DANA 50rb untuk verifikasi responden.",
    "Sebutkan nama ibu kandung Anda untuk verifikasi.",
]

NEUTRAL_INVITES = [
    "Yth. Bapak/Ibu, Anda terpilih sebagai responden Survei Penilaian Integritas KPK 2026. "
    "Silakan isi di {link}.",
    "SPI by KPK: survei dapat diisi hingga 31 Oktober di {link}. Jawaban Anda rahasia.",
    "Dear respondent, KPK invites you to the Integrity Assessment Survey: {link}",
    "Survei Penilaian Integritas: klik {link} untuk memulai. Terima kasih.",
    "Anda diundang mengisi SPI 2026 melalui {link}. Pengisian sekitar 10-15 menit.",
]
SENDER_LINES = ["Dari {number}: ", "Pesan WA dari {number} (SPI by KPK): ", "Pengirim {number}. ",
                "From {number}: ", "WA dari {number} isinya: "]


def _unlisted_number(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    prefix = rng.choice(["0811", "0812", "0813", "0852", "0857", "+62 811", "62812"])
    spaced = rng.random() < 0.5
    return f"{prefix} {digits[:4]} {digits[4:]}" if spaced else f"{prefix}{digits}"


def _place(rng: random.Random, content: str, channel: str) -> str:
    form = rng.randrange(5)
    if form == 0:
        return f"{content} {channel}"
    if form == 1:
        return f"{channel} {content}"
    if form == 2:
        return f"{content}\nLink: {channel}"
    if form == 3:
        return f"Survei SPI ({channel}). {content}"
    return f"{content} Info resmi: {channel}. Terima kasih."


def _forbidden_messages(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    acts = [g.text for g in generate(seed, count, 0)]
    out = []
    for text in acts:
        channel = rng.choice(OFFICIAL_LINKS)
        if rng.random() < 0.3:
            channel = f"{channel} ({rng.choice(OFFICIAL_CONTACTS)})"
        out.append(_place(rng, text, channel))
    return out


def _scam_messages(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [_place(rng, rng.choice(SCAM_ASKS), rng.choice(OFFICIAL_LINKS))
            for _ in range(count)]


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_genuine_link_never_makes_a_forbidden_act_official(seed: int) -> None:
    called_official = []
    for text in _forbidden_messages(200, seed):
        result = check_text(text, REGISTRY, year=YEAR)
        if result.verdict == OFFICIAL:
            called_official.append(text)
        # The worst part wins: the verdict is at least as bad as what the words ask.
        assert SEVERITY[result.verdict] >= SEVERITY[content_verdict(result)], text
    assert called_official == []


@pytest.mark.parametrize("seed", [21, 22])
def test_a_genuine_link_never_makes_a_scam_ask_official(seed: int) -> None:
    verdicts = {}
    for text in _scam_messages(120, seed):
        verdicts[text] = check_text(text, REGISTRY, year=YEAR).verdict
    assert [t for t, v in verdicts.items() if v == OFFICIAL] == []
    assert [t for t, v in verdicts.items() if v != SUSPICIOUS] == []


def test_the_verdict_is_the_worst_of_link_and_content_for_every_kind_of_message() -> None:
    rng = random.Random(31)
    texts = _forbidden_messages(60, 31) + _scam_messages(40, 32) + [
        rng.choice(NEUTRAL_INVITES).format(link=rng.choice(OFFICIAL_LINKS))
        for _ in range(40)]
    seen = set()
    for text in texts:
        result = check_text(text, REGISTRY, year=YEAR)
        content = content_verdict(result)
        assert result.verdict == worst(link_verdict(result, content), content), text
        seen.add(result.verdict)
    assert seen >= {OFFICIAL, MANIPULATION, SUSPICIOUS}


@pytest.mark.parametrize("seed", [41, 42])
def test_a_genuine_invitation_from_an_unlisted_sender_is_unknown_never_suspicious(
        seed: int) -> None:
    rng = random.Random(seed)
    wrong = []
    for _ in range(150):
        link = rng.choice(OFFICIAL_LINKS[:4])
        sender = rng.choice(SENDER_LINES).format(number=_unlisted_number(rng))
        text = sender + rng.choice(NEUTRAL_INVITES).format(link=link)
        result = check_text(text, REGISTRY, year=YEAR)
        if result.verdict != UNKNOWN or not result.official_link:
            wrong.append((result.verdict, text))
    assert wrong == []


def test_the_same_invitations_without_a_sender_are_official() -> None:
    for template in NEUTRAL_INVITES:
        for link in OFFICIAL_LINKS:
            text = template.format(link=link)
            assert check_text(text, REGISTRY, year=YEAR).verdict == OFFICIAL, text
