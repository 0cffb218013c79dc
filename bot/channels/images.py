"""Pictures people send: fetched from the channel within the limits, read by handlers/ocr.py,
and handed to the engine as the message's text. Runs under the sender's lock, before the
turn's transaction (the engine's `prepare`), so a screenshot keeps its place among that
person's messages and holds up no one else.

The bytes stay in memory for this one message: nothing here writes them anywhere or logs them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import aiohttp

from core.messages import Inbound, InboundImage
from handlers.ocr import (
    BAD_TYPE,
    BUSY,
    FETCH_FAILED,
    MAX_BYTES,
    NO_OCR,
    TOO_BIG,
    ImageRefused,
    allowed_type,
    ocr_available,
    read_image,
)

logger = logging.getLogger(__name__)

FETCH_SECONDS = 15.0
_REDIRECTS = 3
# Pictures being fetched or read at once in this process (each up to MAX_BYTES in memory);
# beyond this the person is asked to try again rather than queued without bound.
MAX_IN_FLIGHT = 16
_in_flight = 0

Fetch = Callable[[InboundImage], Awaitable[bytes]]


async def read_inbound_image(msg: Inbound, fetch: Fetch) -> Inbound:
    """The message with its picture's text (and any caption) as its text, or with the reason
    none could be read; unchanged when it carries no picture. Never raises."""
    image = msg.image
    if image is None or image.text is not None or image.problem:
        return msg
    global _in_flight  # noqa: PLW0603 (one counter per process, touched on the loop only)
    text = ""
    # The first call asks the tesseract program for its languages: not on the event loop.
    if not await asyncio.to_thread(ocr_available):
        problem = NO_OCR  # said before any download: no point fetching what we cannot read
    elif not allowed_type(image.content_type):
        problem = BAD_TYPE
    elif image.size is not None and image.size > MAX_BYTES:
        problem = TOO_BIG
    elif _in_flight >= MAX_IN_FLIGHT:
        problem = BUSY
    else:
        _in_flight += 1
        try:
            text, problem = await _fetch_and_read(image, fetch)
        finally:
            _in_flight -= 1
    if problem:
        return replace(msg, image=replace(image, problem=problem))
    caption = msg.text.strip()
    return replace(msg, text=f"{text}\n{caption}" if caption else text,
                   image=replace(image, text=text))


async def _fetch_and_read(image: InboundImage, fetch: Fetch) -> tuple[str, str]:
    try:
        data = await fetch(image)
    except ImageRefused as exc:
        return "", exc.problem
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        logger.warning("Gambar tidak berhasil diambil (%s)", type(exc).__name__)
        return "", FETCH_FAILED
    reading = await read_image(data)
    del data  # the picture is not kept beyond its reading
    return reading.text, reading.problem


async def fetch_limited(
    session: aiohttp.ClientSession, url: str, *, headers: Mapping[str, str] | None = None,
) -> bytes:
    """GET `url` streamed, refusing more than MAX_BYTES while it arrives and any type outside
    the allow-list; follows a few redirects, sending `headers` (credentials) only to the
    host they were meant for."""
    origin = urlsplit(url)
    for _ in range(_REDIRECTS + 1):
        send = dict(headers or {}) if urlsplit(url).netloc == origin.netloc else {}
        async with session.get(url, headers=send, allow_redirects=False,
                               timeout=aiohttp.ClientTimeout(total=FETCH_SECONDS)) as answer:
            if answer.status in (301, 302, 303, 307, 308) and "Location" in answer.headers:
                url = urljoin(url, answer.headers["Location"])
                if urlsplit(url).scheme not in {"https", origin.scheme}:  # no downgrade
                    raise ImageRefused(FETCH_FAILED)
                continue
            if answer.status != 200:
                logger.warning("Gambar tidak berhasil diambil: HTTP %d", answer.status)
                raise ImageRefused(FETCH_FAILED)
            if not allowed_type(answer.headers.get("Content-Type", "")):
                raise ImageRefused(BAD_TYPE)
            if (answer.content_length or 0) > MAX_BYTES:
                raise ImageRefused(TOO_BIG)
            body = bytearray()
            async for chunk in answer.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise ImageRefused(TOO_BIG)  # the connection is dropped, not drained
            return bytes(body)
    raise ImageRefused(FETCH_FAILED)
