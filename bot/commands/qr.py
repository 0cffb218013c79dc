"""`spi-bot qr --unit CODE | --all [--institution CODE]`: printable QR posters per unit (PNG and
PDF). Each poster names the unit's institution and gives that institution's contact; an
institution with its own WhatsApp sender or Telegram bot gets QR codes for those."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.settings import Settings
from core.text_safety import for_terminal

if TYPE_CHECKING:
    from inspectorate.posters import PosterChannels
    from storage.repositories.units import Unit


def register(sub: Any) -> None:
    parser = sub.add_parser("qr", help="buat poster QR pendaftaran per unit (PDF dan PNG)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", help="kode unit")
    which.add_argument("--all", action="store_true", help="semua unit")
    add_institution_argument(parser)
    parser.add_argument("--size", choices=["a4", "xbanner", "both"], default="both",
                        help="A4, X-banner 60×160 cm, atau keduanya (default)")
    parser.add_argument("--out", type=Path, default=Path("poster"),
                        help="folder keluaran (default: ./poster)")
    parser.set_defaults(handler=make_posters)


def _render_all(units: list[Unit], channels: PosterChannels, catalog: Any, sizes: list[str],
                folder: Path) -> list[Path]:
    from inspectorate.links import unit_links  # noqa: PLC0415
    from inspectorate.posters import SIZES, render_poster, save_poster  # noqa: PLC0415

    written: list[Path] = []
    for unit in units:
        links = unit_links(channels.settings, unit.code)
        for name in sizes:
            size = SIZES[name]
            image = render_poster(unit, links, catalog, size, whatsapp_number=channels.whatsapp,
                                  telegram_username=channels.telegram,
                                  institution=channels.owner)
            written += save_poster(image, size, folder, unit.code)
    return written


async def make_posters(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate import institutions  # noqa: PLC0415

    async with open_app(settings) as app, app.db.reading() as conn:
        if args.all:
            scope = await scope_from_args(conn, args)
            units = await app.deps.units.list_all(conn, scope=scope)
            institution_id = scope.institution_id
        else:
            unit = await app.deps.units.get_by_code(conn, args.unit)
            if unit is None:
                print(f"Unit '{for_terminal(args.unit[:40])}' tidak dikenal. Lihat: spi-bot "
                      "units list")
                return 1
            institution_id = unit.institution_id
            if args.institution:
                scope = await scope_from_args(conn, args)
                if scope.institution_id != institution_id:
                    print(f"Unit {unit.code} bukan milik instansi "
                          f"{for_terminal(args.institution.strip().upper()[:40])}.")
                    return 1
            units = [unit]
        institution = await institutions.by_id(conn, institution_id or 0)
        catalog = app.deps.catalog
    if institution is None:
        print("Instansi unit ini tidak ditemukan.")
        return 1
    from inspectorate.posters import poster_channels  # noqa: PLC0415 - Pillow, segno

    channels = poster_channels(settings, institution)
    whatsapp, telegram = channels.whatsapp, channels.telegram
    if not (whatsapp or telegram):
        print("Atur dulu SPI_TWILIO_WHATSAPP_NUMBER dan/atau SPI_TELEGRAM_BOT_USERNAME di .env: "
              "poster memuat kode QR untuk kanal yang diatur.")
        return 2
    missing = [name for name, value in (
        ("SPI_TWILIO_WHATSAPP_NUMBER", whatsapp),
        ("SPI_TELEGRAM_BOT_USERNAME", telegram)) if not value]
    if not units:
        print(f"Instansi {institution.code} belum punya unit. Impor dengan: spi-bot units "
              f"import FILE --institution {institution.code}")
        return 1
    sizes = ["a4", "xbanner"] if args.size == "both" else [args.size]
    written = await asyncio.to_thread(_render_all, units, channels, catalog, sizes, args.out)
    for path in written:
        print(path)
    print(f"{len(written)} berkas poster untuk {len(units)} unit "
          f"{for_terminal(institution.name)} ditulis ke {args.out}/.")
    if missing:
        print(f"Catatan: {missing[0]} belum diatur, jadi poster hanya memuat satu kode QR.")
    return 0
