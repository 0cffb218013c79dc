"""Message catalogues: user-facing text lives in `handlers/texts/<topic>.<lang>.toml`, not in code.

Each topic file holds its own `[section]`s; keys are looked up as `section.key`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any

LANGUAGES = ("id", "en")


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value).strip("\n")
    return flat


class Catalog:
    """Looks up `section.key` in the user's language, falling back to Indonesian."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]], variables: Mapping[str, str]):
        self._texts = texts
        self._variables = dict(variables)

    @classmethod
    def load(cls, variables: Mapping[str, str] | None = None) -> Catalog:
        texts: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for entry in sorted(resources.files("core.texts").iterdir(), key=lambda e: e.name):
            _topic, _, suffix = entry.name.partition(".")
            lang = suffix.removesuffix(".toml")
            if suffix.endswith(".toml") and lang in texts:
                flat = _flatten(tomllib.loads(entry.read_text("utf-8")))
                clash = texts[lang].keys() & flat.keys()
                if clash:
                    raise ValueError(f"{entry.name} redefines {sorted(clash)}")
                texts[lang].update(flat)
        return cls(texts, variables or {})

    def with_variables(self, variables: Mapping[str, str]) -> Catalog:
        """The same texts with some variables replaced (another institution's name and
        contact, issue 15); the texts are shared, not copied."""
        return Catalog(self._texts, {**self._variables, **variables})

    def keys(self, lang: str) -> set[str]:
        return set(self._texts[lang])

    def has(self, lang: str, key: str) -> bool:
        return key in self._texts.get(lang, {}) or key in self._texts["id"]

    def text(self, lang: str, key: str, **values: object) -> str:
        template = self._texts.get(lang, {}).get(key) or self._texts["id"][key]
        return template.format_map({**self._variables, **values}) if "{" in template else template
