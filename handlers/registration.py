"""Registration of an external SPI respondent for one unit: consent, data, summary, save.

Integrity by design: nothing here asks whether the person received the KPK survey or what
they answered; the data is only what KPK's population list needs (the service is optional and
reminders are a separate yes). Who may change which record is decided in
`handlers/registration_save.py`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.emails import normalize_email
from core.messages import Channel
from core.names import check_name
from core.phones import to_mobile_e164
from handlers.months import months_between, parse_month
from handlers.registration_prompts import (
    PREFIX,
    SKIP_SERVICE,
    TYPES,
    ask_consent,
    ask_email,
    ask_name,
    ask_phone,
    ask_reminders,
    ask_service,
    ask_type,
    ask_unit,
    ask_when,
    begin,
    consent_choices,
    month_label,
    reminder_choices,
    show_summary,
    unit_of,
)
from handlers.registration_save import save_registration
from handlers.turn import Turn
from handlers.words import YES, normalize, yes_or_no
from storage.repositories.units import Unit

_UNIT_CODE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
_REGISTER_WORDS = frozenset({"daftar", "/daftar", "register", "registrasi", "/register"})
_SKIP_WORDS = frozenset({"lewati", "skip", "-", "tidak ada", "gak ada", "ga ada", "tidak punya",
                         "none", "no email", "kosong"})
ELIGIBLE_MONTHS = 12
# The fields asked after consent, in order; the summary lets each be changed.
FIELDS = ("name", "type", "service", "when", "phone", "email", "reminders")


class RegistrationEntry:
    """Starts registration from a start payload, `DAFTAR <UNIT>`, a typed unit code or the menu."""

    async def try_handle(self, turn: Turn) -> bool:
        code: str | None = turn.msg.start_payload
        if code is None:
            if turn.choice == "menu:register":
                await ask_unit(turn)
                return True
            words = normalize(turn.text).split()
            if words and words[0] in _REGISTER_WORDS:
                if len(words) == 1:
                    await ask_unit(turn)
                    return True
                code = "".join(words[1:])
            elif len(words) == 1 and _UNIT_CODE.match(turn.text):
                if await turn.deps.units.get_by_code(turn.conn, turn.text) is None:
                    return False
                code = turn.text
            else:
                return False
        unit = await _known_unit(turn, code)
        if unit is None:
            await ask_unit(turn, unknown_code=code)
        else:
            await begin(turn, unit)
        return True


async def _known_unit(turn: Turn, code: str) -> Unit | None:
    """The unit a scanned or typed code names, in whichever institution; None for a code no
    unit has, or text that cannot be a code (looked up as nothing, never as a pattern)."""
    if not _UNIT_CODE.match(code):
        return None
    return await turn.deps.units.get_by_code(turn.conn, code)


async def ask(turn: Turn, field: str) -> None:
    turn.goto(f"{PREFIX}:{field}")
    await STEPS[field].ask(turn)


async def _ask_next(turn: Turn, answered: str) -> None:
    """The next field, or straight back to the summary when the person was changing one."""
    if turn.session.data.get("editing") or answered == FIELDS[-1]:
        await ask(turn, "summary")
    else:
        await ask(turn, FIELDS[FIELDS.index(answered) + 1])


async def _reprompt(turn: Turn, field: str) -> None:
    turn.say("common.choose_again")
    await ask(turn, field)


# --- answers --------------------------------------------------------------------------------

async def _on_unit(turn: Turn) -> None:
    code = turn.choice.removeprefix("unit:") if turn.choice else turn.text
    unit = await _known_unit(turn, code) if code else None
    if unit is None:
        await ask_unit(turn, unknown_code=code)
    else:
        await begin(turn, unit)


async def _on_consent(turn: Turn) -> None:
    answer = yes_or_no(turn.choice, turn.text, "consent:yes", "consent:no")
    if answer is True:
        turn.session.data["consent_at"] = turn.now.isoformat()
        await ask(turn, FIELDS[0])
    elif answer is False:
        turn.end()
        turn.say("reg.consent_refused")
    elif turn.choice == "consent:info":  # the notice promises its details on INFO
        turn.say("reg.notice_details", choices=consent_choices(turn))
    else:
        turn.say("common.choose_again", choices=consent_choices(turn))


async def _on_name(turn: Turn) -> None:
    name, problem = check_name(turn.text)  # the one name rule, shared with the import
    if problem is not None:
        turn.say("reg.bad_name")
        return
    if name.islower() or name.isupper():
        name = name.title()
    turn.session.data["name"] = name
    await _ask_next(turn, "name")


async def _on_type(turn: Turn) -> None:
    value = (turn.choice or "").removeprefix("type:")
    if value not in TYPES:
        await _reprompt(turn, "type")
        return
    turn.session.data["type"] = value
    await _ask_next(turn, "type")


async def _on_service(turn: Turn) -> None:
    unit = await unit_of(turn)
    index = (turn.choice or "").removeprefix("svc:")
    if turn.choice == SKIP_SERVICE or normalize(turn.text) in _SKIP_WORDS:
        turn.session.data["service"] = None
    elif index.isdigit() and int(index) < len(unit.services):
        turn.session.data["service"] = unit.services[int(index)]
    else:
        await _reprompt(turn, "service")
        return
    await _ask_next(turn, "service")


async def _on_when(turn: Turn) -> None:
    unit = await unit_of(turn)
    today = turn.now.astimezone(ZoneInfo(unit.timezone)).date()
    parsed = parse_month(turn.text, today)
    if parsed is None:
        turn.say("reg.bad_when")
        return
    age = months_between(parsed, (today.year, today.month))
    if age < 0:
        turn.say("reg.future_when", example=month_label(turn, (today.year, today.month)))
        return
    if age >= ELIGIBLE_MONTHS:
        oldest_month = today.month - ELIGIBLE_MONTHS + 1
        oldest = (today.year, oldest_month) if oldest_month > 0 else (
            today.year - 1, oldest_month + 12)
        turn.say("reg.too_old", oldest=month_label(turn, oldest),
                 when=month_label(turn, parsed))
        return
    turn.session.data["when"] = f"{parsed[0]:04d}-{parsed[1]:02d}"
    await _ask_next(turn, "when")


async def _on_phone_whatsapp(turn: Turn) -> None:
    answer = yes_or_no(turn.choice, turn.text, "phone:this", "phone:other")
    if answer is True:
        await _accept_phone(turn, turn.msg.sender_phone or "", proven=True)
    elif answer is False:
        turn.goto(f"{PREFIX}:phone")
        turn.say("reg.ask_phone_typed")
    else:
        await _on_phone(turn)  # they typed a number straight away


async def _on_phone(turn: Turn) -> None:
    contact = turn.msg.contact
    if contact is not None and not contact.is_own:
        turn.say("reg.not_own_contact", request_contact=True)
        return
    raw = contact.phone if contact is not None else turn.text
    phone = to_mobile_e164(raw)
    if phone is None:
        turn.say("reg.bad_phone", text=raw[:40])
        return
    # A contact proves the number only where the channel checks it is the sender's own.
    by_contact = contact is not None and turn.msg.channel in (Channel.TELEGRAM, Channel.CONSOLE)
    await _accept_phone(turn, phone, proven=by_contact or phone == turn.msg.sender_phone)


async def _accept_phone(turn: Turn, phone: str, *, proven: bool) -> None:
    """Whether the number is free or someone's is not said here (that would tell anyone who
    is registered); saving decides what an unproven number may change."""
    turn.session.data["phone"] = phone
    turn.session.data["phone_verified"] = proven
    await _ask_next(turn, "phone")


async def _on_email(turn: Turn) -> None:
    if turn.choice == "email:skip" or normalize(turn.text) in _SKIP_WORDS:
        turn.session.data["email"] = None
    else:
        email = normalize_email(turn.text)
        if email is None:
            turn.say("reg.bad_email", text=turn.text[:60],
                     choices=[turn.choice_of("reg.skip_email", "email:skip")])
            return
        turn.session.data["email"] = email
    await _ask_next(turn, "email")


async def _on_reminders(turn: Turn) -> None:
    answer = yes_or_no(turn.choice, turn.text, "remind:yes", "remind:no")
    if answer is None:
        turn.say("common.choose_again", choices=reminder_choices(turn))
        return
    turn.session.data["reminders"] = answer
    await _ask_next(turn, "reminders")


async def _on_summary(turn: Turn) -> None:
    choice = turn.choice or ""
    if choice.startswith("edit:") and choice.removeprefix("edit:") in FIELDS:
        await ask(turn, choice.removeprefix("edit:"))
    elif choice == "confirm" or normalize(turn.text) in YES:
        await save_registration(turn)
    else:
        turn.say("common.choose_again")
        await show_summary(turn, FIELDS)


async def _show_summary(turn: Turn) -> None:
    await show_summary(turn, FIELDS)


@dataclass(frozen=True)
class Step:
    """One registration state: what is asked on entering it and how its answer is read."""

    ask: Callable[[Turn], Awaitable[None]]
    answer: Callable[[Turn], Awaitable[None]]


STEPS: dict[str, Step] = {
    "unit": Step(ask_unit, _on_unit),
    "consent": Step(ask_consent, _on_consent),
    "name": Step(ask_name, _on_name),
    "type": Step(ask_type, _on_type),
    "service": Step(ask_service, _on_service),
    "when": Step(ask_when, _on_when),
    "phone": Step(ask_phone, _on_phone),
    "phone_whatsapp": Step(ask_phone, _on_phone_whatsapp),
    "email": Step(ask_email, _on_email),
    "reminders": Step(ask_reminders, _on_reminders),
    "summary": Step(_show_summary, _on_summary),
}


class RegistrationFlow:
    prefix = PREFIX

    async def step(self, turn: Turn) -> None:
        step = STEPS.get(turn.session.state.partition(":")[2])
        if step is None:  # a state from an older version: start again politely
            turn.end()
            turn.say("common.cancelled")
            return
        await step.answer(turn)
