"""The end of registration: the summary, and saving it only where the chat may.

Ownership of a number is proven, never assumed: a record whose number its owner has verified
(from that number's WhatsApp, or by sharing their own Telegram contact) changes only by such
proof. A typed number proves nothing, so a chat that typed one may create a record for a free
number or change the unverified record it is itself linked to, and nothing else; the reply is
the same either way, so nobody learns whether a number is registered. Everything here runs in
the turn's write transaction, so the check and the write cannot be separated by another turn.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.messages import Channel
from handlers.registration_prompts import unit_of
from handlers.turn import Turn
from storage.repositories.respondents import Respondent

VERIFIED = "verified"
NOTICE_KEY = "notice"
NOTICE_UNLINKED = "reg.unlinked"


async def _target(turn: Turn, phone: str, proven: bool) -> tuple[Respondent | None, bool]:
    """(the record this submission may change or None for a new one, whether it may be saved
    at all). Read inside the saving transaction: a number verified by its owner after this
    dialog began is seen here."""
    deps = turn.deps
    # A concurrent save of the number waits here.
    await deps.respondents.lock_phone(turn.conn, turn.scope, phone)
    owner = await deps.respondents.get_by_phone(turn.conn, turn.scope, phone)
    identity = await deps.identities.get(turn.conn, turn.scope, turn.msg.channel, turn.msg.sender)
    linked = None
    if identity is not None:
        linked = await deps.respondents.get_by_id(
            turn.conn, identity.respondent_id, scope=turn.scope)
    if owner is not None:
        own_unverified = (linked is not None and linked.id == owner.id
                          and owner.status != VERIFIED)
        return owner, proven or own_unverified
    # A free number: the chat's own record moves to it, unless that record was verified by
    # its owner; then it stays theirs and this number starts a record of its own.
    if linked is not None and linked.status not in (VERIFIED, "erased"):
        return linked, True
    return None, True


async def _unlink_unproven_chats(turn: Turn, record: Respondent, phone: str) -> None:
    """The owner has just proven the number: chats linked before, by a typed number, lose the
    link (and are told when they come back); the owner's own chats keep it."""
    if record.id is None:
        return
    unlinked = 0
    for identity in await turn.deps.identities.list_for_respondent(turn.conn, record.id):
        key = (identity.channel, identity.address)
        if key in ((turn.msg.channel, turn.msg.sender), (Channel.WHATSAPP, phone)):
            continue
        await turn.deps.identities.unlink_in(turn.conn, turn.scope, *key)
        turn.later(turn.deps.sessions.notice_statement(
            *key, NOTICE_UNLINKED, turn.now, turn.deps.settings.default_language))
        turn.forgotten.append(key)
        unlinked += 1
    if unlinked:
        turn.later(turn.deps.audit.entry(turn.now, "respondent", "respondent.chats_unlinked",
                                         f"respondent:{record.id}", count=unlinked,
                                         scope=turn.scope))


async def save_registration(turn: Turn) -> None:
    data, deps, now = turn.session.data, turn.deps, turn.now
    phone: str = data["phone"]
    proven = bool(data["phone_verified"])
    target, allowed = await _target(turn, phone, proven)
    unit = await unit_of(turn)
    turn.end()
    if not allowed:
        # Someone else's number: nothing changes, and the reply is the one a free number
        # typed here gets, so it tells nothing about who is registered.
        turn.later(deps.audit.entry(now, "respondent", "respondent.claim_refused",
                                    f"respondent:{target.id if target else '?'}",
                                    channel=turn.msg.channel, scope=turn.scope))
        turn.say("reg.saved_unverified", name=data["name"], unit=unit.name)
        return
    fields = {
        "phone": phone, "name": data["name"], "email": data.get("email"),
        "unit_code": data["unit"], "category": "external", "respondent_type": data["type"],
        "service": data.get("service"), "service_month": data["when"],
        "status": VERIFIED if proven else "registered", "source": "bot",
        "consent_at": datetime.fromisoformat(data["consent_at"]),
        "consent_version": deps.settings.consent_version,
        # Reminders are their own yes: without it, nothing but KPK's list uses the record.
        "opted_out_at": None if data.get("reminders") else now,
    }
    if target is None:
        saved = await deps.respondents.save(
            turn.conn, turn.scope, Respondent(id=None, **fields), now)
    else:
        saved = await deps.respondents.save(
            turn.conn, turn.scope, replace(target, **fields), now)
    if saved.id is None:
        raise RuntimeError("respondent was saved without an id")
    if proven and target is not None and (target.status != VERIFIED or target.phone != phone):
        await _unlink_unproven_chats(turn, saved, phone)
    # Written now, not at the commit: a turn sharing this commit that proves the number must
    # see this link to remove it.
    await deps.identities.link(turn.conn, turn.msg.channel, turn.msg.sender, saved.id, now)
    turn.identity_linked = True
    turn.later(deps.audit.entry(
        now, "respondent", "respondent.registered" if target is None else "respondent.updated",
        f"respondent:{saved.id}", channel=turn.msg.channel, unit=data["unit"], verified=proven,
        reminders=bool(data.get("reminders")), scope=turn.scope))
    if not proven:
        turn.say("reg.saved_unverified", name=saved.name, unit=unit.name)
    else:
        turn.say("reg.saved_new" if target is None else "reg.saved_updated",
                 name=saved.name, unit=unit.name)


class PendingNotice:
    """Tells a chat, when it next writes, what changed for it meanwhile (its link to a number
    was removed because the number's owner proved it); then lets the message go on."""

    async def try_handle(self, turn: Turn) -> bool:
        key = turn.session.data.pop(NOTICE_KEY, None)
        if key == NOTICE_UNLINKED:
            turn.say(key)
        return False
