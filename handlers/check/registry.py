"""The official registry: domains, exact links, phone numbers and e-mail domains, as data."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from core.phones import to_e164

SHORT_NUMBER_DIGITS = range(3, 6)  # call centres such as KPK's 198


@dataclass(frozen=True, slots=True)
class Entry:
    """One official value with the role it plays, the year(s) it was seen and its source."""

    kind: str  # domain | link | phone | email_domain
    value: str
    role: str
    year: str
    source: str
    sender: bool = False  # a number official SPI invitations are sent from
    ongoing: bool = False  # a standing KPK channel, not one tied to the years it was seen

    def current(self, year: int) -> bool:
        """Official in `year`: a standing channel, or one seen in that year or later.

        Sender numbers and registration links change every survey; one seen only in 2023 is
        reported as 2023's, never as official today."""
        seen = [int(y) for y in re.findall(r"\d{4}", self.year)]
        return self.ongoing or (bool(seen) and max(seen) >= year)


class RegistryError(ValueError):
    """The registry file is not usable; the message says which entry and what to fix."""


def normalize_phone(text: str) -> str | None:
    """Any way of writing an Indonesian number -> `+62…`; short call centres stay digits.

    Falls back to a plain `0…` -> `+62…` rewrite for numbers libphonenumber does not know,
    so that the same number compares equal however it was written.
    """
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) in SHORT_NUMBER_DIGITS and not text.strip().startswith("+"):
        return digits
    e164 = to_e164(text)
    if e164 is not None:
        return e164
    if text.strip().startswith("+") and not digits.startswith("62") and 8 <= len(digits) <= 15:
        return "+" + digits  # a foreign number: kept as written, never official
    if digits.startswith("62") and 10 <= len(digits) <= 15:
        return "+" + digits
    if digits.startswith("0") and 9 <= len(digits) <= 14:
        return "+62" + digits[1:]
    if digits.startswith("8") and 9 <= len(digits) <= 13:
        return "+62" + digits
    return None


def normalize_domain(text: str) -> str:
    """`HTTPS://WWW.KPK.GO.ID:443/x` -> `kpk.go.id`: lower case, no scheme, port, path or www."""
    value = text.strip().lower()
    value = value.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":", 1)[0]
    value = value.rstrip(".")
    return value.removeprefix("www.")


def normalize_link(text: str) -> str:
    """`https://bit.ly/Abc/` -> `bit.ly/Abc`: host lower-cased, path kept as written."""
    value = text.strip().split("://", 1)[-1].rstrip("/")
    host, _, path = value.partition("/")
    host = normalize_domain(host)
    return f"{host}/{path}" if path else host


@dataclass(frozen=True)
class Registry:
    domains: Mapping[str, Entry]
    links: Mapping[str, Entry]
    phones: Mapping[str, Entry]
    email_domains: Mapping[str, Entry]
    names_anywhere: tuple[str, ...]
    names_as_word: tuple[str, ...]
    shorteners: frozenset[str]
    restricted_suffixes: frozenset[str]
    free_builders: frozenset[str]
    form_hosts: tuple[str, ...] = ()  # `host` or `host/path-prefix` of online form services

    def official_domain(self, registrable: str) -> Entry | None:
        return self.domains.get(registrable)

    def official_email_domain(self, domain: str) -> Entry | None:
        for official, entry in self.email_domains.items():
            if domain == official or domain.endswith("." + official):
                return entry
        return None

    def is_form(self, link: str) -> bool:
        """Is `link` (as `normalize_link` writes it) a page of an online form service?"""
        host = link.partition("/")[0]
        return any(link == f or link.startswith(f + "/")
                   or ("/" not in f and host.endswith("." + f)) for f in self.form_hosts)

    def senders(self) -> list[Entry]:
        """Numbers official SPI invitations came from, newest year first."""
        return sorted((e for e in self.phones.values() if e.sender),
                      key=lambda e: e.year, reverse=True)


def _entries(data: Mapping[str, Any], kind: str) -> list[Entry]:
    entries = []
    for i, raw in enumerate(data.get(kind, []), start=1):
        missing = [f for f in ("value", "role", "year", "source") if not str(raw.get(f, ""))]
        if missing:
            raise RegistryError(f"[[{kind}]] nomor {i}: isian {', '.join(missing)} kosong")
        entries.append(Entry(kind, str(raw["value"]), str(raw["role"]), str(raw["year"]),
                             str(raw["source"]), bool(raw.get("sender", False)),
                             bool(raw.get("ongoing", False))))
    return entries


def parse_registry(text: str) -> Registry:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"berkas registri tidak bisa dibaca: {exc}") from None
    phones: dict[str, Entry] = {}
    for entry in _entries(data, "phone"):
        number = normalize_phone(entry.value)
        if number is None:
            raise RegistryError(f"[[phone]] {entry.value!r} bukan nomor telepon yang valid")
        phones[number] = entry
    lookalike = data.get("lookalike", {})
    return Registry(
        domains={normalize_domain(e.value): e for e in _entries(data, "domain")},
        links={normalize_link(e.value): e for e in _entries(data, "link")},
        phones=phones,
        email_domains={normalize_domain(e.value): e for e in _entries(data, "email_domain")},
        names_anywhere=tuple(lookalike.get("names_anywhere", ())),
        names_as_word=tuple(lookalike.get("names_as_word", ())),
        shorteners=frozenset(lookalike.get("shorteners", ())),
        restricted_suffixes=frozenset(lookalike.get("restricted_suffixes", ())),
        free_builders=frozenset(lookalike.get("free_builders", ())),
        form_hosts=tuple(lookalike.get("form_hosts", ())),
    )


@lru_cache(maxsize=4)
def load_registry(path: Path | None = None) -> Registry:
    """The registry at `path` (SPI_REGISTRY_FILE), or the shipped one; read once per process."""
    if path is None:
        text = resources.files("handlers.knowledge").joinpath("registry.toml").read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise RegistryError(f"berkas registri {path} tidak bisa dibuka: {exc}") from None
    return parse_registry(text)
