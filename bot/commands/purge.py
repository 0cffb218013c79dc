"""`spi-bot purge`: delete personal data once the retention period after the survey is over."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "purge", help="hapus data pribadi setelah masa simpan berakhir (juga berjalan harian)",
        description="Data pribadi dihapus SPI_RETENTION_DAYS_AFTER_SURVEY hari setelah "
                    "SPI_SURVEY_END_DATE; bila kosong, hari-hari itu dihitung dari akhir "
                    "musim survei (31 Oktober) tempat data dicatat. Hitungan statistik tetap.")
    parser.add_argument("--dry-run", action="store_true",
                        help="hanya tampilkan apa yang akan dihapus")
    add_institution_argument(parser)
    parser.set_defaults(handler=purge)


async def purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.retention import (  # noqa: PLC0415
        describe_rule,
        purge_expired_personal_data,
    )

    async with open_app(settings) as app:
        now = app.deps.clock.now()
        async with app.db.reading() as conn:
            scope = await scope_from_args(conn, args)
        print(f"Aturan masa simpan: {describe_rule(settings, now.date())}.")
        report = await purge_expired_personal_data(
            app.db, settings, now, dry_run=args.dry_run, actor="cli", scope=scope)
        names = {u.code: u.name for u in await _units(app, scope)}
    if not report.due:
        print(f"Masa simpan belum berakhir: data pribadi dihapus mulai "
              f"{report.purge_on.isoformat()}.")
        return 0
    if not report.count:
        upcoming = report.rule.next_purge_on
        print("Tidak ada data pribadi yang masa simpannya sudah berakhir."
              + (f" Penghapusan berikutnya mulai {upcoming.isoformat()}." if upcoming else ""))
        return 0
    verb = "Akan dihapus" if args.dry_run else "Dihapus"
    print(f"{verb}: data pribadi {report.count} orang (masa simpan berakhir "
          f"{report.purge_on.isoformat()}).")
    for (unit, source), n in sorted(report.by_unit.items()):
        print(f"  {names.get(unit, unit)} ({'impor' if source == 'import' else 'bot'}): {n}")
    if args.dry_run:
        print("Tidak ada yang diubah (--dry-run).")
    return 0


async def _units(app: Any, scope: Any) -> list[Any]:
    async with app.db.reading() as conn:
        return list(await app.deps.units.list_all(conn, scope=scope))
