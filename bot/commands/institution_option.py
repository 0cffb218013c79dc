"""`--institution CODE` for every CLI command that touches an institution's data (issue 15).

With one institution in the database (a single-institution deployment) the option may be left
out: the command works on institution 1, as before. With more than one, it is required, so a
command never lands on the wrong institution's citizens by default.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.scope import DEFAULT_SCOPE, Scope
from storage.connection import Connection
from storage.queries import fetch_all


class InstitutionError(Exception):
    """The --institution option cannot be resolved; the message is for the user (Indonesian)."""


def add_institution_argument(parser: argparse.ArgumentParser | Any) -> None:
    parser.add_argument(
        "--institution", metavar="KODE",
        help="kode instansi (lihat: spi-bot institutions list); wajib bila ada lebih dari "
             "satu instansi")


async def scope_from_args(conn: Connection, args: argparse.Namespace | Any) -> Scope:
    """The Scope `--institution CODE` names; institution 1 when the option is left out and only
    one institution exists. InstitutionError (polite Indonesian) otherwise."""
    code = (getattr(args, "institution", None) or "").strip().upper()
    return await scope_for_code(conn, code or None)


async def scope_for_code(conn: Connection, code: str | None) -> Scope:
    rows = await fetch_all(conn, "SELECT id, code FROM institutions ORDER BY id")
    if code is None:
        if len(rows) <= 1:
            return DEFAULT_SCOPE
        codes = ", ".join(str(r["code"]) for r in rows[:10])
        more = " ..." if len(rows) > 10 else ""
        raise InstitutionError(
            "Ada lebih dari satu instansi; mohon sebutkan instansinya dengan "
            f"--institution KODE (misalnya {codes}{more}).")
    for row in rows:
        if str(row["code"]).upper() == code.upper():
            return Scope(int(row["id"]))
    raise InstitutionError(
        f"Mohon maaf, instansi dengan kode '{code}' tidak ditemukan. Lihat daftar kode dengan: "
        "spi-bot institutions list")
