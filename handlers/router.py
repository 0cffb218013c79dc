"""Routes a turn: global words first, then the active flow, then entries in a visible order."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.turn import Entry, Flow, Turn


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
