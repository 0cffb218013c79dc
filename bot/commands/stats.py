"""`spi-bot stats`: progress tables, as text, CSV, and a registrations chart.

`--institution CODE`: that institution's tables (required when there is more than one);
`--national`: totals across all institutions only, no unit or institution named and counts
of 1 to 4 shown as "<5" (inspectorate/stats.py).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
from pathlib import Path
from typing import Any

from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.scope import NATIONAL
from core.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("stats", help="statistik pendaftaran, status dan pesan")
    parser.add_argument("--csv", type=Path, metavar="FILE.csv", help="tulis juga ke CSV")
    parser.add_argument("--chart", type=Path, metavar="FILE.png",
                        help="grafik pendaftaran per unit dari waktu ke waktu")
    add_institution_argument(parser)
    parser.add_argument("--national", action="store_true",
                       help="angka agregat semua instansi saja (tanpa rincian unit)")
    parser.set_defaults(handler=show_stats, default_log_level="WARNING")


def _write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows(rows)


async def show_stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.stats import collect, csv_rows, daily_registrations, format_table  # noqa: PLC0415

    if args.national and args.institution:
        print("Pilih salah satu: --institution KODE (angka satu instansi) atau --national "
              "(angka agregat semua instansi).")
        return 2
    async with open_app(settings) as app:
        async with app.db.reading() as conn:
            scope = NATIONAL if args.national else await scope_from_args(conn, args)
            sections = await collect(conn, scope)
            daily = await daily_registrations(conn, scope) if args.chart else []
        async with app.db.transaction() as conn:
            await app.deps.audit.record(conn, app.deps.clock.now(), "cli", "stats.viewed", None,
                                        scope=scope, institution=scope.institution_id)
    print("\n\n".join(format_table(s) for s in sections))
    if args.csv:
        await asyncio.to_thread(_write_csv, args.csv, csv_rows(sections))
        print(f"\nCSV ditulis ke {args.csv}")
    if args.chart:
        from inspectorate.chart import registrations_chart  # noqa: PLC0415 - matplotlib is heavy

        png = await asyncio.to_thread(registrations_chart, daily)
        await asyncio.to_thread(args.chart.write_bytes, png)
        print(f"Grafik ditulis ke {args.chart}")
    return 0
