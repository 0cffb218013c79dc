"""The consent notice and the FAQ answers as a citizen reads them on a phone: short, complete."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import build_catalog
from core.catalog import LANGUAGES
from core.settings import load_settings
from handlers.check.registry import load_registry
from handlers.faq.answers import answer_text
from handlers.faq.matcher import INTENTS

SETTINGS = load_settings(_env_file=None)
CATALOG = build_catalog(SETTINGS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_consent_notice_is_short_and_names_everything_the_law_asks(lang: str) -> None:
    notice = CATALOG.text(lang, "reg.notice", unit="Disdukcapil")
    assert len(notice.splitlines()) <= 6
    for must in (SETTINGS.inspectorate_name, SETTINGS.inspectorate_phone,
                 SETTINGS.inspectorate_email, "27/2022", "WhatsApp", "e-mail", "Twilio",
                 "Telegram", "KPK", str(SETTINGS.retention_days_after_survey),
                 "DATA SAYA", "HAPUS DATA", "INFO"):
        assert must in notice, must
    assert ("persetujuan" if lang == "id" else "consent") in notice
    assert ("akun chat" if lang == "id" else "chat account") in notice
    assert ("terpisah" if lang == "id" else "separately") in notice  # reminders: own yes


@pytest.mark.parametrize("lang", LANGUAGES)
def test_notice_details_and_the_separate_reminder_question_exist(lang: str) -> None:
    details = CATALOG.text(lang, "reg.notice_details")
    for must in ("Pasal 20" if lang == "id" else "Article 20", "Twilio", "Telegram", "STOP",
                 "30", "198", SETTINGS.inspectorate_email):
        assert must in details, must
    for key in ("ask_reminders", "reminders_yes", "reminders_no", "reminders_on",
                "reminders_off"):
        assert CATALOG.text(lang, f"reg.{key}")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("intent", INTENTS)
def test_faq_answers_fit_a_phone_and_claim_nothing_the_facts_do_not(lang: str,
                                                                    intent: str) -> None:
    text = answer_text(CATALOG, lang, intent, SETTINGS, load_registry(),
                       today=date(2026, 11, 21))
    # ≤ 300 (tests/test_answer_texts.py); the sender numbers of official_channels are worth
    # their length.
    assert len(text) <= (400 if intent == "official_channels" else 300)
    assert "@kpk.go.id" not in text.replace("pengaduan@kpk.go.id", "")
    for claim in ("KPK tidak pernah meminta", "KPK never asks", "bukan penipuan", "not a scam"):
        assert claim not in text
