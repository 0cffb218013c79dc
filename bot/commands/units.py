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
    from inspectorate.institutions import unit_owners  # noqa: PLC0415

    async with open_app(settings) as app, app.db.transaction() as conn:
        scope = await scope_from_args(conn, args)
        owners = await unit_owners(conn)  # before the first scoped statement (RLS)
        taken = [u.code for u in units if owners.get(u.code, scope.institution_id)
                 != scope.institution_id]
        if taken:
            print(f"Berkas {for_terminal(args.file)} ditolak, tidak ada yang diimpor: kode unit "
                  + ", ".join(taken[:10]) + (" …" if len(taken) > 10 else "")
                  + " sudah dipakai instansi lain. Kode unit berlaku di seluruh pemasangan "
                  "(tertera di kode QR); pakai kode lain, mis. dengan awalan kode instansi.")
            return 1
        added = 0
        for unit in units:
            try:
                added += await app.deps.units.save(conn, unit, app.deps.clock.now(),
                                                   scope=scope)
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
