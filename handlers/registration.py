"""Registration of an external SPI respondent for one unit: consent, data, summary, save.

Integrity by design: nothing here asks whether the person received the KPK survey or what
they answered; the data is only what KPK's population list needs.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from core.emails import normalize_email
from core.masking import mask_phone
from core.messages import Channel, Choice
from core.names import check_name
from core.phones import to_mobile_e164
from handlers.months import months_between, parse_month
from handlers.turn import Turn
from handlers.words import YES, normalize, yes_or_no
from storage.repositories.respondents import Respondent
from storage.repositories.units import Unit

PREFIX = "reg"
_UNIT_CODE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
_REGISTER_WORDS = frozenset({"daftar", "/daftar", "register", "registrasi", "/register"})
_SKIP_WORDS = frozenset({"lewati", "skip", "-", "tidak ada", "gak ada", "ga ada", "tidak punya",
                         "none", "no email", "kosong"})
TYPES = {"service_user": "reg.type_service_user", "business": "reg.type_business"}
ELIGIBLE_MONTHS = 12


def _month_label(turn: Turn, year_month: tuple[int, int]) -> str:
    names = turn.t("months.names").split(",")
    return f"{names[year_month[1] - 1]} {year_month[0]}"


async def _unit_choices(turn: Turn) -> list[Choice]:
    units = await turn.deps.units.list_all(turn.conn)
    return [Choice(unit.name, f"unit:{unit.code}") for unit in units]


async def ask_unit(turn: Turn, unknown_code: str | None = None) -> None:
    choices = await _unit_choices(turn)
    if not choices:
        turn.end()
        turn.say("reg.no_units")
        return
    turn.goto(f"{PREFIX}:unit")
    if unknown_code is not None:
        turn.say("reg.unknown_unit", code=unknown_code[:40], choices=choices)
    else:
        turn.say("reg.choose_unit", choices=choices)


async def _existing_for_sender(turn: Turn) -> Respondent | None:
    """Who this chat already is: its linked respondent first, else the sender's own number's."""
    return await turn.deps.respondents.find_for_chat(
        turn.conn, turn.msg.channel, turn.msg.sender, turn.msg.sender_phone, phone_first=False)


async def begin(turn: Turn, unit: Unit) -> None:
    turn.session.data = {"unit": unit.code}
    existing = await _existing_for_sender(turn)
    if existing is not None:
        known = await turn.deps.units.get_by_code(turn.conn, existing.unit_code)
        turn.say("reg.already_registered", unit=known.name if known else existing.unit_code)
    turn.goto(f"{PREFIX}:consent")
    turn.say("reg.notice", unit=unit.name, choices=[
        turn.choice_of("reg.consent_yes", "consent:yes"),
        turn.choice_of("reg.consent_no", "consent:no")])


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
        unit = await turn.deps.units.get_by_code(turn.conn, code)
        if unit is None:
            await ask_unit(turn, unknown_code=code)
        else:
            await begin(turn, unit)
        return True


class RegistrationFlow:
    prefix = PREFIX

    async def step(self, turn: Turn) -> None:
        step = turn.session.state.partition(":")[2]
        handler = getattr(self, f"_on_{step}", None)
        if handler is None:  # a state from an older version: start again politely
            turn.end()
            turn.say("common.cancelled")
            return
        await handler(turn)

    # --- asking ---------------------------------------------------------------------------

    async def _unit(self, turn: Turn) -> Unit:
        unit = await turn.deps.units.get_by_code(turn.conn, turn.session.data["unit"])
        if unit is None:  # removed by staff mid-dialog
            raise LookupError(turn.session.data["unit"])
        return unit

    def _next(self, turn: Turn, default_state: str) -> str:
        return "summary" if turn.session.data.get("editing") else default_state

    async def _ask(self, turn: Turn, field: str) -> None:
        turn.goto(f"{PREFIX}:{field}")
        if field == "name":
            turn.say("reg.ask_name")
        elif field == "type":
            unit = await self._unit(turn)
            turn.say("reg.ask_type", unit=unit.name, choices=[
                turn.choice_of(key, f"type:{value}") for value, key in TYPES.items()])
        elif field == "service":
            unit = await self._unit(turn)
            turn.say("reg.ask_service", unit=unit.name, choices=[
                Choice(name, f"svc:{i}") for i, name in enumerate(unit.services)])
        elif field == "when":
            turn.say("reg.ask_when")
        elif field == "phone":
            await self._ask_phone(turn)
        elif field == "email":
            turn.say("reg.ask_email", choices=[turn.choice_of("reg.skip_email", "email:skip")])
        elif field == "summary":
            await self._show_summary(turn)

    async def _ask_phone(self, turn: Turn) -> None:
        if turn.msg.channel == Channel.WHATSAPP and turn.msg.sender_phone:
            turn.goto(f"{PREFIX}:phone_whatsapp")
            turn.say("reg.ask_phone_whatsapp", phone=mask_phone(turn.msg.sender_phone), choices=[
                turn.choice_of("reg.phone_use_this", "phone:this"),
                turn.choice_of("reg.phone_other", "phone:other")])
        elif turn.msg.channel in (Channel.TELEGRAM, Channel.CONSOLE):
            turn.say("reg.ask_phone_contact", request_contact=True)
        else:
            turn.say("reg.ask_phone_typed")

    async def _show_summary(self, turn: Turn) -> None:
        data = turn.session.data
        data["editing"] = True
        unit = await self._unit(turn)
        turn.say(
            "reg.summary", unit=unit.name, name=data["name"], type=turn.t(TYPES[data["type"]]),
            service=data["service"],
            when=_month_label(turn, (int(data["when"][:4]), int(data["when"][5:]))),
            phone=data["phone"],
            phone_note=turn.t("reg.phone_verified_note" if data["phone_verified"]
                              else "reg.phone_unverified_note"),
            email=data.get("email") or turn.t("reg.no_email"),
            choices=[turn.choice_of("reg.confirm", "confirm")] + [
                turn.choice_of(f"reg.edit_{field}", f"edit:{field}")
                for field in ("name", "type", "service", "when", "phone", "email")],
        )

    # --- answers --------------------------------------------------------------------------

    async def _on_unit(self, turn: Turn) -> None:
        code = turn.choice.removeprefix("unit:") if turn.choice else turn.text
        unit = await turn.deps.units.get_by_code(turn.conn, code) if code else None
        if unit is None:
            await ask_unit(turn, unknown_code=code)
        else:
            await begin(turn, unit)

    async def _on_consent(self, turn: Turn) -> None:
        answer = yes_or_no(turn.choice, turn.text, "consent:yes", "consent:no")
        if answer is True:
            turn.session.data["consent_at"] = turn.now.isoformat()
            await self._ask(turn, "name")
        elif answer is False:
            turn.end()
            turn.say("reg.consent_refused")
        else:
            turn.say("common.choose_again", choices=[
                turn.choice_of("reg.consent_yes", "consent:yes"),
                turn.choice_of("reg.consent_no", "consent:no")])

    async def _on_name(self, turn: Turn) -> None:
        name, problem = check_name(turn.text)
        if problem is not None:
            turn.say("reg.bad_name")
            return
        if name.islower() or name.isupper():
            name = name.title()
        turn.session.data["name"] = name
        await self._ask(turn, self._next(turn, "type"))

    async def _on_type(self, turn: Turn) -> None:
        value = (turn.choice or "").removeprefix("type:")
        if value not in TYPES:
            await self._reprompt(turn, "type")
            return
        turn.session.data["type"] = value
        await self._ask(turn, self._next(turn, "service"))

    async def _on_service(self, turn: Turn) -> None:
        unit = await self._unit(turn)
        index = (turn.choice or "").removeprefix("svc:")
        if not index.isdigit() or int(index) >= len(unit.services):
            await self._reprompt(turn, "service")
            return
        turn.session.data["service"] = unit.services[int(index)]
        await self._ask(turn, self._next(turn, "when"))

    async def _on_when(self, turn: Turn) -> None:
        today = turn.now.astimezone(await self._zone(turn)).date()
        parsed = parse_month(turn.text, today)
        if parsed is None:
            turn.say("reg.bad_when")
            return
        age = months_between(parsed, (today.year, today.month))
        if age < 0:
            turn.say("reg.future_when", example=_month_label(turn, (today.year, today.month)))
            return
        if age >= ELIGIBLE_MONTHS:
            oldest_month = today.month - ELIGIBLE_MONTHS + 1
            oldest = (today.year, oldest_month) if oldest_month > 0 else (
                today.year - 1, oldest_month + 12)
            turn.say("reg.too_old", oldest=_month_label(turn, oldest),
                     when=_month_label(turn, parsed))
            return
        turn.session.data["when"] = f"{parsed[0]:04d}-{parsed[1]:02d}"
        await self._ask(turn, self._next(turn, "phone"))

    async def _zone(self, turn: Turn) -> ZoneInfo:
        unit = await self._unit(turn)
        return ZoneInfo(unit.timezone)

    async def _on_phone_whatsapp(self, turn: Turn) -> None:
        answer = yes_or_no(turn.choice, turn.text, "phone:this", "phone:other")
        if answer is True:
            await self._accept_phone(turn, turn.msg.sender_phone or "", verified=True)
        elif answer is False:
            turn.goto(f"{PREFIX}:phone")
            turn.say("reg.ask_phone_typed")
        else:
            await self._on_phone(turn)  # they typed a number straight away

    async def _on_phone(self, turn: Turn) -> None:
        contact = turn.msg.contact
        if contact is not None and not contact.is_own:
            turn.say("reg.not_own_contact", request_contact=True)
            return
        raw = contact.phone if contact is not None else turn.text
        phone = to_mobile_e164(raw)
        if phone is None:
            turn.say("reg.bad_phone", text=raw[:40])
            return
        verified = contact is not None or phone == turn.msg.sender_phone
        await self._accept_phone(turn, phone, verified=verified)

    async def _accept_phone(self, turn: Turn, phone: str, *, verified: bool) -> None:
        owner = await turn.deps.respondents.get_by_phone(turn.conn, phone)
        if owner is not None and not verified:
            identity = await turn.deps.identities.get(turn.conn, turn.msg.channel,
                                                      turn.msg.sender)
            if identity is None or identity.respondent_id != owner.id:
                turn.say("reg.phone_taken", phone=mask_phone(phone))
                return
        turn.session.data["phone"] = phone
        turn.session.data["phone_verified"] = verified
        await self._ask(turn, self._next(turn, "email"))

    async def _on_email(self, turn: Turn) -> None:
        if turn.choice == "email:skip" or normalize(turn.text) in _SKIP_WORDS:
            turn.session.data["email"] = None
        else:
            email = normalize_email(turn.text)
            if email is None:
                turn.say("reg.bad_email", text=turn.text[:60],
                         choices=[turn.choice_of("reg.skip_email", "email:skip")])
                return
            turn.session.data["email"] = email
        await self._ask(turn, "summary")

    async def _on_summary(self, turn: Turn) -> None:
        choice = turn.choice or ""
        if choice.startswith("edit:"):
            await self._ask(turn, choice.removeprefix("edit:"))
        elif choice == "confirm" or normalize(turn.text) in YES:
            await self._save(turn)
        else:
            turn.say("common.choose_again")
            await self._show_summary(turn)

    async def _reprompt(self, turn: Turn, field: str) -> None:
        turn.say("common.choose_again")
        await self._ask(turn, field)

    # --- saving ---------------------------------------------------------------------------

    async def _save(self, turn: Turn) -> None:
        data, deps, now = turn.session.data, turn.deps, turn.now
        phone: str = data["phone"]
        # the number's owner first, else whoever this chat was linked to (not erased)
        existing = await deps.respondents.find_for_chat(
            turn.conn, turn.msg.channel, turn.msg.sender, phone, phone_first=True)
        verified = bool(data["phone_verified"]) or (
            existing is not None and existing.phone == phone and existing.status == "verified")
        fields = {
            "phone": phone, "name": data["name"], "email": data.get("email"),
            "unit_code": data["unit"],
            "category": "external", "respondent_type": data["type"], "service": data["service"],
            "service_month": data["when"], "status": "verified" if verified else "registered",
            "source": "bot", "consent_at": datetime.fromisoformat(data["consent_at"]),
            "consent_version": deps.settings.consent_version, "opted_out_at": None,
        }
        if existing is None:
            saved = await deps.respondents.save(turn.conn, Respondent(id=None, **fields), now)
            action = "respondent.registered"
        else:
            saved = await deps.respondents.save(turn.conn, replace(existing, **fields), now)
            action = "respondent.updated"
        if saved.id is None:
            raise RuntimeError("respondent was saved without an id")
        turn.later(deps.identities.link_statement(turn.msg.channel, turn.msg.sender, saved.id,
                                                  now))
        turn.identity_linked = True
        turn.later(deps.audit.entry(now, "respondent", action, f"respondent:{saved.id}",
                                    channel=turn.msg.channel, unit=data["unit"],
                                    verified=verified))
        unit = await self._unit(turn)
        turn.end()
        turn.say("reg.saved_new" if existing is None else "reg.saved_updated",
                 name=saved.name, unit=unit.name)
        if not verified:
            turn.say("reg.unverified_hint")
