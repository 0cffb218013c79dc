"""`spi-bot stats`: progress tables, as text, CSV, and a registrations chart."""

from __future__ import annotations

import argparse
import asyncio
import csv
from pathlib import Path
from typing import Any

from core.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("stats", help="statistik pendaftaran, status dan pesan")
    parser.add_argument("--csv", type=Path, metavar="FILE.csv", help="tulis juga ke CSV")
    parser.add_argument("--chart", type=Path, metavar="FILE.png",
                        help="grafik pendaftaran per unit dari waktu ke waktu")
    parser.set_defaults(handler=show_stats, default_log_level="WARNING")


def _write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows(rows)


async def show_stats(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.stats import collect, csv_rows, daily_registrations, format_table  # noqa: PLC0415

    async with open_app(settings) as app, app.db.reading() as conn:
        sections = await collect(conn)
        daily = await daily_registrations(conn) if args.chart else []
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
