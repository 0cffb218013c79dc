"""Printable QR posters for service counters: A4 and X-banner, as PNG and PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import phonenumbers

from core.catalog import Catalog
from core.settings import Settings
from inspectorate.links import UnitLinks
from storage.repositories.units import Unit

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    from inspectorate.institutions import Institution


@dataclass(frozen=True, slots=True)
class PosterInstitution:
    """Whose poster it is: the institution's name and the contact citizens are given."""

    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class PosterChannels:
    """Whose poster and which QR codes: the institution's name and contact (institution 1 of a
    single-institution deployment: the SPI_INSPECTORATE_* settings) and its own WhatsApp
    sender or Telegram bot where it has them, else the deployment's. One answer for
    `spi-bot qr` and the staff console."""

    owner: PosterInstitution
    whatsapp: str | None
    telegram: str | None
    settings: Settings  # the deployment's, with these channels (unit_links reads them)


def poster_channels(settings: Settings, institution: Institution) -> PosterChannels:
    owner = PosterInstitution(institution.name, institution.contact_phone,
                              institution.contact_email) \
        if institution.contact_phone or institution.contact_email else \
        PosterInstitution(settings.inspectorate_name, settings.inspectorate_phone,
                          settings.inspectorate_email)
    number = (institution.whatsapp_sender or settings.twilio_whatsapp_number) or None
    bot = (institution.telegram_bot or settings.telegram_bot_username) or None
    channels = settings.model_copy(update={"twilio_whatsapp_number": number,
                                           "telegram_bot_username": bot})
    return PosterChannels(owner, number, bot, channels)


@dataclass(frozen=True)
class PosterSize:
    name: str
    width_mm: int
    height_mm: int
    dpi: int  # a banner is read from metres away: 100 dpi prints sharp enough

    @property
    def pixels(self) -> tuple[int, int]:
        return (round(self.width_mm / 25.4 * self.dpi), round(self.height_mm / 25.4 * self.dpi))


A4 = PosterSize("a4", 210, 297, 150)
XBANNER = PosterSize("xbanner", 600, 1600, 100)
SIZES = {s.name: s for s in (A4, XBANNER)}

_BLUE = (11, 61, 145)
_RED = (190, 30, 45)
_INK = (20, 20, 20)
_PALE = (235, 241, 250)
_WHITE = (255, 255, 255)


def _qr_image(link: str, side: int) -> PILImage.Image:
    import segno  # noqa: PLC0415 - heavy, only for posters
    from PIL import Image  # noqa: PLC0415

    qr = segno.make(link, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, side // modules), border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


class _Canvas:
    """Draws text blocks top to bottom, wrapping to the poster's width."""

    def __init__(self, size: PosterSize) -> None:
        from PIL import Image, ImageDraw  # noqa: PLC0415

        self.width, self.height = size.pixels
        self.image = Image.new("RGB", size.pixels, _WHITE)
        self.draw: ImageDraw.ImageDraw = ImageDraw.Draw(self.image)
        self.margin = self.width // 14
        self.y = 0

    def font(self, fraction: float) -> ImageFont.FreeTypeFont:
        from PIL import ImageFont  # noqa: PLC0415

        font = ImageFont.load_default(size=max(10, int(self.width * fraction)))
        if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow built without FreeType
            raise RuntimeError("Pillow tanpa FreeType tidak bisa membuat poster")
        return font

    def wrap(self, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}".strip()
                if line and self.draw.textlength(candidate, font=font) > width:
                    lines.append(line)
                    line = word
                else:
                    line = candidate
            lines.append(line)
        return lines

    def measure(self, text: str, fraction: float, width: int) -> int:
        font = self.font(fraction)
        return len(self.wrap(text, font, width)) * int(font.size * 1.3)

    def text(self, text: str, fraction: float, *, fill: tuple[int, int, int] = _INK,
             bold: bool = False, x: int | None = None, width: int | None = None,
             center: bool = True) -> None:
        font = self.font(fraction)
        left = self.margin if x is None else x
        box = width or (self.width - 2 * self.margin)
        line_height = int(font.size * 1.3)
        stroke = max(1, int(font.size / 28)) if bold else 0
        for line in self.wrap(text, font, box):
            offset = (box - self.draw.textlength(line, font=font)) / 2 if center else 0
            self.draw.text((left + offset, self.y), line, font=font, fill=fill,
                           stroke_width=stroke, stroke_fill=fill)
            self.y += line_height

    def gap(self, fraction: float) -> None:
        self.y += int(self.width * fraction)


def render_poster(unit: Unit, links: UnitLinks, catalog: Catalog, size: PosterSize,
                  *, whatsapp_number: str | None, telegram_username: str | None,
                  institution: PosterInstitution | None = None) -> PILImage.Image:
    """The poster as an image: institution and unit, invitation, two QR codes, how to spot
    official messages and whom to ask (the institution's own contact when given).

    The QR codes get as large as the page allows: long unit names leave less room.
    """
    def attempt(qr_scale: float) -> tuple[PILImage.Image, int]:
        return _layout(unit, links, catalog, size, qr_scale, whatsapp_number=whatsapp_number,
                       telegram_username=telegram_username, institution=institution)

    image, used = attempt(1.0)
    for qr_scale in (0.88, 0.76, 0.64, 0.52):
        if used <= image.height:
            break
        image, used = attempt(qr_scale)
    return image


def _layout(unit: Unit, links: UnitLinks, catalog: Catalog, size: PosterSize,
            qr_scale: float, *, whatsapp_number: str | None, telegram_username: str | None,
            institution: PosterInstitution | None) -> tuple[PILImage.Image, int]:
    """Draw the poster once; returns it and how far down the page the content reached."""
    own: dict[str, object] = {}
    if institution is not None:
        own["inspectorate_name"] = institution.name
        if institution.phone or institution.email:
            own["inspectorate_phone"] = institution.phone or institution.email

    def t(key: str, **values: object) -> str:
        return catalog.text("id", f"poster.{key}", **{**own, **values})

    c = _Canvas(size)
    tall = size.height_mm / size.width_mm > 2
    band = int(c.width * (0.16 if not tall else 0.2))
    c.draw.rectangle((0, 0, c.width, band), fill=_BLUE)
    c.y = int(band * 0.2)
    c.text(t("header"), 0.045, fill=_WHITE, bold=True)
    c.y = band + int(c.width * 0.03)
    if institution is not None:
        c.text(institution.name, 0.032 if not tall else 0.04, fill=_INK, bold=True)
        c.gap(0.01)
    else:
        c.gap(0.02)
    c.text(unit.name, 0.065 if not tall else 0.075, fill=_BLUE, bold=True)
    c.gap(0.02)
    c.text(t("invitation"), 0.034 if not tall else 0.045)
    c.gap(0.03)
    c.text(t("scan"), 0.03 if not tall else 0.04, bold=True)
    c.gap(0.02)
    blocks = []  # one QR code per configured channel
    if links.whatsapp and whatsapp_number:
        number = phonenumbers.format_number(phonenumbers.parse(whatsapp_number),
                                            phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        blocks.append((t("whatsapp_label"), links.whatsapp,
                       t("whatsapp_hint", code=unit.code, number=number)))
    if links.telegram and telegram_username:
        blocks.append((t("telegram_label"), links.telegram,
                       t("telegram_hint", code=unit.code,
                         username=telegram_username.lstrip("@"))))
    if tall:  # one code above the other, as large as the banner allows
        side = int(c.width * 0.56 * qr_scale)
        for label, link, hint in blocks:
            c.text(label, 0.05, fill=_RED, bold=True)
            qr = _qr_image(link, side)
            c.image.paste(qr, ((c.width - qr.width) // 2, c.y))
            c.y += qr.height
            c.text(hint, 0.035)
            c.gap(0.03)
    else:  # side by side
        column = (c.width - 3 * c.margin) // 2
        left = (c.width - len(blocks) * column - (len(blocks) - 1) * c.margin) // 2
        top = c.y
        bottom = top
        for i, (label, link, hint) in enumerate(blocks):
            x = left + i * (column + c.margin)
            c.y = top
            c.text(label, 0.032, fill=_RED, bold=True, x=x, width=column)
            qr = _qr_image(link, int(column * 0.9 * qr_scale))
            c.image.paste(qr, (x + (column - qr.width) // 2, c.y))
            c.y += qr.height
            c.text(hint, 0.024, x=x, width=column)
            bottom = max(bottom, c.y)
        c.y = bottom
        c.gap(0.03)
    inner = c.margin + int(c.width * 0.03)
    body_width = c.width - 2 * inner
    pad = int(c.width * 0.025)
    title_size, body_size = (0.034, 0.026) if not tall else (0.045, 0.034)
    box_height = (2 * pad + c.measure(t("official_title"), title_size, body_width)
                  + c.measure(t("official"), body_size, body_width))
    c.draw.rounded_rectangle((c.margin, c.y, c.width - c.margin, c.y + box_height),
                             radius=int(c.width * 0.02), fill=_PALE, outline=_RED,
                             width=max(2, c.width // 300))
    c.y += pad
    c.text(t("official_title"), title_size, fill=_RED, bold=True, x=inner, width=body_width)
    c.text(t("official"), body_size, x=inner, width=body_width)
    c.y += pad
    c.gap(0.03)
    c.text(t("footer"), 0.022 if not tall else 0.03)
    return c.image, c.y + c.margin // 2


def save_poster(image: PILImage.Image, size: PosterSize, folder: Path,
                unit_code: str) -> list[Path]:
    """Write `<UNIT>-<size>.png` and `.pdf` (printed at the poster's real size)."""
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"{unit_code}-{size.name}.png"
    pdf = folder / f"{unit_code}-{size.name}.pdf"
    image.save(png, "PNG", dpi=(size.dpi, size.dpi), optimize=True)
    image.save(pdf, "PDF", resolution=float(size.dpi), quality=95)
    return [png, pdf]
