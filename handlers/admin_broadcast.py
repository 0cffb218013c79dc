"""Admin chat commands for broadcasts (`/siaran ...`), only for staff listed in SPI_ADMINS."""

from __future__ import annotations

import asyncio
from typing import Any

from core.roles import Permission
from handlers.staff import StaffMember, admit, audit_read
from handlers.turn import Turn
from handlers.words import yes_or_no
from outreach.audience import AudienceFilter
from outreach.integrity import check_broadcast
from outreach.reminders import IDS, nearest, text_key, title_key
from outreach.report import list_text, preview_text, refusal_text, show_text
from outreach.schedule import Schedule, ScheduleError
from outreach.service import BroadcastRefused, BroadcastRequest

COMMAND_WORDS = frozenset({"/siaran", "siaran", "/broadcast", "broadcast"})
ACTIONS = {
    "buat": "create", "create": "create", "baru": "create",
    "daftar": "list", "list": "list",
    "lihat": "show", "show": "show", "status": "show",
    "jeda": "pause", "pause": "pause",
    "lanjut": "resume", "lanjutkan": "resume", "resume": "resume",
    "batal": "cancel", "batalkan": "cancel", "cancel": "cancel",
}
TEXT, AUDIENCE, UNIT, WHEN, AT, CONFIRM = (
    "bcast:text", "bcast:audience", "bcast:unit", "bcast:when", "bcast:at", "bcast:confirm")


def _refusal(turn: Turn, exc: BroadcastRefused) -> str:
    """Why, in one line; for a text refused on integrity, the nearest approved text too."""
    line = refusal_text(turn.t, exc)
    suggestion = exc.values.get("suggestion")
    if isinstance(suggestion, str):
        line += "\n" + turn.t("broadcast.suggest", id=suggestion,
                              text=turn.t(text_key(suggestion)))
    return line


CATALOG_CHOICE = "bcast:cat:"


def ask_text(turn: Turn) -> None:
    """Ask for the text, offering the approved catalogue first."""
    turn.goto(TEXT)
    turn.say("admin.ask_text", choices=[
        turn.choice_of(title_key(rid), CATALOG_CHOICE + rid) for rid in IDS])


class BroadcastAdminEntry:
    """`/siaran [buat|daftar|lihat N|jeda N|lanjut N|batal N]` for staff who may broadcast
    (operator, admin), on their own institution's broadcasts and people only; anyone else is
    refused politely."""

    async def try_handle(self, turn: Turn) -> bool:
        words = turn.text.split()
        if not words or words[0].split("@")[0].casefold() not in COMMAND_WORDS:
            return False
        member = await admit(turn, "broadcast", Permission.BROADCAST_CATALOGUE)
        if member is None:
            return True
        scope = member.scope
        action = ACTIONS.get(words[1].casefold()) if len(words) > 1 else None
        service = turn.deps.broadcasts
        if action is None:
            turn.say("admin.help")
            return True
        if action == "create":
            ask_text(turn)
            return True
        if action == "list":
            broadcasts = await service.broadcasts.list_recent(turn.conn, 10, scope=scope)
            turn.say_text(list_text(turn.t, broadcasts))
            audit_read(turn, member, "broadcast.listed")
            return True
        if len(words) < 3 or not words[2].lstrip("#").isdigit():
            turn.say("admin.bad_number")
            return True
        bid = int(words[2].lstrip("#"))
        actor = member.actor
        try:
            if action == "show":
                broadcast, runs = await service.progress(turn.conn, bid, turn.now, scope=scope)
                alerts = await service.alerts(turn.conn, bid, scope=scope)
                turn.say_text(show_text(turn.t, broadcast, runs, alerts))
                audit_read(turn, member, "broadcast.viewed", f"broadcast:{bid}")
            elif action == "pause":
                await service.pause(turn.conn, bid, actor, turn.now, scope=scope)
                turn.say("broadcast.paused", id=bid)
            elif action == "resume":
                await service.resume(turn.conn, bid, actor, turn.now, scope=scope)
                turn.say("broadcast.resumed", id=bid)
            else:
                _, count = await service.cancel(turn.conn, bid, actor, turn.now, scope=scope)
                turn.say("broadcast.cancelled", id=bid, count=count)
        except BroadcastRefused as exc:
            turn.say_text(_refusal(turn, exc))
        return True


class BroadcastAdminFlow:
    """Creating a broadcast in chat: text, audience, time, preview, confirmation.

    Templates and finer filters are CLI-only, to keep the chat dialog short.
    """

    prefix = "bcast"

    async def step(self, turn: Turn) -> None:
        # Asked at every step: staff removed (or their role changed) mid-dialog stop here.
        member = await admit(turn, "broadcast", Permission.BROADCAST_CATALOGUE)
        if member is None:
            turn.end()
            return
        state, data = turn.session.state, turn.session.data
        if state == TEXT:
            await self._text(turn, data, member)
        elif state == AUDIENCE:
            self._audience(turn, data)
        elif state == UNIT:
            await self._unit(turn, data, member)
        elif state == WHEN:
            await self._when(turn, data, member)
        elif state == AT:
            await self._at(turn, data, member)
        elif state == CONFIRM:
            await self._confirm(turn, data, member)
        else:
            turn.end()

    async def _text(self, turn: Turn, data: dict[str, Any], member: StaffMember) -> None:
        if turn.choice is not None and turn.choice.startswith(CATALOG_CHOICE):
            reminder = turn.choice.removeprefix(CATALOG_CHOICE)
            if reminder not in IDS:
                ask_text(turn)
                return
            data["bc_text"] = turn.t(text_key(reminder))
            self._ask_audience(turn)
            return
        if not member.may(Permission.BROADCAST_FREE_TEXT):
            # Operators send the approved catalogue's texts only.
            turn.say("admin.catalogue_only")
            ask_text(turn)
            return
        text = turn.msg.text.strip()
        # On a worker thread: the model second opinion must not stall the event loop.
        verdict = await asyncio.to_thread(check_broadcast, text)
        if not verdict.allowed:
            # Refused here already, so staff pick an approved text without losing the dialog;
            # the service refuses it again at preview and creation, whoever asks.
            refused = BroadcastRefused(f"broadcast.refuse_integrity_{verdict.reasons[0]}",
                                       suggestion=nearest(verdict.reasons))
            turn.say("admin.text_refused", reason=_refusal(turn, refused))
            ask_text(turn)
            return
        data["bc_text"] = text
        self._ask_audience(turn)

    def _ask_audience(self, turn: Turn) -> None:
        turn.goto(AUDIENCE)
        turn.say("admin.ask_audience", choices=[
            turn.choice_of("admin.audience_all", "bcast:all"),
            turn.choice_of("admin.audience_unit", "bcast:unit"),
            turn.choice_of("admin.audience_telegram", "bcast:telegram"),
        ])

    def _audience(self, turn: Turn, data: dict[str, Any]) -> None:
        if turn.choice == "bcast:unit":
            turn.goto(UNIT)
            turn.say("admin.ask_unit")
            return
        if turn.choice not in ("bcast:all", "bcast:telegram"):
            turn.say("common.choose_again")
            self._ask_audience(turn)
            return
        data["bc_audience"] = {"channels": ["telegram"]} if turn.choice == "bcast:telegram" \
            else {}
        self._ask_when(turn)

    async def _unit(self, turn: Turn, data: dict[str, Any], member: StaffMember) -> None:
        unit = await turn.deps.units.get_by_code(turn.conn, turn.text)
        if unit is None or unit.institution_id != member.scope.institution_id:
            turn.say("admin.unknown_unit", code=turn.text)
            return
        data["bc_audience"] = {"units": [unit.code]}
        self._ask_when(turn)

    def _ask_when(self, turn: Turn) -> None:
        turn.goto(WHEN)
        turn.say("admin.ask_when", choices=[
            turn.choice_of("admin.when_now", "bcast:now"),
            turn.choice_of("admin.when_later", "bcast:later"),
        ])

    async def _when(self, turn: Turn, data: dict[str, Any], member: StaffMember) -> None:
        if turn.choice == "bcast:later":
            turn.goto(AT)
            turn.say("admin.ask_at")
            return
        if turn.choice != "bcast:now":
            turn.say("common.choose_again")
            self._ask_when(turn)
            return
        data["bc_at"] = None
        await self._preview(turn, data, member)

    async def _at(self, turn: Turn, data: dict[str, Any], member: StaffMember) -> None:
        parts = turn.text.split()
        try:
            if len(parts) != 3:
                raise ScheduleError(turn.t("admin.ask_at"))
            Schedule.once(" ".join(parts[:2]), parts[2])
        except ScheduleError as exc:
            turn.say("admin.bad_at", reason=str(exc))
            return
        data["bc_at"] = parts
        await self._preview(turn, data, member)

    def _request(self, turn: Turn, data: dict[str, Any]) -> BroadcastRequest:
        at = data.get("bc_at")
        schedule = Schedule.once(f"{at[0]} {at[1]}", at[2]) if at else Schedule.now(turn.now)
        return BroadcastRequest(text=data["bc_text"],
                                audience=AudienceFilter.from_json(data["bc_audience"]),
                                schedule=schedule)

    async def _preview(self, turn: Turn, data: dict[str, Any], member: StaffMember) -> None:
        service = turn.deps.broadcasts
        try:
            preview = await service.preview(turn.conn, self._request(turn, data), turn.now,
                                            scope=member.scope)
        except BroadcastRefused as exc:
            turn.end()
            turn.say("admin.refused_reason", reason=_refusal(turn, exc))
            if exc.key == "broadcast.refuse_no_template":
                turn.say("admin.template_hint")
            return
        turn.say_text(preview_text(turn.t, preview, 0))
        turn.goto(CONFIRM)
        turn.say("admin.confirm", choices=[
            turn.choice_of("admin.confirm_yes", "bcast:yes"),
            turn.choice_of("admin.confirm_no", "bcast:no"),
        ])

    async def _confirm(self, turn: Turn, data: dict[str, Any], member: StaffMember) -> None:
        answer = yes_or_no(turn.choice, turn.text, "bcast:yes", "bcast:no")
        if answer is False:
            turn.end()
            turn.say("admin.dropped")
            return
        if answer is None:
            turn.say("common.choose_again")
            return
        request = self._request(turn, data)
        turn.end()
        try:
            broadcast, _ = await turn.deps.broadcasts.create(turn.conn, request,
                                                             member.actor, turn.now,
                                                             scope=member.scope)
        except BroadcastRefused as exc:
            turn.say("admin.refused_reason", reason=_refusal(turn, exc))
            return
        turn.say("broadcast.created", id=broadcast.id, schedule=request.schedule.describe())
