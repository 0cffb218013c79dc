"""Sending: exactly once, opt-out at send time, error classification, template fallback,
canary, pause/resume/cancel, crash reconciliation and progress."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.sending import Outbound
from outreach.dispatcher import DispatchConfig
from outreach.progress import RunProgress
from outreach.service import BroadcastService
from storage.personal_data import erase_respondent
from storage.repositories.broadcasts import Broadcast
from storage.repositories.outbound import OutboundMessageRepository
from tests.support.clock import FakeClock
from tests.support.outreach import (
    TEMPLATE,
    FakeSender,
    LookupFakeSender,
    add_person,
    create,
    error,
    request,
    rows,
    telegram_refusal,
    twilio_error,
    worker,
)
from tests.support.pii import table_names

pytestmark = pytest.mark.both_backends


async def states(app: App) -> dict[str, str]:
    return {str(a): f"{s}{'/' + str(r) if r else ''}" for a, s, r in await rows(
        app, "SELECT address, state, reason FROM deliveries ORDER BY id")}


async def progress(app: App, bid: int) -> tuple[Broadcast, list[RunProgress]]:
    async with app.db.reading() as conn:
        return await BroadcastService(app.settings).progress(conn, bid, app.deps.clock.now())


async def control(app: App, action: str, bid: int) -> None:
    service = BroadcastService(app.settings)
    async with app.db.transaction() as conn:
        await getattr(service, action)(conn, bid, "cli", app.deps.clock.now())


async def test_each_recipient_gets_the_rendered_text_once(app: App, clock: FakeClock) -> None:
    for i in range(450):  # more than two batches
        await add_person(app, f"Orang {i}")
    b = await create(app, request("Halo {nama} ({unit})"))
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    await w.fire(b.id or 0)  # the scheduler firing twice changes nothing
    await w.dispatcher.send_due()
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 450
    assert set(tg.per_address().values()) == {1}
    assert tg.accepted[0][1].text == "Halo Orang 0 (Dinas Kependudukan dan Pencatatan Sipil)"
    assert await rows(app, "SELECT state, COUNT(*) FROM deliveries GROUP BY state") == \
        [("sent", 450)]
    assert await rows(app, "SELECT state FROM broadcast_runs") == [("completed",)]
    assert await rows(app, "SELECT state FROM broadcasts") == [("completed",)]


async def test_opt_out_and_erasure_are_checked_again_at_send_time(
    app: App, clock: FakeClock
) -> None:
    stays, _ = await add_person(app, "Tetap", address="1")
    leaves, _ = await add_person(app, "Berhenti", address="2")
    erased, _ = await add_person(app, "Hapus", address="3")
    b = await create(app, request())
    w = worker(app, tg := FakeSender(Channel.TELEGRAM, clock))
    await w.fire(b.id or 0)  # the list is made now ...
    async with app.db.transaction() as conn:  # ... and then two people change their minds
        await app.deps.respondents.set_opted_out(conn, DEFAULT_SCOPE, leaves, clock.now())
        await erase_respondent(conn, erased, clock.now(), actor="test", via="test")
    await w.dispatcher.send_due()
    assert [m.address for _, m, _ in tg.accepted] == ["1"]
    # the erased person's delivery keeps its outcome, not their chat address
    assert await states(app) == {"1": "sent", "2": "skipped/opted_out", "": "skipped/erased"}
    assert stays


async def test_retry_respects_retry_after_then_sends_once(app: App, clock: FakeClock) -> None:
    await add_person(app, "A", address="1")
    await add_person(app, "B", address="2")
    b = await create(app, request())
    tg = FakeSender(Channel.TELEGRAM, clock)
    tg.fail["1"] = [error("retry", "Too Many Requests", "429", retry_after=30),
                    error("retry", "Bad Gateway", "502")]
    w = worker(app, tg)
    await w.fire(b.id or 0)
    wake = await w.dispatcher.send_due()
    assert wake == clock.now() + timedelta(seconds=30)
    assert await states(app) == {"1": "pending/rate_limited", "2": "sent"}
    clock.advance(seconds=29)
    await w.dispatcher.send_due()
    assert tg.calls == 2  # not before retry_after
    clock.advance(seconds=1)
    wake = await w.dispatcher.send_due()
    assert wake == clock.now() + timedelta(seconds=10)  # second attempt: backoff 10 s
    clock.advance(seconds=10)
    await w.dispatcher.send_due()
    assert tg.per_address() == {"1": 1, "2": 1}
    assert await rows(app, "SELECT attempts FROM deliveries WHERE address = '1'") == [(3,)]


async def test_temporary_errors_give_up_after_max_attempts(app: App, clock: FakeClock) -> None:
    await add_person(app, "A", address="1")
    b = await create(app, request())
    tg = FakeSender(Channel.TELEGRAM, clock)
    tg.fail["1"] = [error("retry", "timeout")] * 10
    w = worker(app, tg)
    await w.fire(b.id or 0)
    for _ in range(10):
        await w.dispatcher.send_due()
        clock.advance(minutes=20)
    assert tg.calls == app.settings.broadcast_max_attempts
    assert await states(app) == {"1": "failed/retries_exhausted"}


async def test_final_errors_are_not_retried_and_opt_out_signals_mark_the_person(
    app: App, clock: FakeClock
) -> None:
    blocked, _ = await add_person(app, "Blokir", address="1")
    gone, _ = await add_person(app, "Nonaktif", address="2")
    unsub, wa_unsub = await add_person(app, "Unsub", channel="whatsapp",
                                       last_inbound_at=clock.now())
    _, wa_bad = await add_person(app, "Salah", channel="whatsapp", last_inbound_at=clock.now())
    _, wa_tpl = await add_person(app, "Templat", channel="whatsapp",
                                 last_inbound_at=clock.now())
    b = await create(app, request(template=TEMPLATE, variables={"1": "{nama}"}))
    tg, wa = FakeSender(Channel.TELEGRAM, clock), FakeSender(Channel.WHATSAPP, clock)
    tg.fail["1"] = [telegram_refusal("Forbidden: bot was blocked by the user")]
    tg.fail["2"] = [telegram_refusal("Forbidden: user is deactivated")]
    wa.fail[wa_unsub] = [twilio_error(21610)]
    wa.fail[wa_bad] = [twilio_error(21211)]
    wa.fail[wa_tpl] = [twilio_error(63032)]
    w = worker(app, tg, wa)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    clock.advance(hours=1)
    await w.dispatcher.send_due()
    assert tg.calls == 2 and wa.calls == 3  # nothing retried
    assert await states(app) == {
        "1": "failed/blocked", "2": "failed/unreachable", wa_unsub: "failed/unsubscribed",
        wa_bad: "failed/invalid_number", wa_tpl: "failed/template_problem"}
    opted = await rows(app, "SELECT id FROM respondents WHERE opted_out_at IS NOT NULL")
    assert sorted(r[0] for r in opted) == sorted([blocked, unsub])
    unreachable = await rows(app, "SELECT address FROM channel_identities "
                                  "WHERE unreachable_at IS NOT NULL ORDER BY address")
    assert {r[0] for r in unreachable} == {"1", "2", wa_unsub, wa_bad}
    assert gone


async def test_a_burst_of_unreachables_pauses_and_alerts_instead_of_opting_out(
    app: App, clock: FakeClock
) -> None:
    for i in range(60):
        await add_person(app, f"P{i}", address=str(i))
    b = await create(app, request())
    tg = FakeSender(Channel.TELEGRAM, clock)
    for i in range(60):
        tg.fail[str(i)] = [telegram_refusal("Forbidden: bot was blocked by the user")]
    w = worker(app, tg, config=DispatchConfig(batch_size=10))
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert await rows(app, "SELECT state FROM broadcasts") == [("paused",)]
    assert w.notifier.sent == ["broadcast.alert_burst"]
    opted = await rows(app, "SELECT COUNT(*) FROM respondents WHERE opted_out_at IS NOT NULL")
    assert opted == [(0,)]
    reasons = dict(await rows(app, "SELECT reason, COUNT(*) FROM deliveries GROUP BY reason"))
    assert reasons == {"blocked_unconfirmed": 20, None: 40}  # 40 still queued
    assert tg.calls == 20


async def test_outside_window_falls_back_to_the_template(app: App, clock: FakeClock) -> None:
    _, addr = await add_person(app, "Rina", channel="whatsapp",
                               last_inbound_at=clock.now() - timedelta(hours=2))
    b = await create(app, request("Halo {nama}", template=TEMPLATE,
                                  variables={"1": "{nama}", "2": "{unit}"}))
    wa = FakeSender(Channel.WHATSAPP, clock)
    wa.fail[addr] = [twilio_error(63016)]
    w = worker(app, wa)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert wa.calls == 2
    [(_, sent, _)] = wa.accepted
    assert sent.template_sid == TEMPLATE and sent.text == ""
    assert dict(sent.template_variables) == {
        "1": "Rina", "2": "Dinas Kependudukan dan Pencatatan Sipil"}
    assert await states(app) == {addr: "sent"}


async def test_outside_window_without_template_fails_without_retry(
    app: App, clock: FakeClock
) -> None:
    _, addr = await add_person(app, "Rina", channel="whatsapp", last_inbound_at=clock.now())
    b = await create(app, request())
    wa = FakeSender(Channel.WHATSAPP, clock)
    wa.fail[addr] = [twilio_error(63016)]
    w = worker(app, wa)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert await states(app) == {addr: "failed/outside_window"}


async def test_canary_waits_for_confirmation(app: App, clock: FakeClock) -> None:
    for i in range(10):
        await add_person(app, f"P{i}", address=str(i))
    b = await create(app, request(canary=3))
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert await w.dispatcher.send_due() is None  # nothing to wake up for until confirmed
    assert [m.address for _, m, _ in tg.accepted] == ["0", "1", "2"]
    assert await rows(app, "SELECT state FROM broadcast_runs") == [("canary_wait",)]
    assert w.notifier.sent == ["broadcast.alert_canary"]
    await control(app, "resume", b.id or 0)
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 10 and set(tg.per_address().values()) == {1}
    assert await rows(app, "SELECT state FROM broadcast_runs") == [("completed",)]


async def test_pause_resume_and_cancel(app: App, clock: FakeClock) -> None:
    for i in range(5):
        await add_person(app, f"P{i}", address=str(i))
    b = await create(app, request())
    bid = b.id or 0
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(bid)
    await control(app, "pause", bid)
    await w.dispatcher.send_due()
    assert tg.calls == 0
    await control(app, "resume", bid)
    tg.fail["3"] = [error("retry", "timeout")]
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 4
    await control(app, "cancel", bid)
    clock.advance(minutes=5)
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 4
    assert (await states(app))["3"] == "skipped/cancelled"
    actions = [r[0] for r in await rows(
        app, "SELECT action FROM audit_log WHERE actor = 'cli' ORDER BY id")]
    assert actions == ["broadcast.created", "broadcast.paused", "broadcast.resumed",
                       "broadcast.cancelled"]


async def test_after_a_crash_nobody_is_sent_twice(app: App, clock: FakeClock) -> None:
    _, tg_addr = await add_person(app, "Tele", address="1")
    _, wa_sent = await add_person(app, "Sudah", channel="whatsapp",
                                  last_inbound_at=clock.now())
    _, wa_lost = await add_person(app, "Belum", channel="whatsapp",
                                  last_inbound_at=clock.now())
    b = await create(app, request(template=TEMPLATE, variables={"1": "{nama}"}))
    tg, wa = FakeSender(Channel.TELEGRAM, clock), LookupFakeSender(Channel.WHATSAPP, clock)
    w = worker(app, tg, wa)
    await w.fire(b.id or 0)
    # A crash right after the provider accepted two messages, before they were settled:
    async with app.db.transaction() as conn:
        await conn.execute("UPDATE deliveries SET state = 'sending', attempts = 1, "
                           "sending_at = ?", (clock.now().isoformat(),))
    await tg.send(Outbound(Channel.TELEGRAM, tg_addr, "x"))
    await wa.send(Outbound(Channel.WHATSAPP, wa_sent, "Halo Sudah, survei SPI berlangsung "
                                                        "sampai 31 Oktober."))
    clock.advance(seconds=3)
    restarted = worker(app, tg, wa)
    assert await restarted.dispatcher.reconcile(startup=True) == 3
    assert await states(app) == {tg_addr: "unknown/outcome_unknown",
                                 wa_sent: "sent/confirmed_after_restart",
                                 wa_lost: "pending/not_received_by_provider"}
    await restarted.dispatcher.send_due()
    assert wa.per_address() == {wa_sent: 1, wa_lost: 1}
    assert tg.per_address() == {tg_addr: 1}
    _, [run] = await progress(app, b.id or 0)
    assert (run.sent, run.unknown, run.queued) == (2, 1, 0)


async def test_progress_reports_callbacks_reasons_and_eta(app: App, clock: FakeClock) -> None:
    for i in range(4):
        await add_person(app, f"W{i}", channel="whatsapp", last_inbound_at=clock.now())
    await add_person(app, "Stop", channel="whatsapp", last_inbound_at=clock.now(),
                     opted_out=False)
    b = await create(app, request())
    wa = FakeSender(Channel.WHATSAPP, clock)
    w = worker(app, wa)
    await w.fire(b.id or 0)
    _, [before] = await progress(app, b.id or 0)
    assert before.queued == 5
    assert before.eta == clock.now() + timedelta(seconds=5 / 8)
    await w.dispatcher.send_due()
    sids = [sid for _, _, sid in wa.accepted]
    statuses = OutboundMessageRepository()  # what Twilio's status callbacks update
    callbacks = [(sids[0], "read", None), (sids[1], "delivered", None),
                 (sids[2], "undelivered", "63024"),
                 # Out of order: an older "sent" and "delivered" never replace "read".
                 (sids[0], "sent", None), (sids[0], "delivered", None)]
    async with app.db.transaction() as conn:
        for sid, status, code in callbacks:
            await statuses.record_status(conn, sid, status, channel="whatsapp",
                                         now=clock.now(), error_code=code)
    _, [run] = await progress(app, b.id or 0)
    assert (run.sent, run.delivered, run.read, run.failed) == (4, 2, 1, 1)
    assert run.reasons == {"undelivered": 1}
    assert run.eta is None


async def test_replies_to_a_broadcast_are_ordinary_messages(app: App, clock: FakeClock) -> None:
    from tests.support.dialog import User

    await add_person(app, "Siti", address="5001")
    b = await create(app, request())
    w = worker(app, FakeSender(Channel.TELEGRAM, clock))
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    async with app.db.reading() as conn:
        tables_before = await table_names(conn)
    person = User(app.engine, Channel.TELEGRAM, "5001")
    await person.say("sudah, saya sudah isi surveinya")
    stranger = User(app.engine, Channel.TELEGRAM, "9999")  # never got a broadcast
    await stranger.say("sudah, saya sudah isi surveinya")
    assert person.text == stranger.text  # the normal FAQ/checker answers, nothing special
    async with app.db.reading() as conn:
        assert await table_names(conn) == tables_before
    everything = str(await rows(app, "SELECT * FROM deliveries")) + \
        str(await rows(app, "SELECT * FROM audit_log"))
    assert "isi surveinya" not in everything  # nothing of the answer is kept per broadcast
