"""Screenshots and photos (issue 13): the text in a picture, read by Tesseract, goes to the
checker.

The channel adapter fetches the picture within `MAX_BYTES` and `ALLOWED_TYPES`
(bot/channels/images.py); here it is decoded (at most `MAX_PIXELS`, checked from the header
before any pixel is decoded), prepared for OCR (EXIF orientation, grayscale, dark mode inverted,
small screenshots enlarged, huge photos reduced) and read in a worker thread, never on the
event loop, with at most `CONCURRENT` Tesseract processes and a time limit on each. When the
words come out poorly, Tesseract's orientation detection (OSD) turns the picture and it is
read once more.

Privacy: the picture exists only in memory for this one message; it is never stored in the
database, and neither it nor the text read from it is logged (only sizes and times).
pytesseract hands the prepared grayscale picture to the tesseract program as a temporary file
in $TMPDIR and deletes it in the same call, also on a timeout (README: TMPDIR on a tmpfs).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from handlers.check.chat import AWAITING, run_check
from handlers.turn import Turn

logger = logging.getLogger(__name__)

# Tesseract's OpenMP threads fight each other on a small server: one thread per process is
# about twice as fast here (0.4-0.6 s instead of 1.2 s per screenshot on 2 cores), and
# `CONCURRENT` processes use the cores instead. Set before any tesseract process starts.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

MAX_BYTES = 5 * 1024 * 1024  # WhatsApp's own limit for an image; Telegram photos are smaller
ALLOWED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_FORMATS = ("JPEG", "PNG", "WEBP")  # what the bytes must turn out to be, whatever was declared
MAX_PIXELS = 40_000_000  # a 48 MP phone photo is 8000x6000; decoded as grayscale 40 MB
MAX_SIDE = 2600  # larger pictures are reduced: the text stays legible and OCR stays fast
MIN_WIDTH = 900  # narrower pictures (thumbnails, cropped screenshots) are enlarged
OCR_SECONDS = 10.0  # the whole reading of one picture, including a turned second attempt
QUEUE_SECONDS = 20.0  # waiting for a free Tesseract before saying "busy, try again"
CONCURRENT = max(1, min(4, os.cpu_count() or 1))
LANG = "ind"  # Tesseract's Indonesian model reads English and URLs well enough
_GOOD_CONFIDENCE = 60.0  # mean word confidence above which the first reading is kept
_MIN_CONFIDENCE = 45.0  # below this, the words are guesses: ask for the text instead
_MIN_WORDS = 2
_OSD_SIDE = 1400

# Problems: keys under [image] in core/texts/image.*.toml.
NO_OCR, UNREADABLE, TOO_BIG, BAD_TYPE, TOO_MANY_PIXELS, BUSY, FETCH_FAILED = (
    "no_ocr", "unreadable", "too_big", "bad_type", "too_many_pixels", "busy", "fetch_failed")

_tesseract_slots = threading.BoundedSemaphore(CONCURRENT)
_executor = ThreadPoolExecutor(max_workers=CONCURRENT * 2, thread_name_prefix="ocr")


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # "" when nothing legible came out
    problem: str = ""
    seconds: float = 0.0
    turned: int = 0  # degrees the picture was turned (EXIF aside) before it was read


class ImageRefused(Exception):
    """The picture breaks a limit; `problem` names which, for the polite reply."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@cache
def ocr_available() -> bool:
    """pytesseract installed, the tesseract program on PATH, and its Indonesian data there."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract  # noqa: PLC0415 (optional at import time: the bot runs without it)

        return LANG in pytesseract.get_languages(config="")
    except (ImportError, OSError, RuntimeError) as exc:
        logger.warning("Tesseract tidak bisa dipakai: %s", type(exc).__name__)
        return False


def allowed_type(content_type: str) -> bool:
    """Declared types: "image/jpeg; charset=..." counts as image/jpeg; "" is left to the bytes."""
    base = content_type.split(";", 1)[0].strip().lower()
    return not base or base in ALLOWED_TYPES


async def read_image(data: bytes) -> Reading:
    """The text in a picture, read off the event loop; never raises for a bad picture."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor, read_image_sync, data)


def read_image_sync(data: bytes, *, deadline: float | None = None) -> Reading:
    """What `read_image` runs in a worker thread (also the benchmark's entry point)."""
    started = time.monotonic()
    if not ocr_available():
        return Reading("", NO_OCR)
    if len(data) > MAX_BYTES:
        return Reading("", TOO_BIG)
    try:
        picture = _decode(data)
    except ImageRefused as exc:
        return Reading("", exc.problem, time.monotonic() - started)
    if not _tesseract_slots.acquire(timeout=QUEUE_SECONDS):
        return Reading("", BUSY, time.monotonic() - started)
    try:
        text, turned = _read(picture, deadline or started + OCR_SECONDS)
    finally:
        _tesseract_slots.release()
    seconds = time.monotonic() - started
    logger.info("Gambar dibaca dalam %.2f s (%d karakter, diputar %d°)", seconds, len(text),
                turned)
    return Reading(text, "" if text else UNREADABLE, seconds, turned)


def _decode(data: bytes) -> Any:
    """A grayscale picture ready for Tesseract, or ImageRefused."""
    from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError  # noqa: PLC0415

    picture: Any
    try:
        picture = Image.open(io.BytesIO(data), formats=_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageRefused(BAD_TYPE) from exc
    width, height = picture.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        raise ImageRefused(TOO_MANY_PIXELS)
    try:
        if picture.format == "JPEG" and max(width, height) > 2 * MAX_SIDE:
            # JPEG decodes at 1/2, 1/4 or 1/8 scale directly: a big photo costs a fraction.
            picture.draft("L", (width // 2, height // 2))
        picture = ImageOps.exif_transpose(picture)
        if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
            flat = Image.new("RGBA", picture.size, "white")
            flat.alpha_composite(picture.convert("RGBA"))
            picture = flat
        gray = picture.convert("L")
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise ImageRefused(UNREADABLE) from exc
    longest = max(gray.size)
    if longest > MAX_SIDE:
        scale = MAX_SIDE / longest
    elif gray.width < MIN_WIDTH:
        scale = min(3.0, MIN_WIDTH * 1.4 / gray.width)
    else:
        scale = 1.0
    if scale != 1.0:
        size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    if ImageStat.Stat(gray).mean[0] < 110:  # dark mode: light text on a dark background
        gray = ImageOps.invert(gray)
    return ImageOps.autocontrast(gray, cutoff=1)


def _read(picture: Any, deadline: float) -> tuple[str, int]:
    """(text, degrees turned): the first reading, or the turned one when it reads better.
    A landscape picture is most often a portrait screen saved sideways: its orientation is
    asked first, which spares a wasted reading."""
    turned = 0
    if picture.width > picture.height * 1.2:
        turned = _orientation(picture, deadline)
        if turned:
            picture = picture.rotate(-turned, expand=True)
    text, confidence, words = _ocr(picture, deadline)
    if (confidence < _GOOD_CONFIDENCE or words < _MIN_WORDS) and not turned:
        rotate = _orientation(picture, deadline)
        if rotate:
            again = _ocr(picture.rotate(-rotate, expand=True), deadline)
            if again[1] > confidence:
                text, confidence, words = again
                turned = rotate
    if confidence < _MIN_CONFIDENCE or words < _MIN_WORDS:
        return "", turned
    return text, turned


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0.05:
        raise _OutOfTime
    return left


class _OutOfTime(Exception):
    pass


def _ocr(picture: Any, deadline: float) -> tuple[str, float, int]:
    """(text with its lines, mean word confidence 0-100, word count)."""
    import pytesseract  # noqa: PLC0415

    try:
        data = pytesseract.image_to_data(
            picture, lang=LANG, config="--psm 3", timeout=_remaining(deadline),
            output_type=pytesseract.Output.DICT)
    except (_OutOfTime, RuntimeError, pytesseract.TesseractError):
        # RuntimeError: pytesseract's timeout killed the process.
        return "", 0.0, 0
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for i, raw in enumerate(data["text"]):
        word = raw.strip()
        confidence = float(data["conf"][i])
        if not word or confidence < 0:
            continue
        confidences.append(confidence)
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(word)
    if not confidences:
        return "", 0.0, 0
    text = join_wrapped([" ".join(words) for words in lines.values()])
    return text, sum(confidences) / len(confidences), len(confidences)


def _orientation(picture: Any, deadline: float) -> int:
    """Degrees (clockwise) that would turn the text upright per OSD; 0 when unsure."""
    import pytesseract  # noqa: PLC0415

    if max(picture.size) > _OSD_SIDE:  # orientation needs far fewer pixels than reading
        picture = picture.copy()
        picture.thumbnail((_OSD_SIDE, _OSD_SIDE))
    try:
        osd = pytesseract.image_to_osd(picture, config="--psm 0", timeout=_remaining(deadline),
                                       output_type=pytesseract.Output.DICT)
    except (_OutOfTime, RuntimeError, pytesseract.TesseractError):
        return 0  # too little text to tell, or out of time
    rotate = int(osd.get("rotate", 0)) % 360
    return rotate if rotate and float(osd.get("orientation_conf", 0)) >= 1.0 else 0


def join_wrapped(lines: list[str]) -> str:
    """Lines joined back where a screen wrapped a link: a line ending inside an address
    ("https://spi-", "kpk.go.") continues on the next one without a space."""
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1]) and line and not line[0].isspace():
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def _continues(line: str) -> bool:
    # Not after ".": a link at the end of a sentence ends with one.
    last = line.rsplit(" ", 1)[-1]
    return last.endswith(("-", "/", "_", "=", "?", "&")) and (
        "://" in last or last.lower().startswith("www.") or ("." in last and "/" in last))


class ImageEntry:
    """A picture: its text is checked; when it could not be read, a polite request for the
    text. Goes before the other handlers, so a screenshot never becomes an answer to a
    question of a flow; the flow the person was in is kept."""

    async def try_handle(self, turn: Turn) -> bool:
        image = turn.msg.image
        if image is None:
            return False
        if image.problem or not (image.text or "").strip():
            turn.say(f"image.{image.problem or UNREADABLE}")
            return True
        state, data = turn.session.state, turn.session.data
        await run_check(turn)  # the engine put the text read (and any caption) in msg.text
        if state != AWAITING:
            turn.session.state, turn.session.data = state, data
        if turn.replies:  # the note goes with the verdict, in the same message
            last = turn.replies[-1]
            turn.replies[-1] = replace(last, text=f"{last.text}\n\n{turn.t('image.read_note')}")
        return True
