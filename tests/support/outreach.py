"""Helpers for broadcast tests: an in-process fake sender, people, units, broadcasts."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from telegram.error import Forbidden

from bot.app import App
from bot.channels.telegram.sender import classify as telegram_classify
from bot.channels.whatsapp.errors import send_error
from bot.server.outreach import build_worker
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.sending import Outbound, SendError, SendErrorKind, SendReceipt
from outreach.audience import AudienceFilter
from outreach.dispatcher import DispatchConfig
from outreach.limiter import RateLimiter
from outreach.schedule import Schedule
from outreach.service import BroadcastRequest, BroadcastService
from outreach.worker import OutreachWorker
from storage.repositories.broadcasts import Broadcast
from storage.repositories.respondents import Respondent
from storage.repositories.units import Unit
from tests.support.clock import FakeClock

TEMPLATE = "HX" + "0123456789abcdef" * 2
# The body the fake Content API holds for TEMPLATE (the service reads it before creating).
TEMPLATE_BODY = "Halo {{1}}, pengingat: survei SPI dari KPK bersifat sukarela."


def fake_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the fake clock instead of waiting."""
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)
    return sleep


@dataclass
class FakeSender:
    """Accepts messages and remembers them; `fail[address]` lists errors to raise first."""

    channel: Channel
    clock: FakeClock
    accepted: list[tuple[datetime, Outbound, str]] = field(default_factory=list)
    fail: dict[str, list[SendError]] = field(default_factory=dict)
    calls: int = 0

    async def send(self, message: Outbound) -> SendReceipt:
        self.calls += 1
        errors = self.fail.get(message.address)
        if errors:
            raise errors.pop(0)
        sid = f"SM{len(self.accepted) + 1:032d}"
        self.accepted.append((self.clock.now(), message, sid))
        return SendReceipt(sid, "queued")

    def per_address(self) -> Counter[str]:
        return Counter(m.address for _, m, _ in self.accepted)


@dataclass
class LookupFakeSender(FakeSender):
    """A fake of a channel that can look messages up (like Twilio)."""

    lookups: int = 0

    async def find_sent(self, message: Outbound, since: datetime) -> SendReceipt | None:
        self.lookups += 1
        for at, sent, sid in self.accepted:
            if sent.address == message.address and at >= since and \
                    sent.template_sid == message.template_sid and sent.text == message.text:
                return SendReceipt(sid, "sent")
        return None


def error(kind: str, reason: str, code: str | None = None,
          retry_after: float | None = None) -> SendError:
    return SendError(SendErrorKind(kind), reason, code=code, retry_after=retry_after)


def twilio_error(code: int, status: int = 400) -> SendError:
    """What the WhatsApp adapter raises for this Twilio answer (its one error-code table)."""
    return send_error(code, status, f"Twilio error {code}")


def telegram_refusal(text: str) -> SendError:
    """What the Telegram adapter raises when the Bot API answers 403 with `text`."""
    return telegram_classify(Forbidden(text))


async def add_zone_units(app: App) -> None:
    """Units in each Indonesian time zone next to the sample (WITA) units."""
    async with app.db.transaction() as conn:
        for code, zone in (("JKT", "Asia/Jakarta"), ("JYP", "Asia/Jayapura")):
            await app.deps.units.save(conn, Unit(code, f"Unit {code}", "Wilayah Uji", zone,
                                                 ("Layanan",)), app.deps.clock.now())


_numbers = iter(range(10_000_000, 99_999_999))


async def add_person(
    app: App, name: str | None = "Budi", *, unit: str = "DISDUKCAPIL",
    channel: str | None = "telegram", address: str | None = None,
    last_inbound_at: datetime | None = None, source: str = "bot", status: str = "verified",
    opted_out: bool = False,
) -> tuple[int, str]:
    """A respondent with one chat identity; returns (respondent id, address)."""
    phone = f"+628123{next(_numbers)}"
    now = app.deps.clock.now()
    async with app.db.transaction() as conn:
        saved = await app.deps.respondents.save(conn, DEFAULT_SCOPE, Respondent(
            id=None, phone=phone, name=name, email=None, unit_code=unit, status=status,
            source=source, opted_out_at=now if opted_out else None), now)
        assert saved.id is not None
        if channel is None:
            return saved.id, phone
        addr = address or (phone if channel == "whatsapp" else str(saved.id + 5000))
        await app.deps.identities.link(conn, channel, addr, saved.id, now)
        await conn.execute(
            "UPDATE channel_identities SET last_inbound_at = ? WHERE channel = ? AND address = ?",
            (last_inbound_at.isoformat() if last_inbound_at else None, channel, addr))
    return saved.id, addr


def request(text: str = "Halo {nama}, survei SPI berlangsung sampai 31 Oktober.", *,
            audience: AudienceFilter | None = None, schedule: Schedule | None = None,
            template: str | None = None, variables: dict[str, str] | None = None,
            canary: int = 0, now: datetime | None = None) -> BroadcastRequest:
    return BroadcastRequest(
        text=text, audience=audience or AudienceFilter(),
        schedule=schedule or Schedule.now(now or FakeClock().now()),
        template_sid=template, template_variables=variables or {}, canary_size=canary,
        template_body=TEMPLATE_BODY if template else None)


async def create(app: App, req: BroadcastRequest, *, force: bool = False) -> Broadcast:
    async with app.db.transaction() as conn:
        broadcast, _ = await BroadcastService(app.settings).create(
            conn, req, "cli", app.deps.clock.now(), force=force)
    return broadcast


def worker(app: App, *senders: FakeSender,
           limiters: dict[str, RateLimiter | None] | None = None,
           config: DispatchConfig | None = None) -> OutreachWorker:
    """A worker with fake senders and, unless given, no pacing (tests of pacing pass one)."""
    return build_worker(app, {str(s.channel): s for s in senders},
                        limiters if limiters is not None else {}, config=config)


async def rows(app: App, sql: str, *params: object) -> list[tuple[object, ...]]:
    async with app.db.reading() as conn, conn.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]
