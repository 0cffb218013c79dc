"""Staff commands in chat: one gate, one audit-actor format, every refusal audited."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import handlers
from bot.app import App, open_app
from core.messages import Channel
from core.settings import load_settings
from tests.support.clock import FakeClock
from tests.support.dialog import User
from tests.support.outreach import rows

pytestmark = pytest.mark.both_backends

ADMIN_PHONE = "+6281311112222"
STAFF_COMMANDS = ("/siaran", "/siaran buat", "/siaran daftar", "/siaran lihat 1",
                  "/siaran jeda 1", "/siaran lanjut 1", "/siaran batal 1", "/stats", "STATISTIK",
                  "/statistik@spibot")
HANDLERS = Path(handlers.__file__).parent


@pytest.fixture
async def staff_app(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             admins=f"telegram:900,whatsapp:{ADMIN_PHONE}")
    async with open_app(settings, clock) as opened:
        yield opened


@pytest.mark.parametrize("command", STAFF_COMMANDS)
@pytest.mark.parametrize(("channel", "sender"), [
    (Channel.TELEGRAM, "123"), (Channel.WHATSAPP, "+6281299990000"), (Channel.WEB, "web-1")])
async def test_every_staff_command_refuses_and_audits_a_citizen(
    staff_app: App, command: str, channel: Channel, sender: str
) -> None:
    citizen = User(staff_app.engine, channel, sender,
                   sender if channel == Channel.WHATSAPP else None)
    await citizen.say(command)
    assert "khusus untuk petugas" in citizen.text
    assert all(r.image is None for r in citizen.last)
    assert await rows(staff_app, "SELECT actor, action FROM audit_log") == [
        (f"{channel}:non-admin", "admin.refused")]
    everything = str(await rows(staff_app, "SELECT * FROM audit_log"))
    assert sender not in everything
    assert await rows(staff_app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


async def test_a_web_chat_session_is_never_staff(tmp_path: Path, clock: FakeClock) -> None:
    # SPI_ADMINS already refuses web: entries; the gate refuses them even if one slipped in.
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db").model_copy(
        update={"admins": ("web:s3ssion",)})
    async with open_app(settings, clock) as app:
        visitor = User(app.engine, Channel.WEB, "s3ssion")
        for command in ("/stats", "/siaran daftar"):
            await visitor.say(command)
            assert "khusus untuk petugas" in visitor.text
        assert await rows(app, "SELECT actor, action FROM audit_log") == [
            ("web:non-admin", "admin.refused")] * 2


async def test_a_staff_dialog_left_by_someone_no_longer_staff_is_refused_and_audited(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "bot.db"
    async with open_app(load_settings(_env_file=None, database_path=path,
                                      admins="telegram:900"), clock) as app:
        await User(app.engine, Channel.TELEGRAM, "900").say("/siaran buat")
    async with open_app(load_settings(_env_file=None, database_path=path), clock) as app:
        former = User(app.engine, Channel.TELEGRAM, "900")
        await former.say("Pengingat SPI untuk {nama}")
        assert "khusus untuk petugas" in former.text
        assert await rows(app, "SELECT actor, action, subject FROM audit_log") == [
            ("telegram:non-admin", "admin.refused", "broadcast")]
        await former.say("halo")
        assert "Pilih yang Anda perlukan" in former.text


async def test_staff_reads_and_changes_share_one_actor_format(staff_app: App) -> None:
    whatsapp_admin = User(staff_app.engine, Channel.WHATSAPP, ADMIN_PHONE, ADMIN_PHONE)
    telegram_admin = User(staff_app.engine, Channel.TELEGRAM, "900")
    await whatsapp_admin.say("STATISTIK")
    await whatsapp_admin.say("/siaran daftar")
    await telegram_admin.say("/stats")
    await telegram_admin.say("/siaran lihat 7")  # refused by the service: nothing to view
    assert await rows(staff_app, "SELECT actor, action FROM audit_log ORDER BY id") == [
        ("whatsapp:admin2", "admin.stats_viewed"), ("whatsapp:admin2", "broadcast.listed"),
        ("telegram:900", "admin.stats_viewed")]


def _handler_modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text("utf-8"))) for path in sorted(HANDLERS.rglob("*.py"))]


def _called_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else
                      func.id if isinstance(func, ast.Name) else "")
    return names


def test_only_the_staff_module_asks_who_is_staff() -> None:
    for path, tree in _handler_modules():
        if path.name != "staff.py":
            assert "is_admin" not in _called_names(tree), path


# Builders of shared, costly or stateful things: handlers get the results through `Deps`.
BUILDERS = frozenset({"shipped_matcher", "load_registry", "load_knowledge", "BroadcastService",
                      "BroadcastRepository", "DeliveryRepository", "Settings", "load_settings",
                      "Database", "SystemClock"})


def test_no_handler_builds_its_own_dependencies() -> None:
    for path, tree in _handler_modules():
        called = _called_names(tree) & BUILDERS
        if path.relative_to(HANDLERS).as_posix() == "faq/matcher.py":
            called -= {"load_knowledge"}  # shipped_matcher's own body; bot/app.py calls it
        assert not called, f"{path} builds {sorted(called)}; take it from turn.deps"
