"""Is a host official, a lookalike of an official domain, a short link, or just unknown?"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from handlers.check.registry import Entry, Registry

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

# Letters from other scripts that look like Latin ones (Unicode confusables, the ones seen in
# phishing domains), and digits used as letters. NFKD already folds accents (é -> e).
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k", "і": "i",
    "ј": "j", "ԁ": "d", "ɡ": "g", "һ": "h", "ѕ": "s", "ԛ": "q", "ԝ": "w", "ь": "b", "т": "t",
    "м": "m", "н": "h", "в": "b", "ο": "o", "α": "a", "κ": "k", "ι": "i", "ρ": "p", "ν": "v",
    "τ": "t", "ε": "e", "γ": "y", "ı": "i", "ɩ": "i", "ł": "l", "ǀ": "l", "ｋ": "k", "ｐ": "p",
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "|": "l",
})
_TOKEN_SPLIT = re.compile(r"[^a-z]+")


@dataclass(frozen=True, slots=True)
class HostVerdict:
    verdict: str  # official | suspicious | unknown
    reason: str  # key under [check_item] in the check texts
    values: dict[str, str] = field(default_factory=dict)
    entry: Entry | None = None


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # The snapshot shipped inside the package; this library never downloads anything itself.
    from publicsuffixlist import PublicSuffixList  # noqa: PLC0415

    # Hosts are looked up in their Unicode form, so the punycode copy of the list (4x the
    # parse time, which every cold start of `spi-bot check` would pay) is not needed.
    return PublicSuffixList(accept_unknown=False, accept_encoded_idn=False)


def registrable(host: str) -> str | None:
    """`a.b.kpk.go.id` -> `kpk.go.id`; None when the host has no known public suffix."""
    result = _psl().privatesuffix(to_unicode(host) or host)
    return None if result is None else str(result)


def public_suffix(host: str) -> str | None:
    result = _psl().publicsuffix(to_unicode(host) or host)
    return None if result is None else str(result)


def to_unicode(host: str) -> str | None:
    """Punycode labels (`xn--…`) decoded; None when they do not decode."""
    try:
        return ".".join(label.encode("ascii").decode("idna") if label.startswith("xn--")
                        else label for label in host.split("."))
    except UnicodeError:
        return None


def to_ascii(host: str) -> str | None:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def skeleton(host: str) -> str:
    """What a host looks like to a reader: confusable letters and digits folded to Latin."""
    folded = unicodedata.normalize("NFKD", host.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.translate(_CONFUSABLES)


def is_known_host(host: str) -> bool:
    """True when the host ends in a real public suffix: `kpk.go.id` yes, `survei.silakan` no."""
    ascii_host = to_ascii(host)
    return ascii_host is not None and "." in ascii_host and registrable(ascii_host) is not None


def _name_of(domain: str) -> str:
    suffix = public_suffix(domain) or domain.partition(".")[2]
    return domain[: -len(suffix) - 1] if suffix and domain != suffix else domain


def _edit_limit(text: str) -> int:
    return 1 if len(text) < 10 else 2


def lookalike(host: str, registry: Registry) -> HostVerdict | None:
    """The way `host` imitates an official domain, or None when it does not."""
    from rapidfuzz.distance import Levenshtein  # noqa: PLC0415

    look = skeleton(host)
    look_reg = registrable(look) or look
    for official in registry.domains:
        name = _name_of(official)
        if look_reg == official or look.endswith("." + official):
            return HostVerdict("suspicious", "homoglyph", {"official": official})
        labels = look.split(".")
        if name in labels:
            after = ".".join(labels[labels.index(name) + 1:])
            if official in look:
                return HostVerdict("suspicious", "embedded", {"official": official})
            if len(labels) - labels.index(name) <= 3:
                return HostVerdict("suspicious", "swapped_suffix",
                                   {"official": official, "suffix": after or "-"})
        # Only government bodies can register under go.id and similar suffixes, so a
        # near-miss there (bpk.go.id, kpu.go.id) is another institution, not an imitation.
        if public_suffix(look_reg) in registry.restricted_suffixes:
            continue
        if Levenshtein.distance(look_reg, official) <= _edit_limit(official):
            return HostVerdict("suspicious", "typo", {"official": official})
        look_name = _name_of(look_reg)
        if name in registry.names_anywhere and len(name) >= 5 and look_name != name \
                and Levenshtein.distance(look_name, name) <= 1:
            return HostVerdict("suspicious", "typo", {"official": official})
    tokens = [t for t in _TOKEN_SPLIT.split(look) if t]
    for name in registry.names_anywhere:
        if name in look.replace(".", "").replace("-", ""):
            return HostVerdict("suspicious", "embedded_name", {"name": name})
    for name in registry.names_as_word:
        if name in tokens:
            return HostVerdict("suspicious", "embedded_name", {"name": name})
    return None


def _is_ip(host: str) -> bool:
    """A numeric address in any form a browser opens: dotted, one integer, hex, or IPv6."""
    if re.fullmatch(r"[\d.]+|0x[0-9a-f]+(\.0x[0-9a-f]+)*", host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def check_host(host: str, registry: Registry) -> HostVerdict:
    """The verdict on one host name (already without scheme, user, port and path)."""
    host = host.casefold().rstrip(".")
    decoded = to_unicode(host)
    if decoded is None:
        return HostVerdict("suspicious", "bad_punycode", {"host": host})
    ascii_host = to_ascii(decoded)
    if ascii_host is None:
        return HostVerdict("suspicious", "bad_punycode", {"host": host})
    if decoded.isascii():
        reg = registrable(ascii_host)
        entry = registry.official_domain(reg) if reg else None
        if entry is not None:
            return HostVerdict("official", "official_domain",
                               {"domain": reg or "", "role": entry.role, "year": entry.year},
                               entry)
        if reg in registry.shorteners or ascii_host in registry.shorteners:
            return HostVerdict("unknown", "short_link", {"host": ascii_host})
    if decoded.isascii() and public_suffix(ascii_host) in registry.restricted_suffixes:
        # Only government bodies and schools register there: another institution's page
        # (an inspectorate's SPI notice) is not an imitation of KPK. A name there that wears
        # KPK's inside a longer one (kpkk.go.id, kpk-ri.go.id) belongs to no institution:
        # it imitates KPK's (a near name such as kpu.go.id or bpk.go.id is another body).
        # Schools' and campuses' names are left alone: "SMK PK" is a school programme.
        suffix = public_suffix(ascii_host) or ""
        name = _name_of(registrable(ascii_host) or ascii_host)
        worn = next((n for n in registry.names_anywhere
                     if n in name.replace("-", "") and name != n), None) \
            if suffix not in ("sch.id", "ac.id") else None
        if worn is not None:
            return HostVerdict("suspicious", "embedded_name", {"name": worn})
        return HostVerdict("unknown", "other_government", {"host": registrable(ascii_host)
                                                           or ascii_host})
    if _is_ip(ascii_host):
        return HostVerdict("suspicious", "ip_address", {"host": ascii_host})
    found = lookalike(decoded, registry)
    if found is not None:
        if not decoded.isascii():
            return HostVerdict("suspicious", "idn_lookalike",
                               {"host": decoded, "official": found.values.get("official")
                                or found.values.get("name", "")})
        return found
    if not decoded.isascii():
        return HostVerdict("unknown", "idn_unknown", {"host": decoded})
    return HostVerdict("unknown", "unknown_domain",
                       {"host": registrable(ascii_host) or ascii_host})
