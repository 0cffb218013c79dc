"""Data-subject rights in chat: STOP (no more messages) and HAPUS DATA (erase, confirmed)."""

from __future__ import annotations

from handlers.turn import Turn
from handlers.words import yes_or_no
from storage.personal_data import erase_respondent
from storage.repositories.respondents import Respondent

CONFIRM = "delete:confirm"


async def _own_respondent(turn: Turn) -> Respondent | None:
    identity = await turn.deps.identities.get(turn.conn, turn.msg.channel, turn.msg.sender)
    if identity is not None:
        return await turn.deps.respondents.get_by_id(turn.conn, identity.respondent_id)
    if turn.msg.sender_phone:  # imported people never chatted, but WhatsApp proves the number
        return await turn.deps.respondents.get_by_phone(turn.conn, turn.msg.sender_phone)
    return None


async def stop_messages(turn: Turn) -> None:
    respondent = await _own_respondent(turn)
    if respondent is None or respondent.id is None:
        turn.say("privacy.stop_unknown")
        return
    await turn.deps.respondents.set_opted_out(turn.conn, respondent.id, turn.now)
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
