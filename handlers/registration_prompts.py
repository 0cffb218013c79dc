"""What registration asks: the questions, their choices and the summary, in the user's language.

The answers are read in `handlers/registration.py`, whose steps table pairs each question here
with the function that reads its answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.masking import mask_phone
from core.messages import Channel, Choice
from handlers.turn import Turn
from storage.repositories.units import Unit

PREFIX = "reg"
TYPES = {"service_user": "reg.type_service_user", "business": "reg.type_business"}
SKIP_SERVICE = "svc:skip"


async def unit_of(turn: Turn) -> Unit:
    unit = await turn.deps.units.get_by_code(turn.conn, turn.session.data["unit"])
    if unit is None:  # removed by staff mid-dialog
        raise LookupError(turn.session.data["unit"])
    return unit


def month_label(turn: Turn, year_month: tuple[int, int]) -> str:
    names = turn.t("months.names").split(",")
    return f"{names[year_month[1] - 1]} {year_month[0]}"


async def ask_unit(turn: Turn, unknown_code: str | None = None) -> None:
    units = await turn.deps.units.list_all(turn.conn, scope=turn.scope)
    choices = [Choice(unit.name, f"unit:{unit.code}") for unit in units]
    if not choices:
        turn.end()
        turn.say("reg.no_units")
        return
    turn.goto(f"{PREFIX}:unit")
    if unknown_code is not None:
        shown = "".join(ch for ch in unknown_code if ch.isprintable())[:40]
        turn.say("reg.unknown_unit", code=shown, choices=choices)
    else:
        turn.say("reg.choose_unit", choices=choices)


def consent_choices(turn: Turn) -> list[Choice]:
    return [turn.choice_of("reg.consent_yes", "consent:yes"),
            turn.choice_of("reg.consent_no", "consent:no"),
            turn.choice_of("reg.details", "consent:info")]


def phone_label_key(channel: str) -> str:
    """"Nomor WhatsApp" only to someone writing on WhatsApp; elsewhere it is a phone number."""
    return "reg.phone_label_whatsapp" if channel == Channel.WHATSAPP else "reg.phone_label_other"


async def begin(turn: Turn, unit: Unit) -> None:
    # The scanned unit decides the institution (issue 15): its notice, controller and contact,
    # and a registration of its own, whatever this chat has with another institution.
    turn.session.data = {"unit": unit.code, "institution": unit.institution_id}
    if not await turn.enter_institution(unit.institution_id, hold=True):
        raise LookupError(unit.institution_id)  # units reference institutions: cannot happen
    existing = await turn.deps.respondents.find_for_chat(
        turn.conn, turn.scope, turn.msg.channel, turn.msg.sender, turn.msg.sender_phone,
        phone_first=False)
    if existing is not None:
        known = await turn.deps.units.get_by_code(turn.conn, existing.unit_code)
        turn.say("reg.already_registered", unit=known.name if known else existing.unit_code)
    turn.goto(f"{PREFIX}:consent")
    await ask_consent(turn)


async def ask_consent(turn: Turn) -> None:
    unit = await unit_of(turn)
    turn.say("reg.notice", unit=unit.name, choices=consent_choices(turn))


async def ask_name(turn: Turn) -> None:
    turn.say("reg.ask_name")


async def ask_type(turn: Turn) -> None:
    unit = await unit_of(turn)
    turn.say("reg.ask_type", unit=unit.name, choices=[
        turn.choice_of(key, f"type:{value}") for value, key in TYPES.items()])


async def ask_service(turn: Turn) -> None:
    unit = await unit_of(turn)
    turn.say("reg.ask_service", unit=unit.name, choices=[
        *(Choice(name, f"svc:{i}") for i, name in enumerate(unit.services)),
        turn.choice_of("reg.skip_service", SKIP_SERVICE)])


async def ask_when(turn: Turn) -> None:
    turn.say("reg.ask_when")


async def ask_phone(turn: Turn) -> None:
    if turn.msg.channel == Channel.WHATSAPP and turn.msg.sender_phone:
        turn.goto(f"{PREFIX}:phone_whatsapp")
        turn.say("reg.ask_phone_whatsapp", phone=mask_phone(turn.msg.sender_phone), choices=[
            turn.choice_of("reg.phone_use_this", "phone:this"),
            turn.choice_of("reg.phone_other", "phone:other")])
    elif turn.msg.channel in (Channel.TELEGRAM, Channel.CONSOLE):
        turn.say("reg.ask_phone_contact", request_contact=True)
    else:
        turn.say("reg.ask_phone_typed")


async def ask_email(turn: Turn) -> None:
    turn.say("reg.ask_email", choices=[turn.choice_of("reg.skip_email", "email:skip")])


def reminder_choices(turn: Turn) -> list[Choice]:
    return [turn.choice_of("reg.reminders_yes", "remind:yes"),
            turn.choice_of("reg.reminders_no", "remind:no")]


async def ask_reminders(turn: Turn) -> None:
    turn.say("reg.ask_reminders", choices=reminder_choices(turn))


async def show_summary(turn: Turn, fields: Sequence[str]) -> None:
    data = turn.session.data
    data["editing"] = True
    unit = await unit_of(turn)
    turn.say(
        "reg.summary", unit=unit.name, name=data["name"], type=turn.t(TYPES[data["type"]]),
        service=data.get("service") or turn.t("reg.no_service"),
        when=month_label(turn, (int(data["when"][:4]), int(data["when"][5:]))),
        phone=data["phone"], phone_label=turn.t(phone_label_key(turn.msg.channel)),
        phone_note=turn.t("reg.phone_verified_note" if data["phone_verified"]
                          else "reg.phone_unverified_note"),
        email=data.get("email") or turn.t("reg.no_email"),
        reminders=turn.t("reg.reminders_yes" if data.get("reminders") else "reg.reminders_no"),
        choices=[turn.choice_of("reg.confirm", "confirm")] + [
            turn.choice_of(f"reg.edit_{field}", f"edit:{field}") for field in fields],
    )
