"""`/hapusresponden NOMOR` (chat staff): erase one respondent of the staff member's own
institution, for admins only (core/roles.py DELETE_PERSON).

Two steps without a dialog: the command with the number names what will go, the same command
followed by YA erases it. A number of another institution is "not found": staff never learn
whether someone is registered elsewhere (issue 15).
"""

from __future__ import annotations

from core.phones import to_e164
from core.roles import Permission
from handlers.staff import admit
from handlers.turn import Turn
from storage.personal_data import erase_respondent

COMMAND_WORDS = frozenset({"/hapusresponden", "hapusresponden", "/deleterespondent"})
CONFIRM_WORDS = frozenset({"ya", "yes"})


class AdminDeleteEntry:
    async def try_handle(self, turn: Turn) -> bool:
        words = turn.text.split()
        if not words or words[0].split("@")[0].casefold() not in COMMAND_WORDS:
            return False
        member = await admit(turn, "delete", Permission.DELETE_PERSON)
        if member is None:
            return True
        phone = to_e164(words[1]) if len(words) in (2, 3) else None
        if phone is None:
            turn.say("admin.delete_usage")
            return True
        if len(words) == 2 or words[2].casefold() not in CONFIRM_WORDS:
            turn.say("admin.delete_confirm", phone=phone)
            return True
        respondent = await turn.deps.respondents.get_by_phone(turn.conn, member.scope, phone)
        if respondent is None or respondent.id is None or respondent.status == "erased":
            turn.say("admin.delete_not_found", phone=phone)
            return True
        turn.forgotten += await erase_respondent(turn.conn, respondent.id, turn.now,
                                                 actor=member.actor, via="chat_staff",
                                                 pending=turn.batch)
        turn.say("admin.deleted", phone=phone)
        return True
