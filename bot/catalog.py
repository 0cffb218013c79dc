"""The reply texts with this deployment's settings filled in, without the engine: the CLI's
database-free commands (`spi-bot faq`, `check`, `broadcast check-text`) import this instead of
bot.app, whose import (engine, router, broadcast service) costs ~0.4 s of a cold start."""

from __future__ import annotations

from core.catalog import Catalog
from core.settings import Settings


def build_catalog(settings: Settings) -> Catalog:
    return Catalog.load({
        "inspectorate_name": settings.inspectorate_name,
        "inspectorate_phone": settings.inspectorate_phone,
        "inspectorate_email": settings.inspectorate_email,
        "retention_days": str(settings.retention_days_after_survey),
        "survey_site": settings.survey_site,  # never written into a text: it is a setting
    })
