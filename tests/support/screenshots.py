"""Pictures for the OCR tests and benchmark, drawn with Pillow: a phone chat screenshot of a
forwarded message, and what a phone camera makes of it (blurred, turned, tilted)."""

from __future__ import annotations

import io
import struct
import textwrap
import zlib
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Invented for these tests (not from any test set): a lookalike link, a payment ask, and a
# genuine-style invitation.
FAKE_LINK = ("Yth. Bapak/Ibu, Anda terpilih sebagai responden Survei Penilaian Integritas KPK "
             "2026. Isi survei di https://spi-kpk.go-id.info/s/8Hk2 paling lambat hari ini.")
FAKE_FEE = ("Selamat! Nomor Anda terpilih mengisi survei SPI KPK. Untuk aktivasi, transfer "
            "biaya administrasi Rp 50.000 dan kirim kode OTP yang masuk ke nomor ini.")
GENUINE = ("Yth. Bapak/Ibu, Anda terpilih sebagai responden Survei Penilaian Integritas (SPI) "
           "KPK. Silakan isi survei di https://spi.kpk.go.id/s/Ab12Cd. Survei ini gratis dan "
           "sukarela.")

_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
          "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def screenshot(text: str, *, width: int = 1080, dark: bool = False) -> Image.Image:
    """A chat app's screen: a coloured title bar and the message in a bubble, 1080 px wide
    like most phones' screenshots (text wrapped as the app would)."""
    scale = width / 1080
    font = _font(round(40 * scale))
    lines = textwrap.wrap(text, 38)
    line_height = round(56 * scale)
    height = round(320 * scale) + len(lines) * line_height
    background, bubble, ink = ((11, 20, 26), (32, 44, 51), (233, 237, 239)) if dark else (
        (236, 229, 221), (255, 255, 255), (17, 27, 33))
    picture = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width, round(140 * scale)), fill=(7, 94, 84))
    draw.rounded_rectangle((round(30 * scale), round(190 * scale), width - round(110 * scale),
                            height - round(60 * scale)), radius=round(20 * scale), fill=bubble)
    y = round(215 * scale)
    for line in lines:
        draw.text((round(55 * scale), y), line, font=font, fill=ink)
        y += line_height
    return picture


def blurred(picture: Image.Image, radius: float = 2.5) -> Image.Image:
    return picture.filter(ImageFilter.GaussianBlur(radius))


def turned(picture: Image.Image, degrees: int = 90) -> Image.Image:
    """Turned counter-clockwise, as a phone held sideways saves it without EXIF."""
    return picture.rotate(degrees, expand=True)


def photographed(picture: Image.Image) -> Image.Image:
    """A photo of a screen: slightly tilted, a little soft, darker around it."""
    return picture.rotate(3, expand=True, fillcolor=(70, 70, 70),
                          resample=Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(1.0))


def encoded(picture: Image.Image, kind: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return out.getvalue()


@cache
def pixel_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid black-and-white PNG of 900 megapixels in about 100 kB: its rows of zeros
    compress a thousandfold, like a zip bomb's. Written chunk by chunk (Pillow would take
    seconds to encode it)."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + one bit per pixel
    packer = zlib.compressobj(9)
    block = row * 1000
    data = b"".join(packer.compress(block) for _ in range(height // 1000))
    data += packer.compress(row * (height % 1000)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))
