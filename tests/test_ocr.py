"""Screenshots and photos (issue 13): pictures the tests draw are read by Tesseract and get the
verdict of their text; bad, huge and bomb-like pictures are refused politely; through the front
door on Telegram (getFile + file download) and WhatsApp (Twilio's MediaUrl0 with the account's
credentials), with the real server and the loopback fakes."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from bot.app import App, open_app
from bot.channels import images
from bot.channels.images import fetch_limited, read_inbound_image
from core.messages import Channel, Inbound, InboundImage
from handlers import ocr
from handlers.check.checker import check_text
from handlers.check.registry import load_registry
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_webhooks import inbound_message
from tests.support.clock import FakeClock
from tests.support.dialog import User
from tests.support.screenshots import (
    FAKE_FEE,
    FAKE_LINK,
    GENUINE,
    blurred,
    encoded,
    pixel_bomb,
    screenshot,
    turned,
)
from tests.support.server import RunningServer, running_server
from tests.support.telegram_updates import document_update, photo_update, text_update
from tests.test_telegram_channel import telegram_settings
from tests.test_whatsapp_webhook import INBOUND, PHONE, post_signed, whatsapp_settings

needs_tesseract = pytest.mark.skipif(not ocr.ocr_available(),
                                     reason="tesseract with Indonesian data is not installed")
_ids = itertools.count(9_000)
YEAR = 2026
NOT_READ = ("tidak bisa saya baca", "terlalu besar", "hanya bisa membaca", "tidak berhasil")


def verdict(text: str) -> str:
    return check_text(text, load_registry(), year=YEAR).verdict


# --- Reading pictures --------------------------------------------------------------------

@needs_tesseract
@pytest.mark.parametrize(("text", "kind"), [
    (FAKE_LINK, "PNG"), (FAKE_LINK, "JPEG"), (FAKE_FEE, "PNG"), (GENUINE, "PNG"),
    (GENUINE, "JPEG"), (GENUINE, "WEBP")])
def test_rendered_invitations_get_the_verdict_of_their_text(text: str, kind: str) -> None:
    reading = ocr.read_image_sync(encoded(screenshot(text), kind))
    assert reading.problem == ""
    assert verdict(reading.text) == verdict(text) != "unknown"


@needs_tesseract
def test_dark_mode_and_small_screenshots_are_read() -> None:
    for picture in (screenshot(FAKE_LINK, dark=True), screenshot(GENUINE, width=540)):
        reading = ocr.read_image_sync(encoded(picture))
        assert reading.problem == ""
    assert verdict(reading.text) == verdict(GENUINE)


@needs_tesseract
@pytest.mark.parametrize("damage", ["blurred", "turned", "upside_down", "very_blurred"])
def test_blurred_and_turned_pictures_get_the_right_verdict_or_a_request_for_the_text(
    damage: str
) -> None:
    shot = screenshot(FAKE_LINK)
    picture = {"blurred": blurred(shot), "turned": turned(shot, 90),
               "upside_down": turned(shot, 180), "very_blurred": blurred(shot, 5)}[damage]
    reading = ocr.read_image_sync(encoded(picture))
    if reading.problem:
        assert reading.problem == ocr.UNREADABLE
    else:
        assert verdict(reading.text) == verdict(FAKE_LINK)
    if damage == "very_blurred":
        assert reading.problem == ocr.UNREADABLE  # guesses are never checked


@needs_tesseract
def test_exif_orientation_turns_a_photo_before_reading() -> None:
    """A phone held sideways saves the pixels turned and says so in EXIF (orientation 6:
    turn 90° clockwise to view); no orientation guess is needed."""
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encoded(turned(screenshot(GENUINE), 90), "JPEG", quality=90, exif=exif)
    reading = ocr.read_image_sync(data)
    assert (reading.problem, reading.turned) == ("", 0)
    assert verdict(reading.text) == verdict(GENUINE)


@needs_tesseract
def test_out_of_time_is_a_request_for_the_text_not_an_error() -> None:
    reading = ocr.read_image_sync(encoded(screenshot(GENUINE)), deadline=time.monotonic())
    assert (reading.text, reading.problem) == ("", ocr.UNREADABLE)


@needs_tesseract
def test_when_every_tesseract_is_busy_the_person_is_asked_to_try_again(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "QUEUE_SECONDS", 0.0)
    taken = 0
    while ocr._tesseract_slots.acquire(blocking=False):
        taken += 1
    try:
        reading = ocr.read_image_sync(encoded(screenshot(GENUINE)))
    finally:
        for _ in range(taken):
            ocr._tesseract_slots.release()
    assert (reading.text, reading.problem) == ("", ocr.BUSY)


def test_links_wrapped_by_the_screen_are_joined_again() -> None:
    assert ocr.join_wrapped(["Isi di https://spi-", "kpk.go-id.info/s/8Hk2 hari ini"]) == \
        "Isi di https://spi-kpk.go-id.info/s/8Hk2 hari ini"
    assert ocr.join_wrapped(["buka spi-kpk.go-id.info/s/", "8Hk2"]) == \
        "buka spi-kpk.go-id.info/s/8Hk2"
    # A sentence ending with a link's full stop, or a hyphenated word, stays two lines.
    assert ocr.join_wrapped(["di https://spi.kpk.go.id/s/A.", "Survei"]) == \
        "di https://spi.kpk.go.id/s/A.\nSurvei"
    assert ocr.join_wrapped(["anak-", "anak"]) == "anak-\nanak"


# --- Limits before any work ---------------------------------------------------------------

@pytest.mark.parametrize(("size", "problem"), [
    ((30_000, 30_000), ocr.TOO_MANY_PIXELS),  # 900 MP: Pillow's own bomb guard
    ((8_000, 8_000), ocr.TOO_MANY_PIXELS),  # 64 MP: under Pillow's guard, over ours
])
def test_pixel_bombs_are_refused_from_the_header(size: tuple[int, int], problem: str) -> None:
    data = pixel_bomb(*size)
    assert len(data) < ocr.MAX_BYTES  # small on the wire: only the pixel count gives it away
    with pytest.raises(ocr.ImageRefused) as refused:
        ocr._decode(data)
    assert refused.value.problem == problem


@pytest.mark.parametrize("data", [
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", b"%PDF-1.7 not a picture", b"",
    b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
def test_other_formats_are_refused_whatever_was_declared(data: bytes) -> None:
    with pytest.raises(ocr.ImageRefused) as refused:
        ocr._decode(data)
    assert refused.value.problem == ocr.BAD_TYPE


def test_a_truncated_picture_is_unreadable_not_an_error() -> None:
    data = encoded(screenshot(GENUINE), "JPEG")
    with pytest.raises(ocr.ImageRefused) as refused:
        ocr._decode(data[: len(data) // 3])
    assert refused.value.problem == ocr.UNREADABLE


def test_declared_types_outside_the_allow_list() -> None:
    assert ocr.allowed_type("image/jpeg") and ocr.allowed_type("image/PNG; q=1")
    assert ocr.allowed_type("image/webp") and ocr.allowed_type("")
    assert not ocr.allowed_type("image/gif") and not ocr.allowed_type("image/svg+xml")
    assert not ocr.allowed_type("application/zip")


async def test_downloads_stop_at_the_size_cap_while_streaming() -> None:
    """The server lies about nothing (no Content-Length, chunked): the cap still holds."""
    sent: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        answer = web.StreamResponse(headers={"Content-Type": "image/png"})
        await answer.prepare(request)
        try:
            for _ in range(100):  # 25 MB if nobody stops it
                await answer.write(b"\0" * 256 * 1024)
                sent.append(1)
        except (ConnectionResetError, RuntimeError):
            pass
        return answer

    async def gif(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"GIF89a", content_type="image/gif")

    app = web.Application()
    app.router.add_get("/big", endless)
    app.router.add_get("/gif", gif)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(ocr.ImageRefused) as refused:
                await fetch_limited(session, f"http://127.0.0.1:{port}/big")
            assert refused.value.problem == ocr.TOO_BIG
            with pytest.raises(ocr.ImageRefused) as refused:
                await fetch_limited(session, f"http://127.0.0.1:{port}/gif")
            assert refused.value.problem == ocr.BAD_TYPE
    finally:
        await runner.cleanup()
    assert len(sent) < 100


async def test_declared_type_and_size_are_refused_before_downloading() -> None:
    fetched: list[InboundImage] = []

    async def fetch(image: InboundImage) -> bytes:
        fetched.append(image)
        return b""

    for image, problem in ((InboundImage("f1", "image/gif"), ocr.BAD_TYPE),
                           (InboundImage("f2", "image/jpeg", size=ocr.MAX_BYTES + 1),
                            ocr.TOO_BIG)):
        msg = await read_inbound_image(Inbound(Channel.TELEGRAM, "1", image=image), fetch)
        assert msg.image is not None
        assert msg.image.problem in (problem, ocr.NO_OCR)
    assert fetched == []


async def test_too_many_pictures_at_once_are_not_queued_without_bound(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.channels.images.ocr_available", lambda: True)
    monkeypatch.setattr("bot.channels.images._in_flight", images.MAX_IN_FLIGHT)
    fetched: list[InboundImage] = []

    async def fetch(image: InboundImage) -> bytes:
        fetched.append(image)
        return b""

    msg = await read_inbound_image(
        Inbound(Channel.WHATSAPP, "+6281", image=InboundImage("u", "image/png")), fetch)
    assert msg.image is not None and msg.image.problem == ocr.BUSY
    assert fetched == []


# --- In a conversation ----------------------------------------------------------------------

@needs_tesseract
async def test_ocr_runs_off_the_event_loop_so_other_chats_go_on(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one person's picture is being read, another person's message is answered; the
    reading waits for that answer, so were it on the event loop this test would hang."""
    other_answered = threading.Event()
    real = ocr.read_image_sync

    def slow_read(data: bytes, **kwargs: object) -> ocr.Reading:
        assert other_answered.wait(timeout=60)
        return real(data)

    monkeypatch.setattr(ocr, "read_image_sync", slow_read)
    data = encoded(screenshot(FAKE_LINK))

    async def fetch(_: InboundImage) -> bytes:
        return data

    async def prepare(msg: Inbound) -> Inbound:
        return await read_inbound_image(msg, fetch)

    picture = Inbound(Channel.TELEGRAM, "2001", provider_id="p1",
                      image=InboundImage("file-1", "image/jpeg"))
    reading = asyncio.create_task(app.engine.handle(picture, prepare=prepare))
    other = User(app.engine, sender="2002")
    assert await other.say("halo")
    other_answered.set()
    replies = await reading
    assert "MENCURIGAKAN" in replies[0].text
    assert "Gambar Anda tidak disimpan" in replies[0].text


async def test_without_tesseract_the_bot_asks_for_the_text(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.channels.images.ocr_available", lambda: False)
    fetched: list[str] = []

    async def fetch(image: InboundImage) -> bytes:
        fetched.append(image.ref)
        return b""

    async def prepare(msg: Inbound) -> Inbound:
        return await read_inbound_image(msg, fetch)

    for lang, words in (("id", "hanya bisa membaca teks"), ("en", "I can only read text")):
        sender = f"30{lang}"
        if lang == "en":
            await User(app.engine, sender=sender).say("BAHASA EN")
        msg = Inbound(Channel.TELEGRAM, sender, provider_id=f"n-{lang}",
                      image=InboundImage("file-2", "image/jpeg"))
        replies = await app.engine.handle(msg, prepare=prepare)
        assert words in replies[-1].text
    assert fetched == []


@needs_tesseract
async def test_a_picture_mid_registration_is_checked_and_the_flow_goes_on(app: App) -> None:
    user = User(app.engine, sender="4001")
    await user.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    await user.say("1")  # consent
    data = encoded(screenshot(GENUINE))

    async def fetch(_: InboundImage) -> bytes:
        return data

    async def prepare(msg: Inbound) -> Inbound:
        return await read_inbound_image(msg, fetch)

    msg = Inbound(Channel.TELEGRAM, "4001", provider_id="r-1",
                  image=InboundImage("file-3", "image/jpeg"))
    replies = await app.engine.handle(msg, prepare=prepare)
    assert "RESMI" in replies[0].text
    await user.say("Siti Aminah")  # still the name the registration asked for
    assert "sebagai apa" in user.text  # the next question of the registration


# --- Through the front door -----------------------------------------------------------------

@pytest.fixture
async def telegram_server(tmp_path: Path, telegram_api: FakeTelegramApi, clock: FakeClock
                          ) -> AsyncIterator[RunningServer]:
    async with (open_app(telegram_settings(tmp_path, telegram_api), clock) as app,
                running_server(app) as server):
        yield server


async def deliver(server: RunningServer, api: FakeTelegramApi, update: dict[str, object]
                  ) -> list[str]:
    before = len(api.calls("sendMessage"))
    api.push_update(update)
    await api.wait_for(lambda: len(api.calls("sendMessage")) > before)
    await server.settled()
    return [str(c.params["text"]) for c in api.calls("sendMessage")[before:]]


@needs_tesseract
async def test_telegram_photo_is_read_and_checked(
    telegram_server: RunningServer, telegram_api: FakeTelegramApi,
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # PTB's own DEBUG log shows every reply's text
    for ours in ("bot", "handlers", "core", "storage"):
        caplog.set_level(logging.DEBUG, logger=ours)
    data = encoded(screenshot(FAKE_LINK), "JPEG", quality=85)
    telegram_api.files["ph-1"] = data
    texts = await deliver(telegram_server, telegram_api,
                          photo_update(next(_ids), 5001, "ph-1", size=len(data)))
    assert "MENCURIGAKAN" in texts[0] and "Gambar Anda tidak disimpan" in texts[0]
    assert [c.params["file_id"] for c in telegram_api.calls("getFile")] == ["ph-1"]
    # Neither the picture's words nor the link read from it reach the logs.
    assert "go-id.info" not in caplog.text and "terpilih" not in caplog.text
    # A text message afterwards is a text message again.
    texts = await deliver(telegram_server, telegram_api, text_update(next(_ids), 5001, "halo"))
    assert "MENCURIGAKAN" not in texts[0]


async def test_telegram_pictures_beyond_the_limits_are_refused_politely(
    telegram_server: RunningServer, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.files["big"] = b"\0" * (ocr.MAX_BYTES + 1)
    cases = [
        document_update(next(_ids), 5002, "big", mime_type="image/jpeg",
                        size=ocr.MAX_BYTES + 1),
        document_update(next(_ids), 5002, "anim", mime_type="image/gif", size=2000),
    ]
    if ocr.ocr_available():
        telegram_api.files["bomb"] = pixel_bomb()
        cases.append(photo_update(next(_ids), 5002, "bomb", size=len(pixel_bomb())))
    for update in cases:
        texts = await deliver(telegram_server, telegram_api, update)
        assert len(texts) == 1 and texts[0].startswith("Mohon maaf"), texts
        assert any(words in texts[0] for words in (*NOT_READ, "JPG, PNG")), texts
    # Nothing beyond the cap was downloaded: the oversized file was refused from its size.
    downloads = [c.params["file_id"] for c in telegram_api.calls("downloadFile")]
    assert "big" not in downloads and "anim" not in downloads


@pytest.fixture
async def whatsapp_server(tmp_path: Path, twilio_api: FakeTwilioApi, clock: FakeClock
                          ) -> AsyncIterator[RunningServer]:
    async with (open_app(whatsapp_settings(tmp_path, twilio_api), clock) as app,
                running_server(app) as server):
        yield server


async def send_picture(server: RunningServer, api: FakeTwilioApi, media_sid: str,
                       content_type: str, caption: str = "") -> list[str]:
    before = len(api.messages)
    params = inbound_message(PHONE, caption, media=(api.media_url(media_sid), content_type))
    answer = await post_signed(server, INBOUND, params, token=api.auth_token)
    assert answer.status_code == 200
    await server.settled()
    return [str(m.get("Body", "")) for m in api.messages[before:]]


@needs_tesseract
async def test_whatsapp_picture_is_fetched_with_credentials_read_and_checked(
    whatsapp_server: RunningServer, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.media["ME1"] = (encoded(screenshot(GENUINE), "JPEG", quality=85), "image/jpeg")
    bodies = await send_picture(whatsapp_server, twilio_api, "ME1", "image/jpeg",
                                caption="ini asli?")
    assert "RESMI" in bodies[0] and "Gambar Anda tidak disimpan" in bodies[0]
    (download,) = twilio_api.calls("Media.download")
    assert download.params["authorization"] == ""  # credentials stayed with Twilio


async def test_whatsapp_pictures_beyond_the_limits_are_refused_politely(
    whatsapp_server: RunningServer, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.media["ME2"] = (b"\xff\xd8" + b"\0" * (ocr.MAX_BYTES + 10), "image/jpeg")
    twilio_api.media["ME3"] = (b"GIF89a", "image/gif")
    for sid, content_type in (("ME2", "image/jpeg"), ("ME3", "image/gif"),
                              ("ME4", "image/heic")):
        bodies = await send_picture(whatsapp_server, twilio_api, sid, content_type)
        assert len(bodies) == 1 and bodies[0].startswith("Mohon maaf"), bodies
        assert any(words in bodies[0] for words in (*NOT_READ, "JPG, PNG")), bodies
    fetched = [c.params["sid"] for c in twilio_api.calls("Media.fetch")]
    assert "ME3" not in fetched and "ME4" not in fetched  # refused from the declared type


@needs_tesseract
async def test_whatsapp_media_outside_twilio_is_never_fetched(
    whatsapp_server: RunningServer, twilio_api: FakeTwilioApi
) -> None:
    """The URL comes in a signed webhook, but a picture is only ever fetched from Twilio (with
    the account's credentials), never from a host the form names."""
    before = len(twilio_api.messages)
    params = inbound_message(PHONE, "", media=("https://example.org/steal.png", "image/png"))
    answer = await post_signed(whatsapp_server, INBOUND, params, token=twilio_api.auth_token)
    assert answer.status_code == 200
    await whatsapp_server.settled()
    (body,) = [str(m.get("Body", "")) for m in twilio_api.messages[before:]]
    assert "tidak berhasil saya ambil" in body
    assert twilio_api.calls("Media.fetch") == []
