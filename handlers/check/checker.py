"""One verdict for a whole text: official, suspicious or unknown, with the reason for each part.

The first rule: a fake is never called official. `official` needs at least one item, every
item in the registry and no scam sign; anything imitating an official domain, any scam sign,
or a text claiming to be KPK/SPI while linking elsewhere is `suspicious`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from handlers.check.domains import HostVerdict, check_host
from handlers.check.extract import Found, extract, refang, short_number
from handlers.check.registry import Registry, normalize_link
from handlers.check.signs import claims_kpk, scam_signs

OFFICIAL, SUSPICIOUS, UNKNOWN = "official", "suspicious", "unknown"
VERDICTS = (OFFICIAL, SUSPICIOUS, UNKNOWN)
MAX_TEXT = 5000  # a forwarded message is far shorter; bounds the work one message can cause
_CHECK_WORD = re.compile(r"^\s*(cek|check|/cek|/check)\b[\s:]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ItemResult:
    kind: str  # url | phone | email
    value: str
    verdict: str
    reason: str  # key under [check_item] in the check texts
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckResult:
    text: str
    verdict: str
    items: list[ItemResult]
    signs: list[str]
    claims_kpk: bool

    @property
    def unverified_claim(self) -> bool:
        """Claims to be KPK/SPI while some link, number or address is not official."""
        return self.claims_kpk and any(i.verdict != OFFICIAL for i in self.items)


def strip_check_word(text: str) -> str:
    """`CEK kpk.go.id` -> `kpk.go.id`."""
    return _CHECK_WORD.sub("", text, count=1)


def _item(found: Found, verdict: HostVerdict) -> ItemResult:
    return ItemResult(found.kind, found.value, verdict.verdict, verdict.reason,
                      dict(verdict.values))


def check_url(found: Found, registry: Registry) -> ItemResult:
    raw = found.normalized
    try:
        parts = urlsplit(raw if "://" in raw else "https://" + raw)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return ItemResult(found.kind, found.value, SUSPICIOUS, "malformed", {})
    if parts.username is not None:
        # `https://kpk.go.id@evil.xyz` opens evil.xyz: whatever stands before @ is decoration.
        return ItemResult(found.kind, found.value, SUSPICIOUS, "userinfo",
                          {"shown": parts.username, "host": host})
    link = registry.links.get(normalize_link(raw).casefold())
    if link is not None:
        return ItemResult(found.kind, found.value, OFFICIAL, "official_link",
                          {"role": link.role, "year": link.year})
    verdict = check_host(host, registry)
    if verdict.verdict == UNKNOWN:
        shown = _official_in_path(f"{parts.path}?{parts.query}#{parts.fragment}", registry)
        if shown is not None:
            # `evil.com/spi.kpk.go.id`: the official name is only decoration after the host.
            return ItemResult(found.kind, found.value, SUSPICIOUS, "official_in_path",
                              {"official": shown, "host": host})
    return _item(found, verdict)


def _official_in_path(rest: str, registry: Registry) -> str | None:
    lowered = rest.casefold()
    return next((domain for domain in registry.domains if domain in lowered), None)


def check_email(found: Found, registry: Registry) -> ItemResult:
    local, _, domain = found.normalized.rpartition("@")
    entry = registry.official_email_domain(domain)
    if entry is not None:
        return ItemResult(found.kind, found.value, OFFICIAL, "official_email",
                          {"domain": domain, "role": entry.role, "year": entry.year})
    if "." in local and check_host(local, registry).verdict == OFFICIAL:
        # `kpk.go.id@evil.xyz` pasted into a browser opens evil.xyz.
        return ItemResult(found.kind, found.value, SUSPICIOUS, "userinfo",
                          {"shown": local, "host": domain})
    host = check_host(domain, registry)
    if host.verdict == SUSPICIOUS:
        return _item(found, host)
    name = _impersonated_name(local, registry)
    if name is not None:
        return ItemResult(found.kind, found.value, SUSPICIOUS, "email_name",
                          {"name": name, "domain": domain})
    return ItemResult(found.kind, found.value, UNKNOWN, "unknown_email", {"domain": domain})


def _impersonated_name(local: str, registry: Registry) -> str | None:
    """`kpk.spi2024` in `kpk.spi2024@gmail.com` borrows KPK's name for someone else's mailbox."""
    words = re.split(r"[^a-z]+", local)
    for name in registry.names_anywhere:
        if name in local:
            return name
    for name in registry.names_as_word:
        if name in words:
            return name
    return None


def check_phone(found: Found, registry: Registry) -> ItemResult:
    entry = registry.phones.get(found.normalized)
    if entry is not None:
        # Sender numbers change from year to year; the reply says which year this one is from.
        return ItemResult(found.kind, found.value, OFFICIAL,
                          "official_sender" if entry.sender else "official_phone",
                          {"number": found.normalized, "role": entry.role, "year": entry.year})
    return ItemResult(found.kind, found.value, UNKNOWN, "unknown_phone",
                      {"number": found.normalized})


def check_text(text: str, registry: Registry) -> CheckResult:
    body = refang(strip_check_word(text[:MAX_TEXT]))
    found = extract(body) or [f for f in [short_number(body)] if f]
    items = []
    rest = body
    for item in found:
        rest = rest.replace(item.value, " ")
        if item.kind == "url":
            items.append(check_url(item, registry))
        elif item.kind == "email":
            items.append(check_email(item, registry))
        else:
            items.append(check_phone(item, registry))
    signs = scam_signs(rest)
    claim = claims_kpk(rest)
    result = CheckResult(text, UNKNOWN, items, signs, claim)
    if signs or result.unverified_claim or any(i.verdict == SUSPICIOUS for i in items):
        verdict = SUSPICIOUS
    elif items and all(i.verdict == OFFICIAL for i in items):
        verdict = OFFICIAL
    else:
        verdict = UNKNOWN
    return CheckResult(text, verdict, items, signs, claim)
