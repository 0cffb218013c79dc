"""Placeholders in broadcast texts and template variables: `{nama}` and `{unit}`."""

from __future__ import annotations

import string
from collections.abc import Mapping

PLACEHOLDERS = ("nama", "unit")


class PlaceholderError(ValueError):
    """A text uses braces wrongly or names a placeholder we cannot fill."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def placeholders_in(text: str) -> set[str]:
    """The placeholder names a text uses; refuses unknown names and format tricks."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise PlaceholderError("broadcast.refuse_braces") from None
    names: set[str] = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise PlaceholderError("broadcast.refuse_placeholder", name="{" + name + "}",
                                   known=", ".join("{" + p + "}" for p in PLACEHOLDERS))
        names.add(name)
    return names


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill placeholders; the text was checked with `placeholders_in` when it was created."""
    return text.format_map(dict(values)) if "{" in text else text


def recipient_values(name: str | None, unit_name: str) -> dict[str, str]:
    return {"nama": (name or "").strip(), "unit": unit_name.strip()}


def unfillable(names: set[str], values: Mapping[str, str]) -> list[str]:
    """The placeholders this recipient has no value for."""
    return sorted(n for n in names if not values.get(n))
