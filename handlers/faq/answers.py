"""Fills FAQ answers with the values that change from year to year: settings and registry."""

from __future__ import annotations

from itertools import groupby

from core.catalog import Catalog
from core.settings import Settings
from handlers.check.registry import Registry

ANSWER_SECTION = "faq_answer"


def _senders(catalog: Catalog, lang: str, registry: Registry) -> str:
    senders = registry.senders()
    if not senders:
        return catalog.text(lang, "faq.senders_none")
    # Only the newest year's numbers: older ones may be reassigned.
    year, newest = next(groupby(senders, key=lambda e: e.year))
    entries = list(newest)
    return catalog.text(lang, "faq.senders_list", year=year, source=entries[0].source,
                        numbers=", ".join(e.value for e in entries))


def answer_values(catalog: Catalog, lang: str, settings: Settings,
                  registry: Registry) -> dict[str, str]:
    return {
        "senders": _senders(catalog, lang, registry),
        "survey_site": settings.survey_site,
        "survey_period": settings.survey_period or catalog.text(lang, "faq.period_unknown"),
        "registration_link": settings.registration_link
        or catalog.text(lang, "faq.registration_link_unknown"),
    }


def answer_text(catalog: Catalog, lang: str, intent: str, settings: Settings,
                registry: Registry) -> str:
    return catalog.text(lang, f"{ANSWER_SECTION}.{intent}",
                        **answer_values(catalog, lang, settings, registry))
