"""`spi-bot db`: the schema (migrate, status) and moving a SQLite deployment to PostgreSQL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.settings import Settings
from storage.database import is_postgres_url


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "db", help="skema database dan pindah ke PostgreSQL",
        description="Database yang dipakai: SPI_DATABASE_URL (PostgreSQL) bila diisi, "
                    "selain itu berkas SQLite SPI_DATABASE_PATH.")
    actions = parser.add_subparsers(dest="db_action", metavar="TINDAKAN", required=True)
    migrate = actions.add_parser(
        "migrate", help="terapkan perubahan skema yang belum diterapkan",
        description="Aman dijalankan berkali-kali dan dari beberapa proses sekaligus. "
                    "Menolak database yang dibuat versi bot yang lebih baru.")
    migrate.set_defaults(handler=run_migrate)
    status = actions.add_parser("status", help="versi skema: sudah dan belum diterapkan")
    status.set_defaults(handler=run_status)
    copy = actions.add_parser(
        "copy", help="salin seluruh isi berkas SQLite ke PostgreSQL yang kosong",
        description="Menyalin semua tabel (responden, akun chat, siaran dan pengiriman, log "
                    "audit, statistik ...) dalam satu transaksi dan mencocokkan jumlah baris. "
                    "Hentikan bot dulu agar tidak ada yang menulis ke berkas SQLite.")
    copy.add_argument("--from", dest="source", type=Path, required=True, metavar="BERKAS_SQLITE")
    copy.add_argument("--to", dest="target", required=True, metavar="POSTGRES_URL")
    copy.set_defaults(handler=run_copy)


async def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_database  # noqa: PLC0415 - only when this command runs
    from storage.migrate import migrate  # noqa: PLC0415

    db = open_database(settings)
    await db.open()
    try:
        version = await migrate(db)
    finally:
        await db.close()
    print(f"Skema database mutakhir (versi {version}).")
    return 0


async def run_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_database  # noqa: PLC0415 - only when this command runs
    from storage.migrate import schema_status  # noqa: PLC0415

    db = open_database(settings)
    await db.open()
    try:
        applied, pending = await schema_status(db)
    finally:
        await db.close()
    print(f"Sudah diterapkan: {', '.join(str(v) for v in sorted(applied)) or '-'}")
    print("Belum diterapkan: "
          + (", ".join(f"{m.version} ({m.name})" for m in pending) or "-"))
    return 1 if pending else 0


async def run_copy(args: argparse.Namespace, settings: Settings) -> int:
    from storage.copy import copy_sqlite_to_postgres  # noqa: PLC0415 - only for this command
    from storage.postgres import PostgresDatabase  # noqa: PLC0415
    from storage.sqlite import SqliteDatabase  # noqa: PLC0415

    if not is_postgres_url(args.target):
        print("--to harus berupa URL postgresql://...", file=sys.stderr)
        return 2
    if not args.source.is_file():
        print(f"Berkas SQLite {args.source} tidak ada.", file=sys.stderr)
        return 2
    del settings

    def progress(table: str, rows: int) -> None:
        print(f"  {table}: {rows} baris", flush=True)

    async with SqliteDatabase(args.source) as source, PostgresDatabase(args.target) as target:
        counts = await copy_sqlite_to_postgres(source, target, progress)
    print(f"Selesai: {sum(counts.values())} baris dari {len(counts)} tabel disalin, "
          "jumlah baris cocok. Setel SPI_DATABASE_URL ke URL ini lalu jalankan bot.")
    return 0
