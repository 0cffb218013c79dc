"""Turns a check result into the reply text: verdict, reasons, and what to do next."""

from __future__ import annotations

from core.catalog import Catalog
from handlers.check.checker import MANIPULATION, SUSPICIOUS, UNKNOWN, CheckResult, ItemResult


def item_reason(catalog: Catalog, lang: str, item: ItemResult) -> str:
    return catalog.text(lang, f"check_item.{item.reason}", value=item.value, **item.values)

def reasons(catalog: Catalog, lang: str, result: CheckResult) -> list[str]:
    """Every reason behind the verdict, most telling first."""
    out = [item_reason(catalog, lang, i) for i in result.items if result.fake(i)]
    out += [catalog.text(lang, f"check_sign.{sign}") for sign in result.signs]
    out += [catalog.text(lang, f"check_manipulation.{sign}") for sign in result.manipulation]
    if result.verdict == UNKNOWN:
        out += [catalog.text(lang, f"check_ask.{ask}") for ask in result.other_asks]
    if result.unverified_claim:
        out.append(catalog.text(lang, "check.claim_unverified"))
    out += [item_reason(catalog, lang, i) for i in result.items if not result.fake(i)]
    if not out:
        out.append(catalog.text(lang, "check.nothing_found"))
    return out

def _headline(result: CheckResult) -> str:
    """The verdict line; when the link itself is KPK's, it says so rather than "don't click"."""
    if result.official_link and result.verdict in (SUSPICIOUS, UNKNOWN):
        return f"check.verdict_{result.verdict}_official_link"
    if result.verdict == MANIPULATION and not result.official_link \
            and any(i.kind == "url" for i in result.items):
        # An employer's own form: the only link is not KPK's, so it is no "maybe KPK's" link.
        return "check.verdict_manipulation_other_link"
    return f"check.verdict_{result.verdict}"

def render(catalog: Catalog, lang: str, result: CheckResult) -> str:
    lines = [catalog.text(lang, _headline(result)), "", catalog.text(lang, "check.reasons")]
    lines += [f"• {reason}" for reason in reasons(catalog, lang, result)]
    lines += ["", catalog.text(lang, f"check.next_{result.verdict}")]
    return "\n".join(lines)
