"""Finds every link, phone number and e-mail address in free text, however it was written."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from handlers.check.domains import is_known_host, skeleton
from handlers.check.registry import SHORT_NUMBER_DIGITS, normalize_phone


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # url | phone | email
    value: str  # as written (trimmed)
    normalized: str  # url: the text to parse; phone: +62…; email: lower-case address


_SCHEME_URL = re.compile(r"\bhttps?://[^\s<>\"'()]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A bare host (with optional port and path): labels of letters, digits or hyphens with a dot.
_BARE_HOST = re.compile(
    r"(?<![\w@./-])((?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_][\w-]*[^\W_]|xn--[\w-]+))\.?"
    r"(?::\d{1,5})?(?:/[^\s<>\"'()]*)?",
    re.UNICODE,
)
# A bare IPv4 address, with optional port and path: a link that names no site at all.
_BARE_IP = re.compile(
    r"(?<![\w.@/-])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})"
    r"(?::\d{1,5})?(?:/[^\s<>\"'()]*)?(?![\w.]*\d)")
_PHONE = re.compile(r"(?<![\w/=])\+?\(?\d[\d\s().-]{6,}\d(?![\w])")
# A number with some digits hidden ("08111919xxxx", "0812-xxxx-5678", "+62 811 **** 4761"), as
# people write the sender when they forward a message: a number that cannot be checked.
_MASKED_PHONE = re.compile(r"(?<![\w/=+])\+?\d(?:[ .-]?[\dxX*\u2022])+(?![\w*\u2022])")
_MASK = "xX*\u2022"
_TRAILING = ".,;:!?)]}'\""
_WHATSAPP_HOSTS = ("wa.me", "api.whatsapp.com", "whatsapp.com", "web.whatsapp.com")


def _whatsapp_number(url: str) -> str | None:
    """`wa.me/62811…` or `api.whatsapp.com/send?phone=62811…` -> the number, else None."""
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
    except ValueError:
        return None
    host = (parts.hostname or "").removeprefix("www.")
    if host not in _WHATSAPP_HOSTS:
        return None
    candidates = [parts.path.strip("/"), *parse_qs(parts.query).get("phone", [])]
    for candidate in candidates:
        number = normalize_phone(candidate) if candidate.lstrip("+").isdigit() else None
        if number:
            return number
    return None


def _masked_phone_item(text: str) -> Found | None:
    compact = re.sub(r"[ .-]", "", text)
    digits = sum(c.isdigit() for c in compact)
    masked = sum(c in _MASK for c in compact)
    if masked < 2 or digits < 3 or not 8 <= len(compact.lstrip("+")) <= 15 \
            or not (compact.startswith(("+", "0", "62", "8"))):
        return None
    return Found("phone", text.strip(), compact)


def _phone_item(text: str) -> Found | None:
    digits = re.sub(r"\D", "", text)
    international = text.lstrip().startswith("+")
    if not (8 <= len(digits) <= 15) or not (international
                                             or digits.startswith(("0", "62", "8"))):
        return None
    number = normalize_phone(text)
    return Found("phone", text.strip(), number) if number else None


_DEFANGED = ((re.compile(r"\[\.\]|\(\.\)|\[dot\]|\(dot\)", re.IGNORECASE), "."),
             (re.compile(r"\bhxxp", re.IGNORECASE), "http"))


_IDEOGRAPHIC_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def refang(text: str) -> str:
    """Text as a browser would read its addresses: `hxxps://evil[.]com` (how warnings quote
    scam links) -> `https://evil.com`; full-width letters and ideographic dots, which IDNA maps
    to plain ones, become plain (`ｋｐｋ。go。id` opens kpk.go.id)."""
    text = unicodedata.normalize("NFKC", text).translate(_IDEOGRAPHIC_DOTS)
    for pattern, replacement in _DEFANGED:
        text = pattern.sub(replacement, text)
    return text


def extract(text: str) -> list[Found]:
    """Every item in `text`, in the order written; each region of text is used once."""
    found: list[tuple[int, Found]] = []
    taken = [False] * len(text)

    def claim(start: int, end: int) -> bool:
        if any(taken[start:end]):
            return False
        taken[start:end] = [True] * (end - start)
        return True

    for match in _SCHEME_URL.finditer(text):
        value = match.group().rstrip(_TRAILING)
        if claim(match.start(), match.start() + len(value)):
            number = _whatsapp_number(value)
            found.append((match.start(), Found("phone", value, number) if number
                          else Found("url", value, value)))
    for match in _EMAIL.finditer(text):
        value = match.group().rstrip(_TRAILING)
        if claim(match.start(), match.start() + len(value)):
            found.append((match.start(), Found("email", value, value.casefold())))
    for match in _BARE_HOST.finditer(text):
        value = match.group().rstrip(_TRAILING)
        host = match.group(1)
        # A host spelled entirely in look-alike letters (Cyrillic "іd") still imitates one.
        known = is_known_host(host) or (not host.isascii() and is_known_host(skeleton(host)))
        if known and claim(match.start(), match.start() + len(value)):
            number = _whatsapp_number(value)
            found.append((match.start(), Found("phone", value, number) if number
                          else Found("url", value, value)))
    for match in _BARE_IP.finditer(text):
        value = match.group().rstrip(_TRAILING)
        if claim(match.start(), match.start() + len(value)):
            found.append((match.start(), Found("url", value, value)))
    for match in _PHONE.finditer(text):
        item = _phone_item(match.group())
        if item and claim(match.start(), match.end()):
            found.append((match.start(), item))
    for match in _MASKED_PHONE.finditer(text):
        item = _masked_phone_item(match.group())
        if item and claim(match.start(), match.end()):
            found.append((match.start(), item))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def short_number(text: str) -> Found | None:
    """A message that is only a short number such as `198` (a call centre) is that number."""
    stripped = text.strip()
    if stripped.isdigit() and len(stripped) in SHORT_NUMBER_DIGITS:
        return Found("phone", stripped, stripped)
    return None
