"""Data-subject rights in chat: STOP (no more messages), HAPUS DATA (erase, confirmed) and
DATA SAYA (see everything stored about oneself).

A citizen registered with several institutions (issue 15) sees each institution's record
apart, named; HAPUS DATA asks which institution's data goes (or all) and erases only that,
and the reply names that institution as the controller to ask. Only the chat's own records
are ever reached: those its identity links to or, on WhatsApp, those with its proven number.
The survey period and retention are the deployment's (one national SPI survey), not per
institution.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from core.clock import from_text
from core.messages import Channel, Choice
from core.phones import to_e164
from core.scope import Scope
from handlers.turn import Turn, institution_values
from handlers.words import normalize, yes_or_no
from inspectorate.institutions import Institution
from inspectorate.retention import purge_day_of
from storage.personal_data import PersonalRecord, erase_respondent, record_of
from storage.repositories.respondents import Respondent

CONFIRM = "delete:confirm"
WHICH = "delete:which"  # registered with several institutions: which one's data goes
DELETE_FROM = "delete_from"  # session key: the institutions offered, checked again on the answer
ALL = "delete:all"
ALL_WORDS = frozenset({"semua", "semuanya", "semua instansi", "all", "all of them"})
PROVE = "mydata:contact"
MY_DATA_WORDS = frozenset({"data saya", "lihat data saya", "my data", "show my data",
                           "/datasaya", "/mydata", "/data"})


async def _institutions_of_chat(turn: Turn) -> list[int]:
    """The institutions holding this chat's link or its proven number (issue 15: a citizen may
    be registered with several). Read first in the turn, before anything is scoped: on
    PostgreSQL a scoped transaction sees one institution's rows only."""
    return await turn.deps.respondents.institutions_of_chat(
        turn.conn, turn.msg.channel, turn.msg.sender, turn.msg.sender_phone)


async def _own_respondent(turn: Turn, scope: Scope) -> Respondent | None:
    """This chat's own record in one institution: the one its identity links to, else (on
    WhatsApp, which proves the number) the one with its number."""
    identity = await turn.deps.identities.get(
        turn.conn, scope, turn.msg.channel, turn.msg.sender)
    if identity is not None:
        return await turn.deps.respondents.get_by_id(
            turn.conn, identity.respondent_id, scope=scope)
    if turn.msg.sender_phone:  # imported people never chatted, but WhatsApp proves the number
        return await turn.deps.respondents.get_by_phone(
            turn.conn, scope, turn.msg.sender_phone)
    return None


async def _own_records(turn: Turn, institutions: list[int]) -> list[tuple[int, int]]:
    """(institution, id of this chat's record there) for each institution holding one."""
    found = []
    for institution in institutions:
        record = await _own_respondent(turn, Scope(institution))
        if record is not None and record.id is not None and record.status != "erased":
            found.append((institution, record.id))
    return found


async def stop_messages(turn: Turn) -> None:
    """STOP: no more reminders from any institution this chat is registered with."""
    records = await _own_records(turn, await _institutions_of_chat(turn))
    if not records:
        turn.say("privacy.stop_unknown")
        return
    for institution, rid in records:
        scope = Scope(institution)
        await turn.deps.respondents.set_opted_out(turn.conn, scope, rid, turn.now)
        await turn.deps.audit.record(turn.conn, turn.now, "respondent", "respondent.opted_out",
                                     f"respondent:{rid}", channel=turn.msg.channel,
                                     scope=scope)
    turn.say("privacy.stopped")


def _yes_no(turn: Turn) -> list[Choice]:
    return [turn.choice_of("privacy.delete_yes", "delete:yes"),
            turn.choice_of("privacy.delete_no", "delete:no")]


async def _which_choices(turn: Turn, institutions: list[int]) -> list[Choice]:
    choices = []
    for institution in institutions:
        found = await turn.deps.institutions.get(turn.conn, institution)
        if found is not None:
            choices.append(Choice(found.name, f"delete:{institution}"))
    return [*choices, turn.choice_of("privacy.delete_all", ALL),
            turn.choice_of("privacy.delete_no", "delete:no")]


async def start_delete(turn: Turn) -> None:
    records = await _own_records(turn, await _institutions_of_chat(turn))
    if not records:
        turn.session.language = turn.deps.settings.default_language
        turn.say("privacy.nothing_to_delete")
        return
    offered = [institution for institution, _ in records]
    turn.session.data[DELETE_FROM] = offered
    if len(offered) == 1:
        turn.goto(CONFIRM)
        controller = await turn.deps.institutions.get(turn.conn, offered[0])
        turn.say_text(turn.t_for(controller, "privacy.confirm_delete"), choices=_yes_no(turn))
        return
    # Registered with several: each institution's data is its own, so the person picks.
    turn.goto(WHICH)
    choices = await _which_choices(turn, offered)
    turn.say("privacy.choose_delete", count=len(offered),
             institutions="; ".join(c.label for c in choices[:-2]), choices=choices)


def _offered(turn: Turn) -> list[int] | None:
    offered = turn.session.data.get(DELETE_FROM)
    if not isinstance(offered, list):
        return None  # a dialog from before institutions: whatever this chat has
    return [i for i in offered if isinstance(i, int) and not isinstance(i, bool)]


class DeleteFlow:
    prefix = "delete"

    async def step(self, turn: Turn) -> None:
        mine = await _institutions_of_chat(turn)  # before anything is scoped
        offered = _offered(turn)
        targets: list[int] | None
        if turn.session.state == WHICH:
            targets = self._picked(turn, offered or [])
            if targets is None:
                if yes_or_no(turn.choice, turn.text, "delete:yes", "delete:no") is False:
                    turn.end()
                    turn.say("privacy.delete_kept")
                    return
                turn.say("common.choose_again", choices=await _which_choices(turn, offered or []))
                return
        else:
            answer = yes_or_no(turn.choice, turn.text, "delete:yes", "delete:no")
            if answer is False:
                turn.end()
                turn.say("privacy.delete_kept")
                return
            if answer is None:
                turn.say("common.choose_again", choices=_yes_no(turn))
                return
            targets = offered if offered is not None else mine
        turn.end()
        # Forget the conversation too: its key is the person's chat address.
        turn.session.language = turn.deps.settings.default_language
        # Only institutions that still hold this chat's own record: checked again now.
        records = await _own_records(turn, [i for i in targets if i in mine])
        if not records:
            turn.say("privacy.nothing_to_delete")
            return
        controllers = []
        for institution, rid in records:
            # Scoped to its institution first (PostgreSQL's row-level security), then erased.
            await turn.deps.respondents.get_by_id(turn.conn, rid, scope=Scope(institution))
            turn.forgotten += await erase_respondent(turn.conn, rid, turn.now,
                                                     actor="respondent", via=turn.msg.channel,
                                                     pending=turn.batch)
            controllers.append(await turn.deps.institutions.get(turn.conn, institution))
        if not set(mine) - {institution for institution, _ in records}:
            turn.identity_linked = False
        if len(controllers) == 1:
            turn.say_text(turn.t_for(controllers[0], "privacy.deleted"))
            return
        settings = turn.deps.settings
        named = [institution_values(c, settings) for c in controllers]
        turn.say("privacy.deleted_all",
                 institutions="; ".join(v["inspectorate_name"] for v in named),
                 contacts="; ".join(f"{v['inspectorate_name']}, {v['inspectorate_phone']}"
                                    for v in named))

    @staticmethod
    def _picked(turn: Turn, offered: list[int]) -> list[int] | None:
        """The institutions the person picked, only ever among those offered."""
        choice = turn.choice or ""
        if choice == ALL or normalize(turn.text) in ALL_WORDS:
            return offered
        picked = choice.removeprefix("delete:")
        if choice.startswith("delete:") and picked.isdigit() and int(picked) in offered:
            return [int(picked)]
        return None


async def _records_for(turn: Turn, scope: Scope) -> tuple[list[int], list[int]]:
    """(records of one institution this chat may see now, verified records there it must
    first prove it owns).

    A WhatsApp chat proves its own number. A chat linked to a record nobody has verified
    typed that record itself. A verified record reached through a chat link alone may be a
    link made before its owner verified the number, so that chat shares its own contact first.
    """
    visible: list[int] = []
    unproven: list[int] = []
    identity = await turn.deps.identities.get(
        turn.conn, scope, turn.msg.channel, turn.msg.sender)
    if identity is not None:
        linked = await turn.deps.respondents.get_by_id(
            turn.conn, identity.respondent_id, scope=scope)
        if linked is not None and linked.id is not None and linked.status != "erased":
            if linked.status != "verified" or (
                    turn.msg.sender_phone and linked.phone == turn.msg.sender_phone):
                visible.append(linked.id)
            else:
                unproven.append(linked.id)
    if turn.msg.sender_phone:
        mine = await turn.deps.respondents.get_by_phone(
            turn.conn, scope, turn.msg.sender_phone)
        if mine is not None and mine.id is not None and mine.id not in visible:
            visible.append(mine.id)
    return visible, unproven


async def _show(turn: Turn, institution: int, respondent_ids: list[int]) -> int:
    """Each record of one institution, that institution named as the one holding it."""
    scope = Scope(institution)
    controller = await turn.deps.institutions.get(turn.conn, institution)
    shown = 0
    for rid in respondent_ids:
        # Scoped first, so on PostgreSQL the record is read inside its own institution.
        if await turn.deps.respondents.get_by_id(turn.conn, rid, scope=scope) is None:
            continue
        record = await record_of(turn.conn, rid)
        if record is not None and record.respondent["status"] != "erased":
            turn.say_text(_render(turn, controller, record))
            shown += 1
    await turn.deps.audit.record(turn.conn, turn.now, "respondent", "respondent.shown",
                                 None, channel=turn.msg.channel, records=shown, scope=scope)
    return shown


class MyDataCommand:
    """DATA SAYA / MY DATA, anywhere in a dialog: the stored data, only to its owner's chat,
    one message per record, each naming the institution that holds it.

    It ends a dialog in progress, as STOP does, so what was half-typed in this chat is
    forgotten rather than listed."""

    async def try_handle(self, turn: Turn) -> bool:
        if normalize(turn.text) not in MY_DATA_WORDS:
            return False
        if turn.session.state != "idle":
            turn.end()
            turn.say("common.cancelled")
        shown = 0
        unproven = False
        institutions = await _institutions_of_chat(turn)
        for institution in institutions:
            visible, waiting = await _records_for(turn, Scope(institution))
            shown += await _show(turn, institution, visible)
            unproven = unproven or bool(waiting)
        if unproven and turn.msg.channel in (Channel.TELEGRAM, Channel.CONSOLE):
            turn.goto(PROVE)
            turn.say("mydata.prove", request_contact=True)
        elif not shown:
            if not institutions:
                await turn.deps.audit.record(turn.conn, turn.now, "respondent",
                                             "respondent.shown", None,
                                             channel=turn.msg.channel, records=0)
            turn.say("mydata.nothing")
        return True


class MyDataFlow:
    """The answer to "share your own contact" before a verified record is shown."""

    prefix = "mydata"

    async def step(self, turn: Turn) -> None:
        turn.end()
        contact = turn.msg.contact
        phone = to_e164(contact.phone) if contact is not None and contact.is_own else None
        shown = 0
        for institution in await _institutions_of_chat(turn):
            scope = Scope(institution)
            _, unproven = await _records_for(turn, scope)
            proven = []
            for rid in unproven:
                record = await turn.deps.respondents.get_by_id(turn.conn, rid, scope=scope)
                if phone is not None and record is not None and record.phone == phone:
                    proven.append(rid)
            if proven:
                shown += await _show(turn, institution, proven)
        if not shown:
            turn.say("mydata.nothing")


def _render(turn: Turn, controller: Institution | None, record: PersonalRecord) -> str:
    row = record.respondent
    zone = ZoneInfo(row["unit_timezone"])

    def when(text: str | None) -> str:
        if not text:
            return turn.t("mydata.none")
        moment: datetime = from_text(text).astimezone(zone)
        return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"

    def value(column: str) -> str:
        return str(row[column]) if row[column] else turn.t("mydata.none")

    def label(kind: str, code: str | None) -> str:
        key = f"mydata.{kind}_{code}"
        return turn.t(key) if code and key in turn.deps.catalog.keys(turn.lang) \
            else code or turn.t("mydata.none")

    status = "verified" if row["status"] == "verified" else "registered"
    lines = [turn.t_for(controller, "mydata.header")]
    fields = [
        ("name", value("name")), ("phone", value("phone")), ("email", value("email")),
        ("unit", f"{row['unit_name']} ({row['unit_code']})"),
        ("category", label("category", row["category"])),
        ("respondent_type", label("type", row["respondent_type"])),
        ("service", value("service")),
        ("service_month", value("service_month")), ("started_on", value("started_on")),
        ("status", turn.t(f"mydata.status_{status}")),
        ("source", turn.t("mydata.source_import" if row["source"] == "import"
                          else "mydata.source_bot")),
        ("consent", turn.t("mydata.consent_at", at=when(row["consent_at"]),
                           version=row["consent_version"])
         if row["consent_at"] else turn.t("mydata.none")),
        ("reminders", turn.t("mydata.reminders_off", at=when(row["opted_out_at"]))
         if row["opted_out_at"] else turn.t("mydata.reminders_on")),
        ("reminders_sent", str(record.reminders_sent)),
        ("registered_at", when(row["created_at"])),
        ("accounts", ", ".join(f"{i['channel']} {i['address']}" for i in record.identities)
         or turn.t("mydata.none")),
    ]
    lines += [f"{turn.t('mydata.' + key)}: {text}" for key, text in fields]
    here = (turn.msg.channel, turn.msg.sender)
    for c in record.conversations:
        if (c.channel, c.address) != here:
            lines.append(turn.t("mydata.pending", channel=c.channel, address=c.address,
                                minutes=turn.deps.settings.session_idle_minutes,
                                data=json.dumps(c.data, ensure_ascii=False)))
    lines.append(f"{turn.t('mydata.purge_on')}: {_purge_day(turn, row['created_at'])}")
    lines.append(turn.t_for(controller, "mydata.footer"))
    return "\n".join(lines)


def _purge_day(turn: Turn, created_at: str) -> str:
    return purge_day_of(turn.deps.settings, from_text(created_at).date()).isoformat()
