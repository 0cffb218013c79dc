"""`spi-bot units import FILE` and `spi-bot units list`, each `--institution CODE` (required when
the deployment serves more than one). Unit codes are unique across all institutions: the code
in a QR link decides the institution, so a file naming another institution's unit is refused
whole."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.commands.institution_option import (
    InstitutionError,
    add_institution_argument,
    scope_from_args,
)
from core.settings import Settings
from core.text_safety import for_terminal
from inspectorate.units_file import UnitFileError, read_units
from storage.repositories.units import UnitTaken


def register(sub: Any) -> None:
    parser = sub.add_parser("units", help="kelola unit layanan (titik QR)")
    actions = parser.add_subparsers(dest="units_action", metavar="AKSI", required=True)
    imp = actions.add_parser("import", help="impor unit dari CSV (kode,nama,wilayah,zona_waktu,"
                                            "layanan)")
    imp.add_argument("file", type=Path)
    add_institution_argument(imp)
    imp.set_defaults(handler=import_units)
    lst = actions.add_parser("list", help="tampilkan semua unit")
    add_institution_argument(lst)
    lst.set_defaults(handler=list_units)


async def import_units(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - the app only when this command runs

    try:
        units = read_units(args.file)
    except UnitFileError as exc:
        lines = "\n".join(for_terminal(line) for line in str(exc).splitlines())
        print(f"Berkas {for_terminal(args.file)} ditolak, tidak ada yang diimpor:\n{lines}")
        return 1
    from inspectorate.institutions import save_units  # noqa: PLC0415

    async with open_app(settings) as app, app.db.transaction() as conn:
        scope = await scope_from_args(conn, args)
        try:
            added = await save_units(conn, app.deps.units, units, scope, app.deps.clock.now())
        except UnitFileError as exc:
            print(f"Berkas {for_terminal(args.file)} ditolak, tidak ada yang diimpor: {exc}")
            return 1
        except UnitTaken as exc:
            raise InstitutionError(str(exc)) from None
        await app.deps.audit.record(conn, app.deps.clock.now(), "cli", "units.imported",
                                    args.file.name, added=added,
                                    updated=len(units) - added, scope=scope)
    print(f"{len(units)} unit diproses: {added} baru, {len(units) - added} diperbarui.")
    return 0


async def list_units(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415

    async with open_app(settings) as app, app.db.reading() as conn:
        units = await app.deps.units.list_all(conn, scope=await scope_from_args(conn, args))
    if not units:
        print("Belum ada unit. Impor dengan: spi-bot units import FILE")
        return 0
    width = max(len(u.code) for u in units)
    for unit in units:
        print(f"{unit.code:<{width}}  {unit.timezone_label:<4}  {for_terminal(unit.name)} — "
              f"{for_terminal(unit.region)}")
        print(f"{'':<{width}}        layanan: {for_terminal('; '.join(unit.services))}")
    return 0
