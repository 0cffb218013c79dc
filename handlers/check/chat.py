"""The checker in a chat: `CEK …`, any message with a link, number or e-mail, or after the menu.

Checks are anonymous: only a daily count per verdict is stored, never the sender or the text,
so no one can learn who received an SPI invitation.
"""

from __future__ import annotations

from handlers.check.checker import MAX_TEXT, check_text, strip_check_word
from handlers.check.extract import extract, refang
from handlers.check.render import render
from handlers.registration import RegistrationEntry
from handlers.turn import Turn

PREFIX = "check"
AWAITING = f"{PREFIX}:await"


def wants_check(text: str) -> bool:
    """`CEK …` or a message that contains a link, a phone number or an e-mail address."""
    body = strip_check_word(text)
    return body != text or bool(extract(refang(text[:MAX_TEXT])))


async def run_check(turn: Turn) -> None:
    result = check_text(turn.text, turn.deps.registry.get())
    await turn.deps.check_stats.count_check(turn.conn, turn.now, result.verdict)
    turn.end()
    turn.say_text(render(turn.deps.catalog, turn.lang, result))


class CheckEntry:
    """Takes idle messages that ask for a check or carry something checkable."""

    async def try_handle(self, turn: Turn) -> bool:
        if not turn.text or not wants_check(turn.text):
            return False
        if not strip_check_word(turn.text).strip():
            turn.goto(AWAITING)
            turn.say("menu.ask_check")
            return True
        await run_check(turn)
        return True


class CheckFlow:
    """After "Cek keaslian" in the menu: the next message is checked, whatever it holds."""

    prefix = PREFIX

    async def step(self, turn: Turn) -> None:
        if turn.msg.start_payload:
            # A QR code scanned while we waited: the person wants to register, not a check.
            turn.end()
            await RegistrationEntry().try_handle(turn)
            return
        if not turn.text:
            turn.say("check.ask_again")
            return
        await run_check(turn)
