"""Driving the engine the way a channel does, one user at a time."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.engine.engine import Engine
from core.messages import Channel, Inbound, Reply, SharedContact

_ids = itertools.count(1)


@dataclass
class User:
    """One simulated person on one channel; `say` returns the bot's replies."""

    engine: Engine
    channel: Channel = Channel.TELEGRAM
    sender: str = "1001"
    sender_phone: str | None = None
    last: list[Reply] = field(default_factory=list)

    async def say(self, text: str = "", *, start: str | None = None,
                  contact: SharedContact | None = None, provider_id: str | None = None
                  ) -> list[Reply]:
        msg = Inbound(channel=self.channel, sender=self.sender, text=text, contact=contact,
                      start_payload=start, sender_phone=self.sender_phone,
                      provider_id=provider_id or f"m{next(_ids)}")
        self.last = await self.engine.handle(msg)
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def choices(self) -> list[str]:
        return [c.value for r in self.last for c in r.choices]


async def register(user: User, unit: str = "DISDUKCAPIL", *, name: str = "Siti Aminah",
                   phone: str | None = "081234567890", email: str = "siti@contoh.id") -> None:
    """Walk a full happy-path registration; on WhatsApp the sender's own number is used."""
    await user.say(f"/start {unit}", start=unit)
    await user.say("1")  # consent
    await user.say(name)
    await user.say("1")  # service user
    await user.say("1")  # first service
    await user.say("bulan lalu")
    if user.channel == Channel.WHATSAPP:
        await user.say("1")  # use this number
    elif user.channel == Channel.TELEGRAM and phone:
        await user.say(contact=SharedContact(phone, is_own=True))
    else:
        await user.say(phone or "")
    await user.say(email)
    await user.say("1")  # reminders: yes
    await user.say("1")  # confirm
