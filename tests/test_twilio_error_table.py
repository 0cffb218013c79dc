"""The one Twilio error-code table: every code it maps comes out of the real sender with its
kind and flags, outreach decides on those alone, and no Twilio number lives in outreach/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from twilio.rest import Client

from bot.channels.whatsapp.errors import TWILIO_CODES, send_error
from bot.channels.whatsapp.sender import WhatsAppSender
from core.messages import Channel
from core.sending import Outbound, SendError, SendErrorKind
from outreach.errors import Action, classify
from tests.fakes.twilio_api import FakeTwilioApi

PHONE = "+6281234567890"
OUTREACH = Path(__file__).resolve().parent.parent / "outreach"
# Twilio's messaging and WhatsApp codes: 2xxxx (REST API), 3xxxx (delivery), 63xxx (channels).
TWILIO_NUMBER = re.compile(r"(?<![\w.])(?:2\d|3\d|6\d)\d{3}(?![\w.])")


async def test_every_mapped_code_reaches_the_caller_with_its_kind_and_flags(
    twilio_api: FakeTwilioApi, twilio_client: Client
) -> None:
    sender = WhatsAppSender(twilio_client, "+14155238886")
    for code, meaning in TWILIO_CODES.items():
        twilio_api.fail(429 if meaning.kind is SendErrorKind.RETRY else 400, code=code)
        with pytest.raises(SendError) as caught:
            await sender.send(Outbound(Channel.WHATSAPP, PHONE, "Halo"))
        error = caught.value
        assert (error.kind, error.template_problem, error.opted_out, error.bad_address) == (
            meaning.kind, meaning.template_problem, meaning.opted_out, meaning.bad_address
        ), code
        assert error.code == str(code)


@pytest.mark.parametrize("code", [21655, 21656, 63021, 63027, 63028, 63032, 63036])
def test_template_problems_are_reported_to_staff_as_such(code: int) -> None:
    verdict = classify(send_error(code, 400, "refused"), Channel.WHATSAPP)
    assert (verdict.action, verdict.reason, verdict.unreachable) == (
        Action.FAIL, "template_problem", False)


@pytest.mark.parametrize(("code", "reason", "opt_out", "unreachable"), [
    (21610, "unsubscribed", True, True),
    (21211, "invalid_number", False, True),
    (63024, "invalid_number", False, True),
    (63016, "outside_window", False, False),
    (63018, "temporary", False, False),
    (21408, "rejected", False, False),
])
def test_outreach_reads_the_adapters_meaning(
    code: int, reason: str, opt_out: bool, unreachable: bool
) -> None:
    verdict = classify(send_error(code, 400, "refused"), Channel.WHATSAPP)
    assert (verdict.reason, verdict.opt_out, verdict.unreachable) == (
        reason, opt_out, unreachable)


def test_outreach_holds_no_twilio_error_numbers() -> None:
    found = [f"{path.name}:{number}" for path in sorted(OUTREACH.rglob("*.py"))
             for number in TWILIO_NUMBER.findall(path.read_text(encoding="utf-8"))]
    assert found == []
