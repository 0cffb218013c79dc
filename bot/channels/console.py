"""The console channel: chat with the bot in a terminal, or script a dialog through a pipe."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from bot.engine.engine import Engine
from core.messages import Channel, Inbound, Reply, SharedContact
from core.phones import to_e164

CONTACT_COMMAND = "/kontak"
QUIT_WORDS = frozenset({"/keluar", "/quit", "/exit"})


@dataclass(frozen=True)
class ConsoleUser:
    """Who the terminal pretends to be."""

    channel: Channel = Channel.CONSOLE
    sender: str = "console-1"
    phone: str | None = None
    name: str | None = None


def render(replies: Sequence[Reply]) -> str:
    """Replies as plain text: choices become a numbered list."""
    blocks = []
    for reply in replies:
        lines = [reply.text]
        lines += [f"  {i}) {choice.label}" for i, choice in enumerate(reply.choices, start=1)]
        if reply.request_contact:
            lines.append(f"  [ketik {CONTACT_COMMAND} untuk membagikan nomor Anda]")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class ConsoleChannel:
    def __init__(self, engine: Engine, user: ConsoleUser, out: TextIO = sys.stdout) -> None:
        self._engine = engine
        self._user = user
        self._out = out

    def _inbound(self, text: str, start_payload: str | None = None) -> Inbound:
        user = self._user
        contact = None
        if text.startswith(CONTACT_COMMAND):
            other = text.removeprefix(CONTACT_COMMAND).strip()
            if other:
                contact = SharedContact(phone=other, is_own=False)
            elif user.phone:
                contact = SharedContact(phone=user.phone, is_own=True)
            text = ""
        sender_phone = to_e164(user.phone) if (
            user.channel == Channel.WHATSAPP and user.phone) else None
        return Inbound(channel=user.channel, sender=sender_phone or user.sender, text=text,
                       contact=contact, start_payload=start_payload,
                       display_name=user.name, sender_phone=sender_phone)

    async def send(self, text: str, start_payload: str | None = None) -> list[Reply]:
        replies = await self._engine.handle(self._inbound(text, start_payload))
        self._out.write(render(replies) + "\n\n")
        self._out.flush()
        return replies

    async def run(self, source: TextIO, start_payload: str | None = None) -> None:
        interactive = source.isatty()
        if interactive:
            self._out.write(
                "Ketik pesan lalu Enter. /kontak membagikan nomor Anda, /keluar selesai.\n\n")
        if start_payload:
            await self.send(f"/start {start_payload}", start_payload)
        while True:
            if interactive:
                try:
                    line = await asyncio.to_thread(input, "> ")
                except EOFError:
                    break
            else:
                line = await asyncio.to_thread(source.readline)
                if not line:
                    break
                line = line.rstrip("\n")
                self._out.write(f"» {line}\n")
            if line.strip() in QUIT_WORDS:
                break
            if line.strip() or line.startswith(CONTACT_COMMAND):
                await self.send(line)
