"""Every text exists in Indonesian and English, and fills in without errors."""

from __future__ import annotations

import string

from bot.app import build_catalog
from core.settings import Settings


def test_english_has_every_indonesian_key_and_the_same_placeholders() -> None:
    catalog = build_catalog(Settings(_env_file=None))  # type: ignore[call-arg]
    assert catalog.keys("id") == catalog.keys("en")
    for key in catalog.keys("id"):
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(catalog._texts[lang][key]) if f}
            for lang in ("id", "en")
        }
        assert fields["id"] == fields["en"], key
