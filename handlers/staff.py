"""The one staff gate for chat commands and the one way staff are named in the audit log.

Every staff command in chat (broadcasts, statistics, deletions, any later one) asks `admit`
first, naming what it needs (core/roles.py). Staff are the people listed in SPI_ADMINS, who
are admins of institution 1 (a single-institution deployment keeps working as before), and
the `staff` rows with a Telegram id or WhatsApp number, who act in their own institution with
their role (issue 15). Anyone else, or staff whose role does not grant the permission, gets a
polite refusal and the attempt is audited, so probing shows up in the log whichever command
was tried.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.messages import Channel
from core.roles import Permission, StaffRole, may
from core.scope import DEFAULT_SCOPE, NATIONAL, Scope
from handlers.turn import Turn
from storage.repositories.chat_staff import ChatStaffRepository

REFUSED_ACTION = "admin.refused"
_STAFF = ChatStaffRepository()  # stateless


@dataclass(frozen=True, slots=True)
class StaffMember:
    role: StaffRole
    scope: Scope  # their institution; NATIONAL for the national role
    actor: str  # how the audit log names them (never a phone number)

    def may(self, permission: Permission) -> bool:
        return may(self.role, permission)


def is_settings_admin(turn: Turn) -> bool:
    """A web chat session id is chosen by whoever opens the page, so it never names staff,
    whatever SPI_ADMINS says."""
    return (turn.msg.channel != Channel.WEB
            and turn.deps.settings.is_admin(turn.msg.channel, turn.msg.sender))


async def staff_member(turn: Turn) -> StaffMember | None:
    """Who this sender is as staff, if anyone: SPI_ADMINS (admins of institution 1), else an
    active `staff` row with this chat address."""
    if turn.msg.channel == Channel.WEB:
        return None
    if is_settings_admin(turn):
        return StaffMember(StaffRole.ADMIN, DEFAULT_SCOPE, staff_actor(turn))
    found = await _STAFF.find(turn.conn, str(turn.msg.channel), turn.msg.sender)
    if found is None:
        return None
    scope = NATIONAL if found.institution_id is None else Scope(found.institution_id)
    return StaffMember(found.role, scope, f"staff:{found.username}")


def staff_actor(turn: Turn) -> str:
    """Who did it, for the audit log: a Telegram id, or the admin's place in SPI_ADMINS for
    WhatsApp (a phone number, even masked, never goes into the audit log)."""
    channel, address = str(turn.msg.channel), turn.msg.sender
    if turn.msg.channel == Channel.WHATSAPP:
        key = f"{channel}:{address}"
        admins = turn.deps.settings.admins
        return f"{channel}:admin{admins.index(key) + 1}" if key in admins else f"{channel}:?"
    return f"{channel}:{address}"


def refused_actor(turn: Turn) -> str:
    """A refused sender is usually a citizen: their chat address is personal data, so only
    the channel is kept."""
    return f"{turn.msg.channel}:non-admin"


async def admit(turn: Turn, command: str,
                *permissions: Permission) -> StaffMember | None:
    """The staff member when they are staff and their role grants one of `permissions` (any
    staff when none is named); otherwise refuses politely, audits the attempt and returns
    None."""
    member = await staff_member(turn)
    if member is not None and (not permissions or any(member.may(p) for p in permissions)):
        return member
    if member is None:
        turn.later(turn.deps.audit.entry(turn.now, refused_actor(turn), REFUSED_ACTION,
                                         command))
        turn.say("admin.refused")
    else:
        turn.later(turn.deps.audit.entry(turn.now, member.actor, REFUSED_ACTION, command,
                                         scope=member.scope, role=str(member.role)))
        turn.say("admin.role_refused")
    return None


def audit_read(turn: Turn, member: StaffMember, action: str,
               subject: str | None = None) -> None:
    """Staff reading data in chat leaves a trace, like every change does."""
    turn.later(turn.deps.audit.entry(turn.now, member.actor, action, subject,
                                     scope=member.scope))
