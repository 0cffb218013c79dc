"""`spi-bot respondents quality` and `spi-bot respondents export`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.settings import Settings
from core.text_safety import for_terminal
from inspectorate.export import FIELD_NAMES


def register(actions: Any) -> None:
    quality = actions.add_parser("quality", help="laporan mutu data per unit")
    add_institution_argument(quality)
    quality.set_defaults(handler=show_quality)

    export = actions.add_parser(
        "export", help="tulis daftar bersih ke CSV atau Excel (per unit atau semua unit)",
        description="Kolom keluaran diatur berkas pemetaan (TOML); tanpa --mapping dipakai "
                    "tata letak bawaan. Field yang tersedia: " + ", ".join(FIELD_NAMES))
    export.add_argument("output", type=Path, help="berkas keluaran, .csv atau .xlsx")
    export.add_argument("--unit", help="kode unit (default: semua unit)")
    export.add_argument("--mapping", type=Path, help="berkas pemetaan kolom (TOML)")
    export.add_argument("--include-unverified", action="store_true",
                        help="sertakan pendaftaran lewat chat yang nomornya belum dipastikan "
                             "milik pendaftar (Telegram tanpa kontak, web chat)")
    add_institution_argument(export)
    export.set_defaults(handler=export_respondents)


async def show_quality(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.quality import quality_by_unit  # noqa: PLC0415

    async with open_app(settings) as app, app.db.reading() as conn:
        report = await quality_by_unit(conn, await scope_from_args(conn, args))
    headers = ("Unit", "Internal", "Eksternal", "Eksper", "Total", "Valid", "Duplikat",
               "No. tdk valid", "Tanpa e-mail", "Lewat bot", "Impor")
    table: list[list[Any]] = [[q.unit_name, q.by_category["internal"], q.by_category["external"],
              q.by_category["expert"], q.total, q.valid, q.duplicates, q.invalid_numbers,
              q.missing_email, q.from_bot, q.imported] for q in report]
    totals = ["JUMLAH", *(sum(int(row[i]) for row in table) for i in range(1, len(headers)))]
    name_width = max(len(for_terminal(row[0])) for row in [*table, totals, headers])
    widths = [name_width, *(len(h) for h in headers[1:])]
    for row in [headers, *table, totals]:
        print("  ".join(for_terminal(v).ljust(w) if i == 0 else str(v).rjust(w)
                        for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    print("\nDuplikat dan nomor tidak valid juga menghitung baris yang ditolak saat impor; "
          "duplikat juga menghitung orang yang e-mailnya dipakai nomor lain.")
    return 0


async def export_respondents(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.export import (  # noqa: PLC0415
        MappingError,
        clean_rows,
        load_mapping,
        unproven_count,
        write_csv,
        write_xlsx,
    )

    suffix = args.output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print("Berkas keluaran harus berakhiran .csv atau .xlsx.")
        return 1
    try:
        columns = load_mapping(args.mapping)
    except MappingError as exc:
        print(f"{for_terminal(args.mapping)}: {for_terminal(exc)}")
        return 1
    async with open_app(settings) as app:
        unit_code = None
        async with app.db.reading() as conn:
            scope = await scope_from_args(conn, args)
            if args.unit:
                unit = await app.deps.units.get_by_code(conn, args.unit)
                if unit is None or unit.institution_id != scope.institution_id:
                    print(f"Unit '{for_terminal(args.unit)}' tidak dikenal. Lihat: spi-bot units "
                          "list")
                    return 1
                unit_code = unit.code
            rows = await clean_rows(conn, unit_code, columns,
                                    include_unverified=args.include_unverified, scope=scope)
            left_out = 0 if args.include_unverified else await unproven_count(
                conn, unit_code, scope=scope)
        writer = write_xlsx if suffix == ".xlsx" else write_csv
        try:
            count = await asyncio.to_thread(writer, args.output, columns, rows)
        except OSError as exc:
            print(f"{for_terminal(args.output)} adalah folder, bukan berkas."
                  if args.output.is_dir() else
                  f"{for_terminal(args.output)} tidak bisa ditulis: {exc.strerror or exc}.")
            return 1
        async with app.db.transaction() as conn:
            await app.deps.audit.record(conn, app.deps.clock.now(), "cli",
                                        "respondents.exported", unit_code or "all",
                                        scope=scope,
                                        rows=count, columns=[c.field for c in columns],
                                        unproven_left_out=left_out)
    print(f"{count} responden ditulis ke {for_terminal(args.output)}.")
    if left_out:
        print(f"{left_out} pendaftaran lewat chat tidak ikut ditulis karena nomornya belum "
              "dipastikan milik pendaftar (bukan dari WhatsApp-nya sendiri atau kontak Telegram "
              "yang dibagikan). Sertakan dengan --include-unverified.")
    return 0
