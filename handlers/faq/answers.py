"""Fills FAQ answers with the values that change from year to year: settings, registry, date."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from urllib.parse import urlsplit

from core.catalog import Catalog
from core.settings import Settings
from handlers.check.registry import Registry

ANSWER_SECTION = "faq_answer"
DETAIL_SECTION = "faq_detail"
SOURCE_SECTION = "faq_source"
# Answers whose details are shown elsewhere already: what the bot keeps is the notice's details.
_DETAIL_KEYS = {"bot_privacy": "reg.notice_details"}
_USUAL_LAST_MONTH = 10  # fieldwork has ended on 31 October every year on record (2021-2025)


def _senders(catalog: Catalog, lang: str, registry: Registry) -> str:
    senders = registry.senders()
    if not senders:
        return catalog.text(lang, "faq.senders_none")
    # Only the newest year's numbers, named as that year's: numbers change every year.
    year, newest = next(groupby(senders, key=lambda e: e.year))
    entries = list(newest)
    return catalog.text(lang, "faq.senders_list", year=year,
                        source=source_name(catalog, lang, entries[0].source),
                        numbers=", ".join(e.value for e in entries))


def source_name(catalog: Catalog, lang: str, url: str) -> str:
    """A source as a reader knows it ("cek fakta Tempo"), not its address; a source the
    catalogue does not name yet is given by its site's name, never by the full address."""
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or url).removeprefix("www.")
    key = f"{SOURCE_SECTION}.{host}"
    return catalog.text(lang, key) if catalog.has(lang, key) else host


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


def detail_key(catalog: Catalog, lang: str, intent: str) -> str | None:
    """The catalogue key of an answer's details (shown on INFO), or None if the answer is whole."""
    key = _DETAIL_KEYS.get(intent, f"{DETAIL_SECTION}.{intent}")
    return key if catalog.has(lang, key) else None


def detail_text(catalog: Catalog, lang: str, intent: str, settings: Settings,
                registry: Registry, *, today: date | None = None) -> str | None:
    key = detail_key(catalog, lang, intent)
    if key is None:
        return None
    return catalog.text(lang, key, **answer_values(catalog, lang, settings, registry, today=today))
