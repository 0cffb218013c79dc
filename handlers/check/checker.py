"""One verdict for a whole text, the worst of its parts, with the reason for each part.

Worst first: `suspicious` (a fake link, number or address, or a scam ask such as payment, OTP,
a login, an APK, a prize, a threat or a false duty), `manipulation` (an employer-style ask that
breaks SPI rules: report receipt, collect answers or proof, a form first, gathering, coaching,
watching who filled it in), `unknown`, `official`.

The verdict is structurally the worst of two: the *link verdict* (what the links, numbers and
addresses are) and the *content verdict* (what the words ask). An official link never
whitewashes an ask: the content verdict is `official` only when neither the scam and
manipulation signs (handlers/knowledge/scam_signs.toml) nor the broadcast integrity policy
(outreach/integrity.py, read from the recipient's side) find any forbidden act, and no other
ask is left unexplained. A message claiming to be KPK/SPI while linking somewhere else is
`suspicious`; one whose link is KPK's but whose sender number or e-mail is not listed is
`unknown`, since sender numbers change every year and no SPI sender e-mail domain is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from handlers.check.domains import HostVerdict, check_host, registrable
from handlers.check.extract import Found, extract, refang, short_number
from handlers.check.registry import Entry, Registry, normalize_link
from handlers.check.signs import Signs, claims_kpk, deobfuscate, find_signs

OFFICIAL, SUSPICIOUS, MANIPULATION, UNKNOWN = "official", "suspicious", "manipulation", "unknown"
VERDICTS = (OFFICIAL, SUSPICIOUS, MANIPULATION, UNKNOWN)
# How bad a verdict is: the message's verdict is the worst of its link and content verdicts.
SEVERITY = {OFFICIAL: 0, UNKNOWN: 1, MANIPULATION: 2, SUSPICIOUS: 3}
# The integrity policy's acts, named as the checker's manipulation signs. The policy finds
# breaches of SPI rules, pressure included; fraud (a scam sign, which makes a message
# `suspicious`) is for the scam signs to name.
_ACT_SIGNS = {"receipt": "report_receipt", "forward": "collect_answers",
              "answers": "collect_answers", "proof": "collect_answers",
              "form_first": "form_first", "gathering": "gather", "rating": "rate_well",
              "monitoring": "watch_participation", "threat": "pressure"}
MAX_TEXT = 5000  # a forwarded message is far shorter; bounds the work one message can cause
_CHECK_WORD = re.compile(r"^\s*(cek|check|/cek|/check)\b[\s:]*", re.IGNORECASE)
# Reasons for items that are not official but do not make a KPK claim doubtful: another
# institution's page, or something KPK really used in an earlier year.
_OFFICIAL_MARK = " kanal-resmi "  # stands for an official item in the text the signs read
_FORM_MARK = " formulir-daring "  # stands for an online form (scam_signs.toml knows the word)
# An e-mail address is doubtful for these reasons only because it uses KPK's or SPI's name.
_SENDER_NAME_ONLY = frozenset({"email_name", "embedded_name"})
_HONEST_UNKNOWN = frozenset({"other_government", "past_link", "past_domain", "past_sender",
                             "past_phone", "past_email"})


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
    signs: list[str]  # scam signs
    manipulation: list[str]  # manipulation signs
    other_asks: list[str]  # asks beyond filling the survey that no sign names
    claims_kpk: bool

    @property
    def unverified_claim(self) -> bool:
        """Claims to be KPK/SPI while linking elsewhere or giving a foreign number. When the
        link is KPK's, only another link can make the claim doubtful: who sent it (a number or
        a vendor's e-mail) cannot be confirmed, which is `unknown`, not a sign of a fake."""
        official_link = self.official_link
        return self.claims_kpk and any(
            _doubtful(i) for i in self.items
            if (i.kind == "url" and not (official_link and i.values.get("page") == "guide"))
            or not official_link)

    @property
    def official_link(self) -> bool:
        """Some link is KPK's and no link is a fake: the doubt, if any, is about the rest."""
        urls = [i for i in self.items if i.kind == "url"]
        return any(i.verdict == OFFICIAL for i in urls) \
            and not any(i.verdict == SUSPICIOUS for i in urls)

    def fake(self, item: ItemResult) -> bool:
        """Is `item` a fake? A sender address that only wears KPK's or SPI's name on another
        domain (a survey vendor's mailer) is not, next to KPK's own link and without any scam
        ask: it cannot be confirmed, and the reply says so."""
        if item.verdict != SUSPICIOUS:
            return False
        return not (item.kind == "email" and item.reason in _SENDER_NAME_ONLY
                    and self.official_link and not self.signs)


def _doubtful(item: ItemResult) -> bool:
    if item.verdict != UNKNOWN or item.reason in _HONEST_UNKNOWN:
        return False
    return item.kind == "url" or (item.kind == "phone"
                                  and item.values.get("number", "").startswith("+")
                                  and not item.values["number"].startswith("+62"))


def strip_check_word(text: str) -> str:
    """`CEK kpk.go.id` -> `kpk.go.id`."""
    return _CHECK_WORD.sub("", text, count=1)


def _item(found: Found, verdict: HostVerdict) -> ItemResult:
    return ItemResult(found.kind, found.value, verdict.verdict, verdict.reason,
                      dict(verdict.values))


def _dated(found: Found, entry: Entry, year: int, reasons: tuple[str, str],
           values: dict[str, str]) -> ItemResult:
    """Official when the entry holds in `year`; otherwise reported with the year(s) it held."""
    official, past = reasons
    values = {**values, "role": entry.role, "year": entry.year}
    if entry.current(year):
        return ItemResult(found.kind, found.value, OFFICIAL, official, values)
    return ItemResult(found.kind, found.value, UNKNOWN, past, values)


def _url_parts(found: Found) -> SplitResult:
    """The found link's parts, read as a browser would (no scheme: https). May raise
    ValueError on a malformed address."""
    raw = found.normalized
    return urlsplit(raw if "://" in raw else "https://" + raw)


def check_url(found: Found, registry: Registry, year: int) -> ItemResult:
    raw = found.normalized
    try:
        parts = _url_parts(found)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return ItemResult(found.kind, found.value, SUSPICIOUS, "malformed", {})
    if parts.username is not None:
        # `https://kpk.go.id@evil.xyz` opens evil.xyz: whatever stands before @ is decoration.
        return ItemResult(found.kind, found.value, SUSPICIOUS, "userinfo",
                          {"shown": parts.username, "host": host})
    link = registry.links.get(normalize_link(raw))
    if link is not None:
        return _dated(found, link, year, ("official_link", "past_link"), {})
    builder = _free_builder(host, f"{host}{parts.path}", registry)
    if builder is not None:
        return ItemResult(found.kind, found.value, SUSPICIOUS, "free_builder",
                          {"host": builder})
    verdict = check_host(host, registry)
    if verdict.verdict == OFFICIAL and verdict.entry is not None:
        return _dated(found, verdict.entry, year, ("official_domain", "past_domain"),
                      {"domain": verdict.values.get("domain", "")})
    if verdict.verdict == UNKNOWN:
        shown = _official_in_path(f"{parts.path}?{parts.query}#{parts.fragment}", registry)
        if shown is not None:
            # `evil.com/spi.kpk.go.id`: the official name is only decoration after the host.
            return ItemResult(found.kind, found.value, SUSPICIOUS, "official_in_path",
                              {"official": shown, "host": host})
    return _item(found, verdict)


def _bare_shortener(found: Found, registry: Registry) -> bool:
    """A link shortener's name with no path: it names the service, it opens no link."""
    try:
        parts = _url_parts(found)
    except ValueError:
        return False
    host = (parts.hostname or "").casefold()
    return host in registry.shorteners and parts.path.strip("/") == "" \
        and not parts.query and not parts.fragment


def _named_short_link(found: Found, item: ItemResult, registry: Registry) -> bool:
    """A short link whose path wears KPK's name (`s.id/SurveiKPK2026`). "SPI" alone is also
    an office's own word (bit.ly/spi-dinas-kita), so it does not count here."""
    if item.reason != "short_link":
        return False
    try:
        path = _url_parts(found).path.casefold()
    except ValueError:
        return False
    return any(n in path for n in registry.names_anywhere)


def _free_builder(host: str, address: str, registry: Registry) -> str | None:
    """The free site builder `host` belongs to, when the page wears KPK's or SPI's name."""
    host = host.casefold()
    builder = next((b for b in registry.free_builders
                    if host == b or host.endswith("." + b)), None)
    if builder is None:
        return None
    lowered = address.casefold()
    words = re.split(r"[^a-z]+", lowered)
    if any(n in lowered for n in registry.names_anywhere) \
            or any(n in words for n in registry.names_as_word):
        return registrable(host) or host
    return None


def _official_in_path(rest: str, registry: Registry) -> str | None:
    lowered = rest.casefold()
    return next((domain for domain in registry.domains if domain in lowered), None)


def check_email(found: Found, registry: Registry, year: int) -> ItemResult:
    local, _, domain = found.normalized.rpartition("@")
    entry = registry.official_email_domain(domain)
    if entry is not None:
        return _dated(found, entry, year, ("official_email", "past_email"), {"domain": domain})
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


def check_phone(found: Found, registry: Registry, year: int) -> ItemResult:
    entry = registry.phones.get(found.normalized)
    if entry is not None:
        # Sender numbers change from year to year; the reply says which year this one is from.
        kind = "sender" if entry.sender else "phone"
        return _dated(found, entry, year, (f"official_{kind}", f"past_{kind}"),
                      {"number": found.normalized})
    return ItemResult(found.kind, found.value, UNKNOWN, "unknown_phone",
                      {"number": found.normalized})


def check_text(text: str, registry: Registry, *, year: int) -> CheckResult:
    """The verdict on `text` as read in `year` (entries are official only in their years)."""
    body = refang(strip_check_word(text[:MAX_TEXT]))
    found = extract(body) or [f for f in [short_number(body)] if f]
    items = []
    rest = body
    # "link palsu seperti bit.ly" names a service: a shortener with no path links nowhere
    found = [f for f in found if not (f.kind == "url" and _bare_shortener(f, registry))]
    for item in found:
        if item.kind == "url":
            items.append(_as_guide(check_url(item, registry, year), body))
        elif item.kind == "email":
            items.append(check_email(item, registry, year))
        else:
            items.append(check_phone(item, registry, year))
        # "hubungi pengaduan@kpk.go.id" asks nothing doubtful: the marker lets signs tell. An
        # online form stays visible as one: "isi formulir ini dulu" is an ask whatever its host.
        rest = rest.replace(item.value, _marker(item, items[-1], registry,
                                                _sender_position(body, item.value)))
    # A bare link, number or address says nothing to read: its own words ("kpk.go.id") and
    # the markers put in its place are no sentence, so neither the signs nor the policy (and
    # their vocabularies, ~0.4 s to compile on a cold start) are asked. Any letter outside
    # the items is read ("O T P" too: the signs take its disguise off).
    said = body
    for item in found:
        said = said.replace(item.value, " ")
    speaks = any(c.isalpha() for c in said)
    read = rest if _IF_NOT.search(rest) else _DUTY_QUESTION.sub(r"\1perlu", rest)
    signs = _signs(_LABEL.sub(r"\1", read)) if speaks else Signs([], [], [])
    acts = (_policy_acts(deobfuscate(_for_policy(body, found, items, registry)))
            if speaks else ())
    scam = signs.scam
    other_asks = list(signs.other_asks)
    employer_stake = "threat" in acts and set(scam) <= {"false_duty"} \
        and _EMPLOYER_STAKE.search(deobfuscate(body)) is not None
    if employer_stake:
        # A duty whose stake only an employer holds ("masuk penilaian SKP", "dihitung di
        # e-kinerja"): the employer's pressure, whoever relays it, not a scam's
        # threat to the reader; the duty is that pressure's, not a fake one of KPK's.
        scam = []
    if "threat" in acts and set(acts) == {"threat"} and not signs.manipulation \
            and not employer_stake:
        # Pressure and nothing else asked (no report, no answers, no gathering, no one
        # watching who filled it in): a threat to the reader, as the scam signs name it; with
        # an employer's ask or watch ("akan kami data untuk pembinaan", "dilaporkan ke
        # pimpinan") it is that employer's pressure, and the message is the employer's. A
        # sanction the signs name ("dicatat sebagai tidak disiplin") stays a threat.
        scam = _merged(scam, ["threat"])
        acts = tuple(a for a in acts if a != "threat")
    if scam and set(scam) <= {"threat", "false_duty"} and not acts and not signs.manipulation \
            and "threat" not in signs.scam \
            and _duty_explained(deobfuscate(body), policy_threat="threat" in scam):
        # The policy is built for recall on broadcasts, and the false-duty sign reads any
        # "wajib": a duty in a message that itself says taking part is voluntary ("Anda boleh
        # tidak mengisi", "namun tetap sukarela"), or that is only how to answer once taking
        # part ("wajib menjawab dengan jujur", "harus diselesaikan dalam satu kali duduk"),
        # with no sanction the signs name, is no sign of a fake. It is not KPK's wording
        # either: never official, `unknown` with the reason.
        scam = []
        other_asks = _merged(other_asks, ["duty_unclear"])
    manipulation = _merged(signs.manipulation, [_ACT_SIGNS[a] for a in acts])
    # Words past MAX_TEXT go unread, and an ask hidden there cannot be ruled out: never official.
    other_asks = [*other_asks, *(["unread"] if len(text) > MAX_TEXT else [])]
    # A short link whose own path wears KPK's name (s.id/SurveiKPK) claims to be KPK's too:
    # it is put where the reader cannot see where it goes.
    claimed = (claims_kpk(rest) and not _only_refers(deobfuscate(rest))) \
        or any(_named_short_link(f, i, registry) for f, i in zip(found, items, strict=True))
    result = CheckResult(text, UNKNOWN, items, scam, manipulation, other_asks, claimed)
    return CheckResult(text, _verdict(result), items, result.signs, result.manipulation,
                       result.other_asks, result.claims_kpk)


# "Panduan pengisian: https://mitra.co.id/panduan", "Background information is at …": a page
# offered to read about the survey, beside KPK's own link. Its host is not confirmed (the item
# says so), but it is no other place to fill the survey in, so it does not make the message's
# KPK claim doubtful. Only a plain domain: a short link hides where it goes, a builder page or
# a host wearing KPK's name is judged a fake whatever is said of it.
_GUIDE_BEFORE = re.compile(
    r"\b(panduan|petunjuk|tata cara|cara (mengisi|pengisian)|guide|guidance|manual|faq|"
    r"tanya jawab|how to|instructions?|informasi (lebih lanjut|tambahan|latar belakang)|"
    r"more information|further information|background information|selengkapnya)\b"
    # nothing between names another use of the page ("panduan login:", "link cadangan")
    r"(?:(?!\b(login|log in|masuk|isi|mengisi|fill|akun|account|verifikasi|verify|daftar|"
    r"register|bayar|pay|unduh|download|install|cadangan|alternatif|backup|formulir|form)\b)"
    r"[^.!?\n]){0,40}$", re.IGNORECASE)


def _as_guide(item: ItemResult, body: str) -> ItemResult:
    if item.reason != "unknown_domain":
        return item
    at = body.find(item.value)
    if at < 0 or _GUIDE_BEFORE.search(body[max(0, at - 80):at]) is None:
        return item
    return ItemResult(item.kind, item.value, item.verdict, item.reason,
                      {**item.values, "page": "guide"})


# A text that names KPK or SPI claims to come from them unless it only shares a page about
# them: no ask of the reader (fill in, open, log in, register, send, pay...) and no voice of
# a sender (an invitation, "kami", "resmi"), only news, an article, a video. Such a text ("Berita
# hasil SPI 2025: <news link>", "Video penjelasan SPI dari KPK: <video>") claims nothing:
# its other page is not a fake KPK page (a page that wears KPK's or SPI's name in its address
# is judged by the link verdict, whatever the words).
_ACTS = re.compile(
    r"\b(isi\w*|mengisi|diisi|ngisi|pengisian|fill\w*|complete\w*|klik|click\w*|tap|tekan|"
    r"buka|membuka|open\w*|kunjungi|visit\w*|akses\w*|mengakses|access\w*|log ?in|login|masuk\w*|"
    r"sign\w*|daftar\w*|mendaftar|registr\w*|register\w*|verifikasi\w*|memverifikasi|verif\w*|"
    r"unduh|download\w*|install\w*|instal|pasang|jawab\w*|menjawab|answer\w*|lanjut\w*|"
    r"continue|kuesioner|questionnaire|responden|respondents?|terpilih|selected|undang\w*|"
    r"invit\w*|diundang|partisipasi|berpartisipasi|participat\w*|ikut\w*|mengikuti|kirim\w*|"
    r"send\w*|submit\w*|transfer\w*|bayar\w*|pay\w*|klaim\w*|claim\w*|cek|check\w*|"
    r"resmi|official|kami|we|us|our|tim|team|admin|petugas|hubungi|contact\w*|balas\w*|"
    r"reply|segera|now|sekarang|formulir|form|data|hadiah|prize|bantuan|update|perbarui|"
    r"konfirmasi\w*|confirm\w*|wajib|harus|must|mohon|silakan|silahkan|please|harap|"
    r"tolong|yuk|ayo)\b", re.IGNORECASE)
# What a page about KPK or SPI is shared as: news, an article, a video, an explanation.
_REFERS = re.compile(
    r"\b(berita|artikel|liputan|baca|bacaan|video|tonton|nonton|infografis|wiki\w*|"
    r"penjelasan|selengkapnya|ulasan|opini|siaran pers|rilis|news|article|read|watch|"
    r"explain\w*|report(ed)? by|podcast|thread|postingan|unggahan)\b", re.IGNORECASE)


# What only an employer keeps: the employee's appraisal. (An allowance withheld, "TPP tidak
# dibayarkan", stays a threat: a loss named, which scams use too.)
_EMPLOYER_STAKE = re.compile(
    r"\b(skp|sasaran kinerja|penilaian kinerja|kinerja pegawai|e-?kinerja|dp3|rapor kinerja|"
    r"performance (review|appraisal))\b", re.IGNORECASE)


def _only_refers(text: str) -> bool:
    """Does `text` only share a page about KPK or SPI, asking nothing and speaking for no one?"""
    return _REFERS.search(text) is not None and _ACTS.search(text) is None


def _duty_explained(text: str, *, policy_threat: bool) -> bool:
    """Is the duty read in `text` voluntariness or manner, with nothing set on not doing it?
    The policy reads the text without the manner's duty word (_for_policy), so a threat it
    still finds is another one; a duty beside "sukarela" it cannot tell from pressure."""
    if _IF_NOT.search(text) is not None:
        return False
    return _VOLUNTARY.search(text) is not None \
        or (not policy_threat and (_MANNER.search(text) is not None
                                   or _DEADLINE_DUTY.search(text) is not None))


# Something set on not taking part ("kalau tidak, ...", "yang belum mengisi ...", "or else"):
# whatever follows may be a sanction the signs do not name, so no duty is explained away.
_IF_NOT = re.compile(
    r"\b((kalau|kalo|klo|jika|bila|apabila|if|unless)\s+(\w+\s+)?(tidak|tdk|tak|gak|ga|"
    r"nggak|belum|blm|not|don'?t|do not|fail\w*)|(yang|yg|who|those who)\s+(\w+\s+)?(tidak|tdk|"
    r"tak|gak|ga|nggak|belum|blm|do not|don'?t|have not|haven'?t|fail\w*)|or else|otherwise|"
    r"kalau enggak|kalau nggak)\b", re.IGNORECASE)


# How one answers once taking part, right after the duty and the answering verb: honestly,
# every question, in one sitting.
_MANNER = re.compile(
    r"\b(wajib|harus|mesti|diwajibkan|must|have to|need to|are required to)\s+"
    r"(?=((di|men)?jawab\w*|answer\w*|(di|meng)?isi|fill\w*( in| out)?|(di)?selesaikan|"
    r"complete\w*)\s+((dengan|secara) jujur|jujur|apa adanya|sesuai pengalaman|"
    r"(semua|seluruh) pertanyaan|(dalam )?satu kali duduk|sekali duduk|honestly|truthfully|"
    r"all (the )?questions|every question|in one sitting)\b)", re.IGNORECASE)
# "Wajib diisi sebelum 31 Oktober", "harus mengisi paling lambat Jumat": the survey's deadline
# said with a duty word. Without a sanction (_IF_NOT) it is no threat; the duty is not KPK's
# wording either, so the message is never official for it (`duty_unclear`).
_DEADLINE_DUTY = re.compile(
    r"\b(wajib|harus|mesti|diwajibkan)\s+(?=((di|men|meng)?(isi|jawab|selesaikan|lengkapi)\w*\s+)"
    r"((\w+\s+){0,2})(sebelum|paling lambat|selambat-lambatnya|maksimal|maks\.?|batas\w*|"
    r"hingga|sampai|sblm|by|before)\s+((tanggal|tgl\.?|hari|akhir|the)\s+)?"
    r"(\d{1,2}(\s*|/|-)(\d{1,2}\b|jan|feb|mar|apr|mei|may|jun|jul|agu|agt|aug|sep|okt|oct|nov|"
    r"des|dec)|senin|selasa|rabu|kamis|jum.?at|sabtu|minggu|bulan|oktober|november|desember|"
    r"september|october|december|deadline|batas waktu|tenggat))", re.IGNORECASE)
# "wajib bgt kah?", "harus ya?": the reader asking whether there is a duty claims none.
_DUTY_ASKED = re.compile(r"\b(wajib|harus|mesti)\b(?=[^.!?\n]{0,15}\?)", re.IGNORECASE)
# "Pak, apakah kuesioner SPI harus diisi di kantor atau boleh di rumah?", "Is it mandatory to
# answer every question?": a question opened as one asks whether there is a duty, wherever the
# duty word stands in it; the duty word is left out (scam signs and policy alike).
_DUTY_QUESTION = re.compile(
    r"(?:^|(?<=[.!?\n'\"“”]))((\s|,|\b(pak|bu|mas|mbak|kak|min|bang|maaf|mau tanya|permisi|"
    r"bot)\b)*(apakah|apa benar|apa iya|apa memang|benarkah|betulkah|emang|memangnya|is it|"
    r"is the|is this|do i|do we|must i)\b[^.!?\n]{0,80}?)\b(wajib|harus|mesti|diwajibkan|must|"
    r"mandatory|required|compulsory)\b(?=[^.!?\n]{0,100}\?)", re.IGNORECASE)
# Taking part said to be voluntary, in the message's own words.
_VOLUNTARY = re.compile(
    r"\b(sukarela|(tidak|tdk|tak|bukan) (wajib|diwajibkan|kewajiban|paksaan|dipaksa)|"
    r"tanpa paksaan|boleh (tidak|tdk|menolak)|berhak (menolak|untuk menolak|tidak)|"
    r"voluntary|voluntarily|(not|never) (mandatory|compulsory|obligatory|required)|optional|"
    r"free to (decline|refuse|not))\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_POLICY_WORDS = 3  # "cek kpk.go.id" asks nothing: no words, no policy to read


def _policy_acts(text: str) -> tuple[str, ...]:
    """The integrity policy's acts in `text`; a bare link or number asks none. Imported on
    first use so that checking a bare link does not pay for the policy's vocabulary."""
    if len(_WORD.findall(text)) < _MIN_POLICY_WORDS:
        return ()
    from outreach.integrity import forbidden_acts  # noqa: PLC0415

    return forbidden_acts(text)


def _merged(first: list[str], more: list[str]) -> list[str]:
    return first + [x for i, x in enumerate(more) if x not in first and x not in more[:i]]


# What the integrity policy reads in place of each item: KPK's survey site, someone else's
# mailbox, an online form, another page, or "this number" (a sender or contact that is not
# KPK's). A page that is neither KPK's nor a form is for the link verdict to judge.
_POLICY_OFFICIAL = " spi.kpk.go.id "
_POLICY_MAILBOX = " alamat@surel.lain "
_POLICY_FORM = " formulir "
_POLICY_PAGE = " halaman "
_POLICY_PHONE = " nomor ini "


# "Kolom bertanda * wajib diisi", "semua pertanyaan harus dijawab": the questionnaire's own rule
# for its fields, which the policy would read as a duty to take part (a threat). The duty word
# is left out for the policy; nothing joined to the field word by "dan" is excused.
_FIELD_RULE = re.compile(
    r"\b(kolom|pertanyaan|isian|butir|fields?|questions?)\b"
    r"((?:(?!\b(?:dan|serta|atau|juga|and|or)\b)[^.,;!?\n]){0,30}?)\s*"
    r"\b(wajib|harus|mesti|must|have to|are required to)\b"
    r"(?=\s+(di)?(isi|diisi|jawab|dijawab|be answered|be filled)\b)", re.IGNORECASE)


# "Mandatory fields are marked with *", "all questions marked * are required": a field's rule,
# written with the duty as an adjective (the duty word is left out for the policy).
_FIELD_ADJ = re.compile(
    r"\b(mandatory|required|wajib)\s+(?=(fields?|questions?|items?|kolom|isian|pertanyaan)\b)",
    re.IGNORECASE)
_FIELD_ADJ_AFTER = re.compile(
    r"\b((fields|questions|items)\b(?:(?!\b(and|or|dan|atau)\b)[^.;!?\n]){0,40}?)\s+(are|is)\s+"
    r"(mandatory|required)\b|\b((fields|questions|items)\b(?:(?!\b(and|or)\b)[^.;!?\n]){0,40}?)"
    r"\s+(must|have to|need to)\s+be\s+(completed|filled( in| out)?|answered)\b", re.IGNORECASE)
# "Jangan sampai terlewat, survei ditutup 31 Oktober", "Awas penipuan!": a reminder of the
# reader's own deadline and a scam warning, which the policy would read as an office's pressure.
# Only the idiom is left out: a sanction or a watcher named beside it still counts.
_REMINDER = re.compile(
    # (up to three words between: "jangan sampai kesempatan ini terlewat")
    r"\b((jangan|jgn) sampai|don'?t|do not)\s+((?:[^\W\d_]+\s+){0,3}?)"
    r"(terlambat|telat|ketinggalan|tertinggal|terlewat|terlewatkan|kelewatan|lupa|"
    r"miss( it| out)?|be late)\b"
    r"|\b(sebelum|before)\s+(terlambat|telat|ketinggalan|it'?s too late|too late)\b"
    r"|\bawas(?=\W+(penipuan|penipu|hoaks|hoax|modus|pesan palsu|scam)\b)", re.IGNORECASE)
# "Pengisian yang terlambat tidak dapat diproses": the survey's rule for late answers.
_LATE = re.compile(r"\b((pengisian|jawaban|kuesioner|isian)\s+(yang|yg))\s+(terlambat|telat)\b",
                   re.IGNORECASE)
# "Kuesioner yang tidak diselesaikan sebelum batas waktu akan dihapus", "tautan Anda akan
# kedaluwarsa": what is lost is the survey's own questionnaire, answers or link, not anything
# of the reader's; the policy would read it as a consequence for not taking part. Only the
# loss is left out, only when the survey's thing opens the clause (it is what is lost) and
# nothing of the reader's (an allowance, a number, an account, a service) stands between.
_OWN_LOSS = re.compile(
    r"(?:^|(?<=[.!?\n;:,(]))(\s*((setiap|semua|seluruh|the|your|each|any)\s+)?"
    r"(kuesioner|questionnaire|jawaban|isian|answers?|tautan|link|url|undangan|invitation|"
    r"akses (survei|survey|kuesioner))(\s+(anda|kamu|bapak/ibu|your))?"
    r"(?:(?!\b(dan|serta|atau|tunjangan|gaji|tpp|tukin|bantuan|bansos|nomor|akun|rekening|"
    r"kartu|layanan|nama|status|izin|pegawai|asn|karyawan|anda|kamu|you|your|and|or)\b)"
    r"[^.!?\n;,]){0,60}?)\b(akan\s+|will\s+(be\s+)?)?(dihapus|ditutup|kedaluwarsa|kadaluarsa|"
    r"kadaluwarsa|hangus|dinonaktifkan|tidak (dapat|bisa|akan) (diproses|dihitung|diterima|"
    r"dibuka|diakses)|deleted|closed|expire[sd]?|deactivated)\b", re.IGNORECASE)
# "Survei ini harus diisi oleh responden yang terpilih saja", "wajib diisi sendiri": a rule of
# who fills it in (the false-duty sign's own excuse, scam_signs.toml), not a duty to take part.
_BY_WHOM = re.compile(
    r"\b(wajib|harus|mesti|diwajibkan)\s+"
    r"(?=(di|meng|men|me)?(isi|jawab|lakukan|kerjakan|selesaikan)\s+(\w+\s+)?"
    r"(sendiri|secara mandiri|oleh (responden|yang bersangkutan|penerima)|tanpa diwakil|"
    r"tidak (boleh|dapat) diwakil))"
    r"|\b(must|have to)\s+(?=(fill|complete|answer|take)\w*\s+"
    r"((it|the survey|the questionnaire)\s+)?(yourself|by yourself|in person|personally|"
    r"themselves))"
    # a duty to know or read something ("wajib Anda ketahui: jawaban Anda rahasia"), with no
    # other act joined to it ("wajib dibaca dan diisi" still counts)
    r"|\b(wajib|harus)\s+(?=((anda|kamu|bapak/ibu)\s+)?(di)?(ketahui|perhatikan|baca)\b"
    r"(?!\s+(dan|serta|atau|and|or|&)\b))"


    # who may answer ("responden wajib berusia minimal 18 tahun", "you must be at least 18")
    r"|\b(wajib|harus|must)\s+(?=(be\s+(at least|aged|over|a|an)|berusia|berumur|berstatus|"
    r"merupakan|have (used|worked|been (a|an|working|using)))\b)"
    # a duty to protect ("identitas responden wajib dirahasiakan", "KPK wajib menjaga ...")
    r"|\b(wajib|harus|mesti|diwajibkan|must)\s+(?=((kami|kita|we)\s+)?(dirahasiakan|merahasiakan|"
    r"rahasiakan|jaga|lindungi|dijaga|menjaga|"
    r"dilindungi|melindungi|dijamin|menjamin|keep|protect|be kept|be protected)\b)",
    re.IGNORECASE)


# "Yth. Responden SPI,", "Kepada responden:", "Dear respondent,": the reader addressed by the
# role the survey gave them, which the policy would read as a statement about who was selected
# (a report of receipt). Only a salutation (the role, then a comma or colon, opening a clause)
# is read as plain "Bapak/Ibu"; "responden yang sudah mengisi ..." is no salutation.
_SALUTATION = re.compile(
    r"(?:^|(?<=[.!?\n'\"(]))(\s*)((kepada|to)\s+)?((yth|yang terhormat)\.?\s+)?"
    r"((bapak/ibu|bapak|ibu|bpk/ibu|saudara|sdr\.?|dear)\s+)?(para\s+)?"
    r"(responden|respondents?|calon responden)((\s+|-)(spi|survei|survey|kpk|terpilih|"
    r"(19|20)\d\d))*\s*[,:]", re.IGNORECASE)
# "Notifikasi SPI 2026: ...", "Reminder:": the message's own label, which the policy would read
# as a notice sent to someone (a report). Only the label word at the start of a line goes.
# "Info dari grup RT: …" names where the text came from: a label too (the signs would read
# "info" as an ask to inform someone); "info ke saya siapa yang …" is no label.
_LABEL = re.compile(
    r"(?:^|(?<=\n))(\s*)((notifikasi|pemberitahuan|notification|notice)\b(?=[^:\n]{0,25}:)"
    r"|(info|informasi)\b(?=(\s+(dari|from)\b[^:\n]{0,25})?:))",
    re.IGNORECASE | re.MULTILINE)
# "thn 2024", "th. 2025", "thn lalu": the year, which the policy's spelling table would read as
# "tahan" (withheld: a sanction).
_YEAR_ABBR = re.compile(r"\b(thn|th)\.?(?=\s*((19|20)\d\d|ini|lalu|depan|kemarin)\b)",
                        re.IGNORECASE)
# "Anda terpilih karena tercatat sebagai pengguna layanan", "terpilih secara acak dari data yang
# disampaikan instansi kepada KPK": how the reader came to be chosen (the sampling frame), which
# the policy reads as someone keeping a record of them. Only the explanation goes, and only
# when it says nothing of filling in, reports, watching or sanctions.
_CHOSEN_BECAUSE = re.compile(
    r"\b((terpilih|dipilih|selected|chosen)((\s+|-)(secara acak|acak|at random|randomly|"
    r"sebagai responden|as a respondent))*)\s+(karena|sebab|dari|berdasarkan|because|from|"
    r"based on)\b(?:(?!\b(belum|sudah|tidak|isi|mengisi|diisi|lapor\w*|pantau\w*|atasan|pimpinan|"
    r"sanksi|have|has|not|filled|report\w*|monitor\w*)\b)[^.!?\n;:]){1,90}", re.IGNORECASE)
# "The SPI team: please complete your survey before it closes": the survey's own field team,
# which the policy would read as an office's team with a questionnaire of its own (and "before"
# as something to do first). Said as the survey's name.
_SURVEY_TEAM = re.compile(
    r"\b(the\s+)?(spi|kpk|survey|survei)(\s+(survey|field|research))*\s+team\b", re.IGNORECASE)
# "Sisa waktu pengisian tinggal seminggu": the time left to fill it in, which the policy would
# read as the people left to fill it in (someone counting them).
_TIME_LEFT = re.compile(r"\b(sisa waktu|waktu (yang |yg )?tersisa)\b", re.IGNORECASE)
# An interviewer's visit ("Saya akan datang ke kantor tempat Bapak/Ibu pernah berurusan untuk
# wawancara singkat", "We would like to arrange a face-to-face interview"): the survey's
# in-person mode (2025), which the policy would read as an office coming to the reader (a
# threat) or "interview" as "you were interviewed" (a report of receipt). Only the visit's
# own words go, up to its purpose; what else the message says is read as before.
_INTERVIEW_VISIT = re.compile(
    r"\b(datang|mendatangi|berkunjung|mengunjungi|bertamu|menemui|visit\w*|come|call on)\b"
    r"(?:(?!\b(belum|tidak|kalau|jika|yang|who|if|not|unless)\b)[^.!?\n;]){0,90}?"
    r"\b(untuk|guna|for|to conduct|to hold)\s+((an?|sebuah)\s+)?(wawancara|interview)\w*\b"
    r"|\b(schedule|arrange|conduct|hold|book|set up)\s+(an?\s+)?((short|brief|quick|"
    r"face-to-face|in-person)\s+)*interview\b"
    # the interviewer's credential ("petugas bersurat tugas", "membawa surat tugas"), which the
    # policy reads as a letter summoning the reader
    r"|\b(ber|dengan\s+|membawa\s+|bawa\s+|dilengkapi\s+)surat\s+tugas\b", re.IGNORECASE)
# "Ini ss-nya, linknya ga keliatan": the screenshot the reader is showing (the scam signs excuse
# it the same way), which the policy would read as proof asked for.
_SHOWN_SCREENSHOT = re.compile(
    r"\b(ini|itu|berikut ini|this is|here is|here's)\s+(ss|screenshot|screen shot|"
    r"tangkapan layar|foto layar)(\s*-?nya)?\b", re.IGNORECASE)
# "Jawaban Anda kami jaga kerahasiaannya", "kami jamin kerahasiaannya": the confidentiality
# promise, said in the passive to the policy ("dijaga"), which would otherwise read "kami" as
# someone handling the answers. Any other verb beside it ("dan kami teruskan") still counts.
_KEPT_BY_US = re.compile(r"\b(kami|kita)\s+(jaga|rahasiakan|jamin|lindungi)\b", re.IGNORECASE)
# "Untuk verifikasi bahwa Anda responden terpilih, kuesioner hanya dapat dibuka dari tautan
# pribadi Anda": the survey checking the reader's eligibility, not someone checking on them.
_ELIGIBLE = re.compile(
    r"\b(untuk\s+)?(verifikasi|memverifikasi|memastikan|pastikan|to verify|verify|to confirm)\s+"
    r"(bahwa|that)\s+(?=(anda|you|bapak/ibu)\s+(adalah\s+|are\s+|benar\s+|memang\s+)?"
    r"(responden|respondent|pegawai|karyawan|staf|pengguna|an? (employee|user|respondent))\b)",
    re.IGNORECASE)


# How a link or message reached the reader, told by the reader: "Ada yang kirim link … di grup
# RT", "Teman saya share link …", "Ada link … dikirim ke WA saya". Someone else's past act,
# which the signs and the policy would read as an ask to send or forward it (or as a report to
# "my" WhatsApp). The sender and the way it came go; what was sent stays to be read. Forms of
# address ("Bapak", "Ibu", "teman-teman") are no narrator: "Ibu kirim bukti ke saya" is an ask.
_ARRIVAL_BY = re.compile(
    r"\b(ada\s+(yang|yg|org|orang|seseorang)|seseorang|orang|(teman|temen|kawan|rekan|sahabat|"
    r"tetangga|kenalan)(\s+(saya|sy|aku|gue|gw|kerja|kantor|sekantor|satu kantor))?|someone|"
    r"somebody|a (friend|colleague|neighbou?r|coworker)|my (friend|colleague|neighbou?r|"
    r"coworker))\s+((tadi|barusan|baru|just|sudah|udah|telah)\s+)?(kirim|ngirim|mengirim|"
    r"mengirimkan|kirimin|share|nge-?share|bagikan|membagikan|bagiin|sebar|menyebarkan|nyebar|"
    r"forward|ngeforward|terusin|meneruskan|posting|post|sent|shared|forwarded|posted)\s+"
    # what was sent is a link or a message (proof or answers sent are asked for, not told)
    r"(?P<what>(ini\s+|itu\s+|a\s+|the\s+|me\s+a\s+)?(link|tautan|url|pesan|sms|undangan|"
    r"survei|survey|info|informasi|berita|e-?mail|artikel|situs|website|web|message|invitation)"
    r"\w*(?:[^.!?\n]|\.(?=\S)){0,120}?)(\s+(ke|di|dalam|lewat|via|to|in|on)\s+(saya|sy|aku|"
    r"gue|gw|me|((wa|whatsapp|hp|email|e-mail|inbox|grup|group|wag|chat)(\s+(saya|sy|aku|gue|"
    r"gw|my|\w+))?)))?"
    # told, not asked: the clause ends without a question mark
    r"(?=\s*([,!;'\")“”]|[.:](?=\s|$)|$))", re.IGNORECASE)
_ARRIVED = re.compile(
    r"(?:^|(?<=[.!?\n'\"“]))(\s*ada\b(?:[^.!?\n]|\.(?=\S)){0,120}?)\s+(dikirim\w*|dibagikan|disebar\w*|"
    r"dishare|di-share|diteruskan|masuk)\s+(ke|di|dalam|lewat|via)\s+(saya|sy|aku|gue|gw|"
    r"((wa|whatsapp|hp|email|e-mail|inbox|grup|group|wag|chat)(\s+(saya|sy|aku|gue|gw|\w+))?))"
    r"(?=[\s.,!?;:'\")]|$)", re.IGNORECASE)


def _without_arrival(text: str) -> str:
    text = _ARRIVAL_BY.sub(lambda m: " ada " + m["what"] + " ", text)
    return _without_reader(_ARRIVED.sub(r"\1 ", text))


# The reader's own words around what they show the bot, which the policy and the employer-ask
# signs would read as asks to the reader's colleagues: the lead-in before the pasted message
# ("Mohon dicek pesan yang saya terima:", "Saya mau cek pesan ini sebelum saya isi:", "Pesan
# dari grup PKK, saya teruskan:"), the reader telling what they got or asking about themselves
# ("Saya belum dapat link survei", "kalau saya sudah pensiun masih bisa jadi responden?"),
# the closing question to the bot ("Benar kan?", "Bisa dipercaya?", "Should I trust it?") and
# the question how to do something ("Gimana caranya dapat?"). An ask made of the reader
# ("kirim ke saya", "Boleh saya minta bukti?") or a question whether people got or filled it
# ("Sudah dapat?") is no reader's word and stays.
_ASKS = (r"minta|meminta|mohon|tolong|harap|please|kindly|kirim\w*|lapor\w*|teruskan|"
         r"forward|screenshot|ss|bukti|foto|rekap|absen|data|send|report|submit")
# who else took part is no reader's own case: "Saya ingin tahu siapa yang sudah menerima"
# nor anything of the answers ("Saya mau jawaban unit kita seragam", "Kapan jawaban bisa saya
# periksa?"), a turn to an ask ("Saya takut nilai kita jelek, jadi jawab yang baik-baik") or a
# sanction ("Perlu saya ingatkan, yang tidak mengisi akan dicatat?")
_OTHERS = (_ASKS + r"|siapa|who|(yang|yg) (sudah|udah|belum|blm)|kalian|semua|seluruh|"
           r"staf|pegawai|everyone|all of you|anyone|jawab\w*|isian|answers?|seragam\w*|arahan|"
           r"masing-masing|tiap|setiap|(yang|yg) (tidak|tdk|gak|nggak)|dicatat|dipanggil|sanksi|"
           r"ditegur")
_READER_LEAD = re.compile(
    r"^(?=[^:\n]{0,120}:)(?:(?!\b(ke|kepada|to|semua|seluruh|rekan\S*|teman-teman|kalian|"
    r"all|everyone)\b)[^:\n])*\b(cek|check|dicek|periksa|diperiksa|asli|aman|benar|bener|"
    r"beneran|legit|real|mohon info|minta info|tanya|nanya|memastikan|pastikan|make sure|verify|"
    r"dapat|dapet|dpt|terima|nerima|"
    r"menerima|got|received|teruskan|angsal|nampi|kenging|entuk)\b"
    r"(?:(?!\b(ke|kepada|to)\b)[^:\n])*\b(pesan|pesen|sms|wa|whatsapp|e-?mail|surel|message|"
    r"text|ini|begini|berikut|gini)\b[^:\n]{0,40}:"
    # a bare request to check, or a forwarded message's label ("Tolong cek ya:", "Fwd:")
    r"|^\s*((tolong|mohon|minta|pls|please|bot|min|kak|bang)\s+)*(di)?(cek|check|periksa)\w*"
    r"((\s+|-)(dong|ya|yah|dulu|in|kan|this|please|pls|bot|min|kak))*\s*[:\-]"
    r"|^\s*(forwarded( message)?|fwd?|pesan (yang |yg )?diteruskan|diteruskan|terusan)\s*:"
    # how or when it came, told: "Barusan di grup kantor ada yang share:", "Ini pesan yang
    # diteruskan atasan saya ke grup:", "Tadi di apel pagi, kepala dinas mengingatkan:" (an
    # ask to pass it on comes with a modal: "tolong diteruskan ke grup:")
    r"|^(?=[^:\n]{0,120}:)(?!(?:[^:\n])*\b(jawaban|answers?|bukti|proof|screenshot|ss|foto|"
    r"tangkapan|kalian|dulu|kirimkan|laporkan|lapor|rekap|data|saya (minta|mohon))\b)"
    r"(?:(?!\b(tolong|mohon|harap|silakan|please|kindly|agar|supaya|wajib|"
    r"harus|jangan|segera)\b)[^:\n])*?(\b(ada (yang|yg)|seseorang|someone|teman\w*|temen\w*|"
    r"kawan|rekan|atasan|bos|boss|kepala|pimpinan|admin|my \w+)\b[^:\n]{0,30}?\s(share|"
    r"nge-?share|kirim|ngirim|mengirim|meneruskan|forward|posting|sebar|bagikan|membagikan|"
    r"mengingatkan|ngingetin|sent|shared|forwarded|posted)\b|\b(yang|yg|sudah|udah|tadi|baru)\s+"
    r"(diteruskan|dishare|di-share|"
    r"dibagikan|dikirim|disebar|diforward)\b|^\s*(tadi|kemarin|barusan|earlier|yesterday)\b)"
    r"(?:(?!\b(tolong|mohon|harap|silakan|please|kindly|agar|supaya|wajib|harus|jangan|"
    r"segera)\b)[^:\n]){0,80}:",
    re.IGNORECASE)
_FIRST_PERSON = r"(saya|sy|aku|gue|gw|i|kulo|abdi|aing)"
_READER_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?\n'\"“”]))([^.!?\n'\"“”]|\.(?=\S))*?(?:"
    # the reader telling what they got or feel, as the sentence's subject
    r"(?:^|(?<=[\s,]))" + _FIRST_PERSON + r"\s+((baru|belum|blm|sudah|udah|juga|cuma|hanya|"
    r"tadi|masih)\s+)?(dapat|dapet|dpt|terima|menerima|nerima|ragu|takut|"
    r"bingung|penasaran|got|received|angsal|nampi|kenging|entuk)\b"
    r"(?:(?!\b(" + _OTHERS + r")\b)([^.!?\n'\"“”]|\.(?=\S)))*([.!](?=\s|$)|\n|$)"
    # a question about the reader's own case, or how to do something
    r"|(?:(?<!\bke )(?<!\bkepada )(?<!\bto )\b" + _FIRST_PERSON + r"\b|\b(gimana|bagaimana)\s+"
    r"(caranya|cara)\b|\bhow (do|can|should) i\b)"
    r"(?:(?!\b(" + _OTHERS + r")\b)([^.!?\n'\"“”]|\.(?=\S)))*\?"
    # whether the reader must do something ("Harus saya laporkan ke kantor?", "Apa perlu lapor
    # ke atasan?", "Do I need to send proof?"): the reader's question, whatever it names
    r"|\b(" + _FIRST_PERSON + r"\s+(harus|perlu|wajib|mesti|need to|have to|must|should)|"
    r"(harus|perlu|wajib|mesti|do|must|should)\s+" + _FIRST_PERSON + r"|(apa|apakah)\s+"
    r"(memang\s+|juga\s+)?((?:(?!\b(semua|seluruh|kalian|all|everyone)\b)[^.!?\n'\"“”]){0,40}?"
    r"\s)?(perlu|harus|wajib|mesti)|"
    r"(?<!\bke )(?<!\bkepada )(?<!\bto )\b" + _FIRST_PERSON + r"\b(?:(?!\b(siapa|who|kalian|"
    r"semua|seluruh)\b)[^.!?\n'\"“”]){0,60}?\b(perlu|harus|wajib|mesti|need|have to|must|"
    r"should))\b"
    r"(?:(?!\b(siapa|who|(yang|yg) (sudah|udah|belum|blm|tidak|tdk|gak|nggak)|kalian|semua|"
    r"seluruh|dicatat|dipanggil|sanksi|ditegur|jawaban\w*|answers?)\b)"
    r"([^.!?\n'\"“”]|\.(?=\S)))*\?"
    # the reader's question for information ("Kapan survei ini ditutup?", "How long does it
    # take?"); a count of people ("berapa orang yang sudah") asks who took part and stays
    r"|(?:^|(?<=[.!?\n'\"“”]))(?:(?!\b(" + _OTHERS + r")\b)[^.!?\n'\"“”]){0,20}?"
    r"\b(berapa (lama|menit|jam|hari|minggu)|kapan|"
    r"di ?mana|ke ?mana|kenapa|mengapa|apa itu|apa bedanya|how long|when|where|why|what is)\b"
    r"(?:(?!\b(" + _OTHERS + r"|orang|people)\b)([^.!?\n'\"“”]|\.(?=\S)))*\?"
    # a question between two ways ("apakah wajib diikuti semua ASN atau hanya yang terpilih?",
    # "harus dijawab atau boleh dilewati?"); whether people did it ("sudah atau belum?") stays
    r"|(?:^|(?<=[.!?\n'\"“”]))[\s,]*((pak|bu|mas|mbak|kak|min|bang|maaf|mau tanya|permisi|bot)"
    r"\b[\s,]*)*(apa|apakah|is it|is the|do|does|are|can)\b"
    r"(?:(?!\b(" + _ASKS + r"|siapa|who|sudah|udah|belum|blm|kalian|done|yet)\b)"
    r"([^.!?\n'\"“”]|\.(?=\S)))*\b(atau|or)\b"
    r"(?:(?!\b(" + _ASKS + r"|siapa|who|sudah|udah|belum|blm|kalian|done|yet)\b)"
    r"([^.!?\n'\"“”]|\.(?=\S)))*\?"
    # a short question whether it is genuine
    r"|(?:(?!\b(" + _ASKS + r"|sudah|udah|belum|blm|siapa|who)\b)[^.!?\n'\"“”]){0,40}"
    r"\b(asli|benar|bener|beneran|betul|resmi|aman|legit|real|valid|dipercaya|percaya|trust|"
    r"safe|sah|hoax|hoaks|palsu|fake|penipuan|scam)\b[^.!?\n'\"“”]{0,25}\?)", re.IGNORECASE)
# "Terima kasih atas partisipasi Bapak/Ibu dalam rapat kemarin", "Thanks for your time": a
# thanks, which tells what was done and asks nothing. One naming proof or a report ("terima
# kasih atas kiriman bukti") is not excused.
_THANKS = re.compile(
    r"\b(terima ?kasih|makasih|trims|thank you|thanks)\s+(atas|untuk|for)\s+"
    r"(partisipasi|kesediaan|kehadiran|waktu|perhatian|kerja ?sama|bantuan|kejujuran|dukungan|"
    r"keikutsertaan|participation|willingness|time|cooperation|attention|honesty|support)"
    r"(?:(?!\b(" + _ASKS + r"|tangkapan|laporan\w*|kiriman|jawaban|answers?)\b)"
    r"[^.!?\n;,:'\"“”]){0,80}(?=[.!?\n;,:'\"“”]|$)", re.IGNORECASE)
# "Hasil survei akan diumumkan di jaga.id": the survey's published results, not the reader's
# answers passed on.
_RESULTS_PUBLISHED = re.compile(
    r"\bhasil\s+(survei|survey|spi|penilaian)(?=(?:(?!\b(kalian|anda|kamu|masing\S*|tiap|setiap|"
    r"pegawai|staf|unit|bidang|rapat|pimpinan|atasan|grup|group)\b)[^.!?\n]){0,40}"
    r"\b(diumumkan|dipublikasikan|"
    r"diterbitkan|dirilis|dapat dilihat|bisa dilihat|published|announced|released)\b"
    r"(?![^.!?\n]{0,40}\b(rapat|pimpinan|atasan|grup|group|apel|kantor|meeting)\b))",
    re.IGNORECASE)


# Words the policy and the employer-ask signs misread, put plainly: the form's submit button
# ("klik tombol Kirim") is no answers sent; a field "bertanda bintang" is no star rating; an
# "SPT" is a tax return (read as "SPI"); a page "tentang nilai SPI daerah" tells of the
# published index, not a score to reach; "bilang aku responden" is what the message said of
# the reader; "berkenan dihubungi" asks consent to an interview, not a report.
_PLAIN = (
    (re.compile(r"\b(tombol|button)\s+[\"'“]?(kirim|submit|send|selesai|finish)\b",
                re.IGNORECASE), r"\1 akhir"),
    (re.compile(r"\b(send|submit|kirim)\s+(button|tombol)\b", re.IGNORECASE), r"final \2"),
    # the questionnaire's own submission ("agar formulir bisa dikirim"); one sent to someone
    # ("agar jawaban bisa dikirim ke atasan") is not it
    (re.compile(r"\b(agar|supaya|sehingga|so that)\s+(formulir|kuesioner|jawaban|isian|survei|"
                r"the form|the questionnaire|the survey|your answers)(\s+(anda|kamu|your))?\s+"
                r"(bisa|dapat|can)\s+(dikirim|terkirim|disimpan|tersimpan|be sent|be submitted|"
                r"be saved)(?=\s*([.,:;!]|$))", re.IGNORECASE), r"\1 kuesioner selesai"),
    (re.compile(r"\b(ber)?tanda\s+bintang\b", re.IGNORECASE), r"\1tanda (*)"),
    (re.compile(r"\bSPT\b", re.IGNORECASE), "pajak"),
    (re.compile(r"\b(tentang|soal|mengenai|berisi|isinya|about|on)\s+(nilai|skor|score|"
                r"peringkat|ranking)\s+(?=(spi|integritas|integrity)\b)", re.IGNORECASE),
     r"\1 indeks "),
    (re.compile(r"\b(bilang|bilangnya|katanya|kata|nyebut|menyebut|ngaku|says|said)\s+"
                r"((kalau|kalo|klo|bahwa|that)\s+)?(aku|saya|sy|gue|gw|i am|i'm|i was)\b",
                re.IGNORECASE), r"\1 Bapak/Ibu"),
    (re.compile(r"\b(berkenan|bersedia|mau|willing to be|agree to be)\s+(untuk\s+)?"
                r"(dihubungi|diwawancarai|ditelepon|ditelpon|dikunjungi|contacted|interviewed|"
                r"called)\b", re.IGNORECASE), r"\1 wawancara"),
)
# "Link … dibagikan di grup desa", "Pesan itu beredar di WA": how it reached the reader, told
# in the passive (an ask comes with a modal: "harap dibagikan", "agar diteruskan").
_ARRIVED_PASSIVE = re.compile(
    r"(?:^|(?<=[.!?\n'\"“]))(\s*(link|tautan|url|pesan|pesannya|sms|undangan|info|broadcast|"
    r"message)\b(?:(?!\b(harap|mohon|agar|supaya|wajib|harus|tolong|silakan|akan|untuk|"
    r"please|must|should|will)\b)[^.!?\n]|\.(?=\S)){0,100}?)\s+(dibagikan|dibagiin|"
    r"disebar\w*|dishare|di-share|diteruskan|dikirim\w*|beredar|masuk|was shared|was sent|"
    r"was forwarded|went round)\s+(ke|di|dalam|lewat|via|to|in|on)\s+((grup|group|wag|wa|"
    r"whatsapp|chat|hp|email|e-mail|inbox|facebook|fb|medsos)\b(\s+\w+)?)"
    r"(?=\s*([,.!;:'\")]|$))", re.IGNORECASE)


def _without_reader(text: str) -> str:
    text = _READER_LEAD.sub(" ", text)
    text = _THANKS.sub(r"\1", _RESULTS_PUBLISHED.sub("indeks", text))
    for pattern, plain in _PLAIN:
        text = pattern.sub(plain, text)
    text = _ARRIVED_PASSIVE.sub(r"\1 ", text)
    return _READER_SENTENCE.sub(" ", text)


def _signs(text: str) -> Signs:
    """The signs in `text`; an employer's ask read without the reader's account of how the
    link came ("Teman kirim link …" asks no one to send anything). Scam signs are read in
    the whole text: a code "dikirim ke HP saya" is still a code someone wants."""
    told = _without_arrival(text)
    signs = find_signs(text)
    if told == text:
        return signs
    asked = find_signs(told)
    return Signs(signs.scam, asked.manipulation, asked.other_asks)


def _for_policy(body: str, found: list[Found], items: list[ItemResult],
                registry: Registry) -> str:
    """The text as the integrity policy should read it: items replaced by what they are, so
    a phone number is not a count of people and a hyphenated host is not two words, and a
    field's rule is not a duty."""
    body = _FIELD_RULE.sub(lambda m: m[1] + m[2], body)
    body = _FIELD_ADJ_AFTER.sub(lambda m: m[1] or m[6], _FIELD_ADJ.sub("", body))
    body = _REMINDER.sub(" ", _BY_WHOM.sub("", _LATE.sub(r"\1", body)))
    body = _MANNER.sub("", _OWN_LOSS.sub(r"\1", body))
    if _IF_NOT.search(body) is None:
        body = _DUTY_QUESTION.sub(r"\1perlu", _DUTY_ASKED.sub("", _DEADLINE_DUTY.sub("", body)))
    body = _SALUTATION.sub(r"\1Bapak/Ibu,", _LABEL.sub(r"\1", body))
    body = _CHOSEN_BECAUSE.sub(r"\1", _ELIGIBLE.sub("", _YEAR_ABBR.sub("tahun", body)))
    body = _KEPT_BY_US.sub(r"di\2", body)
    body = _TIME_LEFT.sub("batas waktu", _SURVEY_TEAM.sub(" SPI ", body))
    body = _INTERVIEW_VISIT.sub(" wawancara ", body)
    body = _SHOWN_SCREENSHOT.sub(r"\1 gambarnya", body)
    body = _without_arrival(body)
    for item, result in zip(found, items, strict=True):
        if result.verdict == OFFICIAL:
            token = _POLICY_OFFICIAL
        elif item.kind == "email":
            token = _POLICY_MAILBOX
        elif item.kind == "url":
            form = registry.is_form(normalize_link(item.normalized).casefold())
            token = _POLICY_FORM if form else _POLICY_PAGE
        else:
            token = _POLICY_PHONE
        body = body.replace(item.value, token)
    return _SENDER_LABEL.sub(" ", body)


# "Pengirim: info@vendor.co.id", "Pengirimnya 0812…,": who sent the message, as the reader
# tells it; the policy would read the sender word beside a mailbox as something sent there.
# "SMS 0821…: …" (a colon after) labels the sender too; "dari 0812… bilang '…'" tells what it
# said ("bilang" is no ask to tell anyone there).
_SENDER_LABEL = re.compile(
    r"\b((pengirim(nya)?|sender|(e-?mail|surel|pesan|sms|wa) (dari|from))\s*:?\s*"
    r"(" + re.escape(_POLICY_MAILBOX.strip()) + r"|" + re.escape(_POLICY_PHONE.strip()) + r")"
    r"|(pesan|sms|wa)\s+" + re.escape(_POLICY_PHONE.strip()) + r"\s*:)"
    r"(\s+(bilang|bilangnya|katanya|nulis|menulis|says|said|wrote))?",
    re.IGNORECASE)


# Where a number stands as who sent the message: opening the text ("0811… kirim wa: …", as a
# reader pastes a chat) or after "dari", "pengirim", "from".
_SENDER_BEFORE = re.compile(r"(^[\W_]*|\b(dari|dr|from|oleh|by|pengirim|sender)[\W_]*)$",
                            re.IGNORECASE)


def _sender_position(body: str, value: str) -> bool:
    at = body.find(value)
    return at >= 0 and _SENDER_BEFORE.search(body[:at]) is not None


def _marker(found: Found, item: ItemResult, registry: Registry, sender: bool = False) -> str:
    if item.verdict == OFFICIAL:
        return _OFFICIAL_MARK
    if found.kind == "phone" and sender:
        # the signs read "nomor kirim …" as the number sending, not an ask to send to it
        return " nomor "
    if found.kind == "url" and registry.is_form(normalize_link(found.normalized).casefold()):
        return _FORM_MARK
    return " "


def worst(*verdicts: str) -> str:
    return max(verdicts, key=SEVERITY.__getitem__)


def content_verdict(result: CheckResult) -> str:
    """What the words ask, whatever the links are: a scam ask or threat, an employer-style
    ask that breaks SPI rules, an ask that cannot be explained, or nothing beyond the survey."""
    if result.signs:
        return SUSPICIOUS
    if result.manipulation:
        return MANIPULATION
    if result.other_asks:
        return UNKNOWN
    return OFFICIAL


def link_verdict(result: CheckResult, content: str) -> str:
    """What the links, numbers and addresses are: a fake, a KPK claim they do not back, all
    official today, or not confirmed. An employer's own form next to an employer's ask is
    part of that ask, not a fake: the reply then says to refuse the ask and report it, which
    a "do not click" verdict would not."""
    if any(result.fake(i) for i in result.items):
        return SUSPICIOUS
    if result.unverified_claim and content != MANIPULATION:
        return SUSPICIOUS
    if result.items and all(i.verdict == OFFICIAL for i in result.items):
        return OFFICIAL
    return UNKNOWN


def _verdict(result: CheckResult) -> str:
    content = content_verdict(result)
    return worst(link_verdict(result, content), content)
