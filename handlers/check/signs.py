"""Scam signs in a text (payment, prize, OTP/PIN, bank account, ID photo, APK) and claims."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

# A text naming KPK or SPI claims to come from them; its links and numbers must then be official.
# "KPK tidak pernah meminta bayaran": a sign denied in the same clause is not a sign. A comma
# ends the clause, so "tidak perlu khawatir, kirim kode OTP" still counts.
_NEGATION = re.compile(
    r"\b(tidak|tak|tanpa|bukan|jangan|never|not|no|gratis|free)\b[^.,;!?\n]{0,40}$",
    re.IGNORECASE)
_CLAIM = re.compile(
    r"\b(kpk|komisi pemberantasan korupsi|spi|survei penilaian integritas|"
    r"survey penilaian integritas|penilaian integritas)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern[str]]]:
    raw = resources.files("handlers.knowledge").joinpath("scam_signs.toml").read_text("utf-8")
    signs = tomllib.loads(raw)["signs"]
    return {sign: [re.compile(p, re.IGNORECASE) for p in patterns]
            for sign, patterns in signs.items()}


def sign_ids() -> list[str]:
    return list(_patterns())


def scam_signs(text: str) -> list[str]:
    """Ids of the scam signs present in `text`, in the order they are listed in the data."""
    return [sign for sign, patterns in _patterns().items()
            if any(_asserted(text, match) for p in patterns for match in p.finditer(text))]


def _asserted(text: str, match: re.Match[str]) -> bool:
    return _NEGATION.search(text, 0, match.start()) is None


def claims_kpk(text: str) -> bool:
    return _CLAIM.search(text) is not None
