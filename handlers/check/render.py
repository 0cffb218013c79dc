"""Turns a check result into the reply text: verdict, reasons, and what to do next."""

from __future__ import annotations

from core.catalog import Catalog
from handlers.check.checker import CheckResult, ItemResult


def item_reason(catalog: Catalog, lang: str, item: ItemResult) -> str:
    return catalog.text(lang, f"check_item.{item.reason}", value=item.value, **item.values)


def reasons(catalog: Catalog, lang: str, result: CheckResult) -> list[str]:
    """Every reason behind the verdict, most telling first."""
    out = [item_reason(catalog, lang, i) for i in result.items if i.verdict == "suspicious"]
    out += [catalog.text(lang, f"check_sign.{sign}") for sign in result.signs]
    if result.unverified_claim:
        out.append(catalog.text(lang, "check.claim_unverified"))
    out += [item_reason(catalog, lang, i) for i in result.items if i.verdict != "suspicious"]
    if not result.items and not result.signs:
        out.append(catalog.text(lang, "check.nothing_found"))
    return out


def render(catalog: Catalog, lang: str, result: CheckResult) -> str:
    lines = [catalog.text(lang, f"check.verdict_{result.verdict}"), "",
             catalog.text(lang, "check.reasons")]
    lines += [f"• {reason}" for reason in reasons(catalog, lang, result)]
    lines += ["", catalog.text(lang, f"check.next_{result.verdict}")]
    return "\n".join(lines)
