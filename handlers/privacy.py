"""Data-subject rights in chat: STOP (no more messages), HAPUS DATA (erase, confirmed) and
DATA SAYA (see everything stored about oneself)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from core.clock import from_text
from core.messages import Channel
from core.phones import to_e164
from handlers.turn import Turn
from handlers.words import normalize, yes_or_no
from inspectorate.retention import purge_day_of
from storage.personal_data import PersonalRecord, erase_respondent, record_of
from storage.repositories.respondents import Respondent

CONFIRM = "delete:confirm"
PROVE = "mydata:contact"
MY_DATA_WORDS = frozenset({"data saya", "lihat data saya", "my data", "show my data",
                           "/datasaya", "/mydata", "/data"})


async def _own_respondent(turn: Turn) -> Respondent | None:
    identity = await turn.deps.identities.get(
        turn.conn, turn.scope, turn.msg.channel, turn.msg.sender)
    if identity is not None:
        return await turn.deps.respondents.get_by_id(
            turn.conn, identity.respondent_id, scope=turn.scope)
    if turn.msg.sender_phone:  # imported people never chatted, but WhatsApp proves the number
        return await turn.deps.respondents.get_by_phone(
            turn.conn, turn.scope, turn.msg.sender_phone)
    return None


async def stop_messages(turn: Turn) -> None:
    respondent = await _own_respondent(turn)
    if respondent is None or respondent.id is None:
        turn.say("privacy.stop_unknown")
        return
    await turn.deps.respondents.set_opted_out(turn.conn, turn.scope, respondent.id, turn.now)
    await turn.deps.audit.record(turn.conn, turn.now, "respondent", "respondent.opted_out",
                                 f"respondent:{respondent.id}", channel=turn.msg.channel)
    turn.say("privacy.stopped")


async def start_delete(turn: Turn) -> None:
    if await _own_respondent(turn) is None:
        turn.session.language = turn.deps.settings.default_language
        turn.say("privacy.nothing_to_delete")
        return
    turn.goto(CONFIRM)
    turn.say("privacy.confirm_delete", choices=[
        turn.choice_of("privacy.delete_yes", "delete:yes"),
        turn.choice_of("privacy.delete_no", "delete:no"),
    ])


class DeleteFlow:
    prefix = "delete"

    async def step(self, turn: Turn) -> None:
        answer = yes_or_no(turn.choice, turn.text, "delete:yes", "delete:no")
        if answer is False:
            turn.end()
            turn.say("privacy.delete_kept")
            return
        if answer is None:
            turn.say("common.choose_again", choices=[
                turn.choice_of("privacy.delete_yes", "delete:yes"),
                turn.choice_of("privacy.delete_no", "delete:no"),
            ])
            return
        turn.end()
        # Forget the conversation too: its key is the person's chat address.
        turn.session.language = turn.deps.settings.default_language
        respondent = await _own_respondent(turn)
        if respondent is None or respondent.id is None:
            turn.say("privacy.nothing_to_delete")
            return
        turn.forgotten += await erase_respondent(turn.conn, respondent.id, turn.now,
                                                 actor="respondent", via=turn.msg.channel,
                                                 pending=turn.batch)
        turn.identity_linked = False
        turn.say("privacy.deleted")


async def _records_for(turn: Turn) -> tuple[list[int], list[int]]:
    """(records this chat may see now, verified records it must first prove it owns).

    A WhatsApp chat proves its own number. A chat linked to a record nobody has verified
    typed that record itself. A verified record reached through a chat link alone may be a
    link made before its owner verified the number, so that chat shares its own contact first.
    """
    visible: list[int] = []
    unproven: list[int] = []
    identity = await turn.deps.identities.get(
        turn.conn, turn.scope, turn.msg.channel, turn.msg.sender)
    if identity is not None:
        linked = await turn.deps.respondents.get_by_id(
            turn.conn, identity.respondent_id, scope=turn.scope)
        if linked is not None and linked.id is not None and linked.status != "erased":
            if linked.status != "verified" or (
                    turn.msg.sender_phone and linked.phone == turn.msg.sender_phone):
                visible.append(linked.id)
            else:
                unproven.append(linked.id)
    if turn.msg.sender_phone:
        mine = await turn.deps.respondents.get_by_phone(
            turn.conn, turn.scope, turn.msg.sender_phone)
        if mine is not None and mine.id is not None and mine.id not in visible:
            visible.append(mine.id)
    return visible, unproven


async def _show(turn: Turn, respondent_ids: list[int]) -> int:
    shown = 0
    for rid in respondent_ids:
        record = await record_of(turn.conn, rid)
        if record is not None and record.respondent["status"] != "erased":
            turn.say_text(_render(turn, record))
            shown += 1
    await turn.deps.audit.record(turn.conn, turn.now, "respondent", "respondent.shown",
                                 None, channel=turn.msg.channel, records=shown)
    return shown


class MyDataCommand:
    """DATA SAYA / MY DATA, anywhere in a dialog: the stored data, only to its owner's chat.

    It ends a dialog in progress, as STOP does, so what was half-typed in this chat is
    forgotten rather than listed."""

    async def try_handle(self, turn: Turn) -> bool:
        if normalize(turn.text) not in MY_DATA_WORDS:
            return False
        if turn.session.state != "idle":
            turn.end()
            turn.say("common.cancelled")
        visible, unproven = await _records_for(turn)
        shown = await _show(turn, visible)
        if unproven and turn.msg.channel in (Channel.TELEGRAM, Channel.CONSOLE):
            turn.goto(PROVE)
            turn.say("mydata.prove", request_contact=True)
        elif not shown:
            turn.say("mydata.nothing")
        return True


class MyDataFlow:
    """The answer to "share your own contact" before a verified record is shown."""

    prefix = "mydata"

    async def step(self, turn: Turn) -> None:
        turn.end()
        contact = turn.msg.contact
        phone = to_e164(contact.phone) if contact is not None and contact.is_own else None
        _, unproven = await _records_for(turn)
        proven = []
        for rid in unproven:
            record = await turn.deps.respondents.get_by_id(turn.conn, rid, scope=turn.scope)
            if phone is not None and record is not None and record.phone == phone:
                proven.append(rid)
        if not await _show(turn, proven):
            turn.say("mydata.nothing")


def _render(turn: Turn, record: PersonalRecord) -> str:
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
    lines = [turn.t("mydata.header")]
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
    lines.append(turn.t("mydata.footer"))
    return "\n".join(lines)


def _purge_day(turn: Turn, created_at: str) -> str:
    return purge_day_of(turn.deps.settings, from_text(created_at).date()).isoformat()
