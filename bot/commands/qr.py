"""`spi-bot qr --unit CODE | --all`: printable QR posters per unit (PNG and PDF)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import Settings
from core.text_safety import for_terminal

if TYPE_CHECKING:
    from storage.repositories.units import Unit


def register(sub: Any) -> None:
    parser = sub.add_parser("qr", help="buat poster QR pendaftaran per unit (PDF dan PNG)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", help="kode unit")
    which.add_argument("--all", action="store_true", help="semua unit")
    parser.add_argument("--size", choices=["a4", "xbanner", "both"], default="both",
                        help="A4, X-banner 60×160 cm, atau keduanya (default)")
    parser.add_argument("--out", type=Path, default=Path("poster"),
                        help="folder keluaran (default: ./poster)")
    parser.set_defaults(handler=make_posters)


def _render_all(units: list[Unit], settings: Settings, catalog: Any, sizes: list[str],
                folder: Path) -> list[Path]:
    from inspectorate.links import unit_links  # noqa: PLC0415
    from inspectorate.posters import SIZES, render_poster, save_poster  # noqa: PLC0415 - Pillow, segno

    written: list[Path] = []
    for unit in units:
        links = unit_links(settings, unit.code)
        for name in sizes:
            size = SIZES[name]
            image = render_poster(unit, links, catalog, size,
                                  whatsapp_number=settings.twilio_whatsapp_number,
                                  telegram_username=settings.telegram_bot_username)
            written += save_poster(image, size, folder, unit.code)
    return written


async def make_posters(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs

    if not (settings.twilio_whatsapp_number or settings.telegram_bot_username):
        print("Atur dulu SPI_TWILIO_WHATSAPP_NUMBER dan/atau SPI_TELEGRAM_BOT_USERNAME di .env: "
              "poster memuat kode QR untuk kanal yang diatur.")
        return 2
    missing = [name for name, value in (
        ("SPI_TWILIO_WHATSAPP_NUMBER", settings.twilio_whatsapp_number),
        ("SPI_TELEGRAM_BOT_USERNAME", settings.telegram_bot_username)) if not value]
    async with open_app(settings) as app, app.db.reading() as conn:
        if args.all:
            units = await app.deps.units.list_all(conn)
        else:
            unit = await app.deps.units.get_by_code(conn, args.unit)
            if unit is None:
                print(f"Unit '{for_terminal(args.unit)}' tidak dikenal. Lihat: spi-bot units "
                      "list")
                return 1
            units = [unit]
        catalog = app.deps.catalog
    sizes = ["a4", "xbanner"] if args.size == "both" else [args.size]
    written = await asyncio.to_thread(_render_all, units, settings, catalog, sizes, args.out)
    for path in written:
        print(path)
    print(f"{len(written)} berkas poster untuk {len(units)} unit ditulis ke {args.out}/.")
    if missing:
        print(f"Catatan: {missing[0]} belum diatur, jadi poster hanya memuat satu kode QR.")
    return 0
