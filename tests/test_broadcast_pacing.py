"""Quiet hours per recipient zone and rate-limit pacing, with a fake clock and sleep."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

import pytest

from bot.app import App
from core.messages import Channel
from core.sending import Outbound, SendReceipt
from outreach.dispatcher import DispatchConfig
from outreach.limiter import LimitedSender, Priority, RateLimiter
from outreach.quiet_hours import QuietHours
from tests.support.clock import FakeClock
from tests.support.outreach import (
    FakeSender,
    LookupFakeSender,
    add_person,
    add_zone_units,
    create,
    error,
    fake_sleep,
    request,
    worker,
)

pytestmark = pytest.mark.both_backends


@pytest.mark.parametrize(("utc_hour", "zone", "quiet"), [
    (13, "Asia/Jakarta", False),  # 20:00 WIB
    (14, "Asia/Jakarta", True),  # 21:00 WIB
    (13, "Asia/Makassar", True),  # 21:00 WITA
    (12, "Asia/Jayapura", True),  # 21:00 WIT
    (11, "Asia/Jayapura", False),  # 20:00 WIT
    (23, "Asia/Jakarta", True),  # 06:00 WIB
    (0, "Asia/Jakarta", False),  # 07:00 WIB
    (22, "Asia/Jayapura", False),  # 07:00 WIT
])
def test_quiet_hours_in_each_zone(utc_hour: int, zone: str, quiet: bool) -> None:
    moment = datetime(2026, 11, 21, utc_hour, 0, tzinfo=UTC)
    assert QuietHours().is_quiet(moment, zone) is quiet


def test_quiet_hours_end_and_configurations() -> None:
    late = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)  # 22:30 WITA
    assert QuietHours().resume_at(late, "Asia/Makassar") == \
        datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 07:00 WITA next day
    early = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)  # 05:00 WITA
    assert QuietHours().resume_at(early, "Asia/Makassar") == \
        datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert not QuietHours(time(7), time(7)).is_quiet(late, "Asia/Makassar")
    lunch = QuietHours(time(12), time(13))
    assert lunch.is_quiet(datetime(2026, 11, 21, 4, 30, tzinfo=UTC), "Asia/Makassar")


async def test_deliveries_wait_for_morning_in_their_own_zone(
    app: App, clock: FakeClock
) -> None:
    await add_zone_units(app)
    await add_person(app, "Wib", unit="JKT", address="wib")
    await add_person(app, "Wita", unit="DISDUKCAPIL", address="wita")
    await add_person(app, "Wit", unit="JYP", address="wit")
    clock.set(datetime(2026, 11, 21, 13, 30, tzinfo=UTC))  # 20:30 WIB, 21:30 WITA, 22:30 WIT
    b = await create(app, request(now=clock.now()))
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    wake = await w.dispatcher.send_due()
    assert [m.address for _, m, _ in tg.accepted] == ["wib"]
    assert wake == datetime(2026, 11, 21, 22, 0, tzinfo=UTC)  # 07:00 WIT comes first
    clock.set(wake)
    wake = await w.dispatcher.send_due()
    assert [m.address for _, m, _ in tg.accepted] == ["wib", "wit"]
    assert wake == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 07:00 WITA
    clock.set(wake)
    assert await w.dispatcher.send_due() is None
    assert [m.address for _, m, _ in tg.accepted] == ["wib", "wit", "wita"]
    for at, message, _ in tg.accepted:
        assert not QuietHours().is_quiet(at, {"wib": "Asia/Jakarta", "wit": "Asia/Jayapura",
                                              "wita": "Asia/Makassar"}[message.address])


async def test_whatsapp_broadcast_is_paced_at_the_configured_rate(
    app: App, clock: FakeClock
) -> None:
    for i in range(20):
        await add_person(app, f"W{i}", channel="whatsapp", last_inbound_at=clock.now())
    b = await create(app, request())
    wa = FakeSender(Channel.WHATSAPP, clock)
    limiter = RateLimiter(8, clock=clock, sleep=fake_sleep(clock))
    w = worker(app, wa, limiters={"whatsapp": limiter})
    start = clock.now()
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    offsets = [(at - start).total_seconds() for at, _, _ in wa.accepted]
    assert offsets == pytest.approx([i / 8 for i in range(20)])


async def test_a_429_holds_the_whole_channel_for_retry_after(
    app: App, clock: FakeClock
) -> None:
    for i in range(3):
        await add_person(app, f"T{i}", address=str(i))
    b = await create(app, request())
    tg = FakeSender(Channel.TELEGRAM, clock)
    tg.fail["0"] = [error("retry", "Too Many Requests: retry after 5", "429", retry_after=5)]
    limiter = RateLimiter(25, clock=clock, sleep=fake_sleep(clock), per_key_interval=1.0)
    w = worker(app, tg, limiters={"telegram": limiter})
    start = clock.now()
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    offsets = [(at - start).total_seconds() for at, _, _ in tg.accepted]
    assert offsets[0] >= 5  # the others waited for retry_after too


async def test_limiter_spaces_sends_overall_and_per_chat() -> None:
    clock = FakeClock()
    limiter = RateLimiter(25, clock=clock, sleep=fake_sleep(clock), per_key_interval=1.0)
    start = clock.now().timestamp()
    times = []
    for key in ["a", "b", "a", "c", "a"]:
        await limiter.acquire(key)
        times.append(round(clock.now().timestamp() - start, 3))
    assert times == [0.0, 0.04, 1.0, 1.04, 2.0]


async def test_interactive_replies_go_before_queued_broadcast_sends() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock, sleep=fake_sleep(clock))
    order: list[str] = []

    async def take(name: str, priority: Priority) -> None:
        await limiter.acquire(name, priority)
        order.append(name)

    await limiter.acquire("first")  # the next slot is a second away
    bulk = [asyncio.create_task(take(f"bulk{i}", Priority.BULK)) for i in range(3)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(take("reply", Priority.INTERACTIVE))
    await asyncio.gather(*bulk, reply)
    assert order[0] == "reply"
    assert order[1:] == ["bulk0", "bulk1", "bulk2"]


async def test_limited_sender_shares_the_budget_with_broadcasts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock, sleep=fake_sleep(clock))
    inner = FakeSender(Channel.TELEGRAM, clock)
    replies = LimitedSender(inner, limiter)
    start = clock.now()
    await limiter.acquire("x", Priority.BULK)
    await replies.send(Outbound(Channel.TELEGRAM, "42", "Halo"))
    await replies.send(Outbound(Channel.TELEGRAM, "43", "Halo"))
    assert [(at - start).total_seconds() for at, _, _ in inner.accepted] == [0.5, 1.0]
    inner.fail["44"] = [error("retry", "Too Many Requests", "429", retry_after=10)]
    with pytest.raises(Exception, match="retry"):
        await replies.send(Outbound(Channel.TELEGRAM, "44", "Halo"))
    await replies.send(Outbound(Channel.TELEGRAM, "45", "Halo"))
    assert (inner.accepted[-1][0] - start).total_seconds() >= 11.5


async def test_a_broadcast_keeps_a_bounded_number_of_sends_waiting_for_answers(
    app: App, clock: FakeClock
) -> None:
    """Without a rate limit a broadcast still never holds every HTTP connection: a
    citizen's reply must find one free, and claims must not run ahead of the network."""
    for i in range(60):
        await add_person(app, f"W{i}", channel="whatsapp", last_inbound_at=clock.now())
    b = await create(app, request())

    class SlowSender(LookupFakeSender):
        waiting = 0
        most = 0

        async def send(self, message: Outbound) -> SendReceipt:
            SlowSender.waiting += 1
            SlowSender.most = max(SlowSender.most, SlowSender.waiting)
            try:
                await asyncio.sleep(0.01)  # the provider's answer takes a while
                return await super().send(message)
            finally:
                SlowSender.waiting -= 1

    wa = SlowSender(Channel.WHATSAPP, clock)
    w = worker(app, wa, config=DispatchConfig(batch_size=25, max_in_flight=7))
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert len(wa.per_address()) == 60
    assert SlowSender.most == 7
