"""Fills FAQ answers with the values that change from year to year: settings, registry, date."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from urllib.parse import urlsplit

from core.catalog import Catalog
from core.settings import Settings
from handlers.check.registry import Registry

ANSWER_SECTION = "faq_answer"
_USUAL_LAST_MONTH = 10  # fieldwork has ended on 31 October every year on record (2021-2025)


def _senders(catalog: Catalog, lang: str, registry: Registry) -> str:
    senders = registry.senders()
    if not senders:
        return catalog.text(lang, "faq.senders_none")
    # Only the newest year's numbers, named as that year's: numbers change every year.
    year, newest = next(groupby(senders, key=lambda e: e.year))
    entries = list(newest)
    source = entries[0].source
    # The site's name is enough on a phone screen; the full address stays in the registry.
    source = urlsplit(source).hostname or source
    return catalog.text(lang, "faq.senders_list", year=year, source=source,
                        numbers=", ".join(e.value for e in entries))


def _survey_status(catalog: Catalog, lang: str, settings: Settings, today: date | None) -> str:
    """This year's survey as of today: closed, open until, or not known (and likely over)."""
    end = settings.survey_end_date
    if end is not None and today is not None:
        key = "faq.survey_closed" if today > end else "faq.survey_open"
        return catalog.text(lang, key, end=end.isoformat(), year=end.year,
                            period=settings.survey_period or end.isoformat())
    if settings.survey_period:
        return catalog.text(lang, "faq.survey_period", period=settings.survey_period)
    if today is not None and today.month > _USUAL_LAST_MONTH:
        return catalog.text(lang, "faq.period_unknown_late", year=today.year)
    return catalog.text(lang, "faq.period_unknown")


def answer_values(catalog: Catalog, lang: str, settings: Settings,
                  registry: Registry, *, today: date | None = None) -> dict[str, str]:
    return {
        "senders": _senders(catalog, lang, registry),
        "survey_site": settings.survey_site,
        "survey_status": _survey_status(catalog, lang, settings, today),
        "registration_link": settings.registration_link
        or catalog.text(lang, "faq.registration_link_unknown"),
    }


def answer_text(catalog: Catalog, lang: str, intent: str, settings: Settings,
                registry: Registry, *, today: date | None = None) -> str:
    return catalog.text(lang, f"{ANSWER_SECTION}.{intent}",
                        **answer_values(catalog, lang, settings, registry, today=today))
