"""Reply dispatching, delivery-status ordering, the WhatsApp window, splitting and links."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.channels.dispatch import ReplyDispatcher
from bot.channels.splitting import split_text
from core.delivery_status import advances
from core.messages import Channel, Reply
from core.scope import DEFAULT_SCOPE
from core.sending import Outbound, SendError, SendErrorKind, SendReceipt
from core.settings import Settings, load_settings
from inspectorate.links import telegram_start_link, unit_links, whatsapp_register_link
from outreach.audience import WHATSAPP_WINDOW
from storage.repositories import IdentityRepository, OutboundMessageRepository
from storage.repositories.reply_outbox import QueuedReply, ReplyOutboxRepository
from tests.support.clock import FakeClock
from tests.support.dialog import User, register

pytestmark = pytest.mark.both_backends


class ScriptedSender:
    """A Sender that fails with the given errors first, then succeeds; records everything."""

    def __init__(self, channel: Channel, *errors: SendError) -> None:
        self.channel = channel
        self.errors = list(errors)
        self.sent: list[Outbound] = []
        self.attempts = 0

    async def send(self, message: Outbound) -> SendReceipt:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(message)
        return SendReceipt("id-1")


async def stored(app: App, channel: Channel, address: str, *texts: str) -> list[QueuedReply]:
    """Replies stored in the outbox as a turn stores them."""
    queued, writes = ReplyOutboxRepository().stage(
        channel, address, "turn-1", [Reply(t) for t in texts], app.deps.clock.now())
    async with app.db.transaction():
        for write in writes:
            app.db.later(write)
    return queued


async def outbox_size(app: App) -> int:
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM reply_outbox")
    return int(next(iter(rows))[0])


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def test_retry_waits_retry_after_then_backoff_and_delivers(app: App) -> None:
    sender = ScriptedSender(Channel.TELEGRAM,
                            SendError(SendErrorKind.RETRY, "flood", retry_after=3),
                            SendError(SendErrorKind.RETRY, "5xx"))
    sleeps = Sleeps()
    dispatcher = ReplyDispatcher(sender, app.db, app.deps.clock, sleep=sleeps, base_delay=1)
    assert await dispatcher.send_queued(await stored(app, Channel.TELEGRAM, "42", "a", "b"))
    assert [m.text for m in sender.sent] == ["a", "b"]
    assert await outbox_size(app) == 0
    assert sleeps.delays == [3, 2]


async def test_retries_are_bounded(app: App) -> None:
    sender = ScriptedSender(Channel.TELEGRAM,
                            *[SendError(SendErrorKind.RETRY, "5xx", retry_after=999)] * 10)
    sleeps = Sleeps()
    dispatcher = ReplyDispatcher(sender, app.db, app.deps.clock, sleep=sleeps, attempts=3,
                                 max_delay=30)
    assert not await dispatcher.send_queued(await stored(app, Channel.TELEGRAM, "42", "a"))
    assert sender.attempts == 3
    assert await outbox_size(app) == 0  # given up, reported in the log
    assert sleeps.delays == [30, 30]


async def test_unreachable_marks_the_identity_and_stops(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "555")
    await register(user)
    sender = ScriptedSender(Channel.TELEGRAM, SendError(SendErrorKind.UNREACHABLE, "blocked"))
    dispatcher = ReplyDispatcher(sender, app.db, app.deps.clock, sleep=Sleeps())
    assert not await dispatcher.send_queued(await stored(app, Channel.TELEGRAM, "555", "a", "b"))
    assert sender.attempts == 1
    async with app.db.reading() as conn:
        identity = await app.deps.identities.get(conn, DEFAULT_SCOPE, "telegram", "555")
    assert identity is not None
    assert identity.unreachable_reason == "blocked"


async def test_unexpected_exception_never_escapes(app: App) -> None:
    class Broken:
        channel = Channel.WHATSAPP

        async def send(self, message: Outbound) -> SendReceipt:
            raise RuntimeError("boom")

    dispatcher = ReplyDispatcher(Broken(), app.db, app.deps.clock, sleep=Sleeps())
    assert not await dispatcher.send_queued(await stored(app, Channel.WHATSAPP, "+628", "a"))
    assert await outbox_size(app) == 0  # no lookup here: reported, never sent twice


@pytest.mark.parametrize(("current", "new", "expected"), [
    (None, "queued", True), ("queued", "sent", True), ("sent", "delivered", True),
    ("delivered", "read", True), ("delivered", "sent", False), ("read", "delivered", False),
    ("sent", "sending", False), ("sent", "failed", True), ("queued", "undelivered", True),
    ("delivered", "failed", False), ("read", "undelivered", False), ("failed", "sent", False),
    ("failed", "delivered", False), ("sent", "sent", False), ("sent", "receiving", False),
])
def test_status_order(current: str | None, new: str, expected: bool) -> None:
    assert advances(current, new) is expected


async def test_status_repository_never_moves_backwards(app: App, clock: FakeClock) -> None:
    repo = OutboundMessageRepository()
    async with app.db.transaction() as conn:
        now = clock.now()
        assert await repo.record_status(conn, "SM1", "queued", channel="whatsapp", now=now)
        assert await repo.record_status(conn, "SM1", "delivered", channel="whatsapp", now=now)
        assert not await repo.record_status(conn, "SM1", "sent", channel="whatsapp", now=now)
        assert not await repo.record_status(conn, "SM1", "failed", channel="whatsapp", now=now,
                                            error_code="30008")
        assert await repo.record_status(conn, "SM2", "undelivered", channel="whatsapp", now=now,
                                        error_code="63016")
    async with app.db.reading() as conn:
        first = await repo.get(conn, "SM1")
        second = await repo.get(conn, "SM2")
    assert first is not None
    assert first.status == "delivered"
    assert second is not None
    assert (second.status, second.error_code) == ("undelivered", "63016")


async def test_whatsapp_window_follows_the_last_inbound_message(
    app: App, clock: FakeClock
) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await register(user)
    """The broadcasts' window rule (outreach) reads the identity's last inbound time."""
    async with app.db.reading() as conn:
        identity = await IdentityRepository().get(
            conn, DEFAULT_SCOPE, Channel.WHATSAPP, "+6281234567890")
        unknown = await IdentityRepository().get(
            conn, DEFAULT_SCOPE, Channel.WHATSAPP, "+6289999999999")
    assert identity is not None and identity.last_inbound_at is not None
    assert clock.now() - identity.last_inbound_at < WHATSAPP_WINDOW
    assert clock.now() + timedelta(hours=24) - identity.last_inbound_at >= WHATSAPP_WINDOW
    assert unknown is None


def test_split_prefers_line_breaks_and_keeps_every_word() -> None:
    text = "a" * 10 + "\n" + "b" * 10 + " " + "c" * 10
    assert split_text(text, 15) == ["a" * 10, "b" * 10, "c" * 10]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("", 10) == [""]


def test_links_for_a_unit_poster(settings: Settings) -> None:
    assert whatsapp_register_link("+62 811-2345-678", "DISDUKCAPIL") == (
        "https://wa.me/628112345678?text=DAFTAR%20DISDUKCAPIL")
    assert telegram_start_link("@SpiSukamajuBot", "DISDUKCAPIL") == (
        "https://t.me/SpiSukamajuBot?start=DISDUKCAPIL")
    with pytest.raises(ValueError, match="tautan"):
        telegram_start_link("SpiSukamajuBot", "kode dengan spasi")
    configured = load_settings(_env_file=None, database_path=settings.database_path,
                               twilio_whatsapp_number="+14155238886",
                               telegram_bot_username="SpiSukamajuBot")
    links = unit_links(configured, "RSUD")
    assert links.whatsapp == "https://wa.me/14155238886?text=DAFTAR%20RSUD"
    assert links.telegram == "https://t.me/SpiSukamajuBot?start=RSUD"
    assert unit_links(settings, "RSUD").whatsapp is None
