"""Routes a turn: global words first, then the active flow, then entries in a visible order.

Before any handler, the turn learns which institution it speaks for (issue 15): the one whose
unit the citizen scanned, while the conversation lasts; else, in a deployment with several, the
one institution the chat (or its proven number) is registered with; else institution 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.turn import Entry, Flow, Turn

HELD = "institution"  # session key: the institution of the unit scanned in this conversation


async def settle_institution(turn: Turn) -> bool:
    """Which institution's name, contact and data this turn is about; True when the deployment
    has several. One cached read in a single-institution deployment; with several, one indexed
    read of the chat's registrations (made before anything is scoped: on PostgreSQL a scoped
    transaction sees one institution's rows)."""
    several = await turn.deps.institutions.several(turn.conn)
    held = turn.session.data.get(HELD)
    if isinstance(held, int) and not isinstance(held, bool):
        if await turn.enter_institution(held, hold=True):
            return several
        turn.session.data.pop(HELD, None)  # an institution that is gone: forget it
    if several:
        mine = await turn.deps.respondents.institutions_of_chat(
            turn.conn, turn.msg.channel, turn.msg.sender, turn.msg.sender_phone)
        if len(mine) == 1:
            await turn.enter_institution(mine[0])
    return several


def keep_institution(turn: Turn) -> None:
    """With several institutions, a dialog that ended still speaks for the scanned unit's
    institution until the conversation goes idle, unless the person's data was just erased
    (nothing is kept then). A single-institution deployment keeps nothing extra."""
    if (turn.held_institution is not None and HELD not in turn.session.data
            and not turn.forgotten and turn.identity_linked is not False):
        turn.session.data[HELD] = turn.held_institution


class Router:
    def __init__(
        self, *, commands: Sequence[Entry], flows: Sequence[Flow], entries: Sequence[Entry],
        fallback: Entry,
    ) -> None:
        self._commands = tuple(commands)
        self._flows = {flow.prefix: flow for flow in flows}
        self._entries = tuple(entries)
        self._fallback = fallback

    async def dispatch(self, turn: Turn) -> None:
        several = await settle_institution(turn)
        await self._dispatch(turn)
        if several:
            keep_institution(turn)

    async def _dispatch(self, turn: Turn) -> None:
        for command in self._commands:
            if await command.try_handle(turn):
                return
        flow = self._flows.get(turn.session.state.partition(":")[0])
        if flow is not None:
            await flow.step(turn)
            return
        for entry in self._entries:
            if await entry.try_handle(turn):
                return
        await self._fallback.try_handle(turn)
