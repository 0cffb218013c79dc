"""The one staff gate for chat commands and the one way staff are named in the audit log.

Every staff command in chat (broadcasts, statistics, any later one) asks `admit` first: staff
listed in SPI_ADMINS pass; anyone else gets the same polite refusal and the attempt is audited,
so probing shows up in the log whichever command was tried.
"""

from __future__ import annotations

from core.messages import Channel
from handlers.turn import Turn

REFUSED_ACTION = "admin.refused"


def is_staff(turn: Turn) -> bool:
    """A web chat session id is chosen by whoever opens the page, so it never names staff,
    whatever SPI_ADMINS says."""
    return (turn.msg.channel != Channel.WEB
            and turn.deps.settings.is_admin(turn.msg.channel, turn.msg.sender))


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


async def admit(turn: Turn, command: str) -> bool:
    """True for staff; otherwise refuses politely, audits the attempt and returns False."""
    if is_staff(turn):
        return True
    turn.later(turn.deps.audit.entry(turn.now, refused_actor(turn), REFUSED_ACTION, command))
    turn.say("admin.refused")
    return False


def audit_read(turn: Turn, action: str, subject: str | None = None) -> None:
    """Staff reading data in chat leaves a trace, like every change does."""
    turn.later(turn.deps.audit.entry(turn.now, staff_actor(turn), action, subject))
