"""`spi-bot staff add|list|disable|link`: staff accounts of the console (issue 16).

The first admin of an institution is made here; the command prints a one-time link where that
person sets their own password (no password ever passes through the terminal or the logs).
"""

from __future__ import annotations

import argparse
from typing import Any

from core.scope import Scope
from core.settings import Settings
from core.text_safety import for_terminal


def register(sub: Any) -> None:
    parser = sub.add_parser("staff", help="akun petugas konsol web (/staf/)")
    actions = parser.add_subparsers(dest="staff_action", metavar="AKSI", required=True)

    add = actions.add_parser(
        "add", help="tambah petugas; mencetak tautan sekali pakai untuk membuat kata sandi",
        description='Contoh: spi-bot staff add --institution UTAMA --role admin siti '
                    '"Siti Aminah". Peran: operator (statistik, siaran dari katalog), admin '
                    "(juga impor, ekspor, hapus data, teks siaran sendiri, kelola petugas), "
                    "national (hanya angka agregat, tanpa instansi).")
    add.add_argument("--institution", metavar="KODE",
                     help="kode instansi (wajib kecuali peran national), mis. UTAMA")
    add.add_argument("--role", required=True, choices=["operator", "admin", "national"])
    add.add_argument("username", help="nama pengguna untuk masuk (huruf kecil)")
    add.add_argument("name", help="nama tampilan")
    add.set_defaults(handler=add_staff)

    lst = actions.add_parser("list", help="daftar petugas")
    lst.add_argument("--institution", metavar="KODE", help="hanya instansi ini")
    lst.set_defaults(handler=list_staff)

    disable = actions.add_parser("disable", help="nonaktifkan petugas dan akhiri sesinya")
    disable.add_argument("username")
    disable.set_defaults(handler=disable_staff)

    link = actions.add_parser("link", help="tautan sekali pakai baru untuk membuat ulang "
                                           "kata sandi (mis. lupa kata sandi)")
    link.add_argument("username")
    link.set_defaults(handler=new_link)


def set_password_url(settings: Settings, token: str) -> str:
    base = settings.public_url or f"http://localhost:{settings.port}"
    return f"{base}/staf/sandi/{token}"


async def add_staff(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from bot.console.auth import username_problem  # noqa: PLC0415
    from bot.console.data import AccountStore  # noqa: PLC0415
    from core.roles import StaffRole  # noqa: PLC0415

    username = args.username.strip().lower()
    problem = username_problem(username)
    name = " ".join(args.name.split())
    if problem is None and not (1 <= len(name) <= 100 and name.isprintable()):
        problem = "Nama tampilan 1–100 karakter yang bisa dicetak."
    if problem:
        print(problem)
        return 1
    role = StaffRole(args.role)
    store = AccountStore()
    async with open_app(settings) as app, app.db.transaction() as conn:
        now = app.deps.clock.now()
        institution_id = None
        if role == StaffRole.NATIONAL:
            if args.institution:
                print("Peran national tidak terikat pada instansi; hapus --institution.")
                return 1
        else:
            if not args.institution:
                print("Sebutkan instansinya: --institution KODE (mis. UTAMA).")
                return 1
            found = await store.institution(conn, args.institution)
            if found is None:
                print(f"Instansi '{for_terminal(args.institution)}' tidak dikenal.")
                return 1
            institution_id = found[0]
        if await store.username_taken(conn, username):
            print(f"Nama pengguna '{username}' sudah dipakai.")
            return 1
        staff_id = await store.add_staff(conn, institution_id=institution_id, role=role,
                                         username=username, display_name=name, now=now)
        token = await store.issue_link(conn, staff_id, now)
        await app.deps.audit.record(conn, now, "cli", "staff.added", f"staff:{staff_id}",
                                    scope=Scope(institution_id),  # None: national
                                    role=str(role), institution=institution_id)
    print(f"Petugas {username} ({role}) ditambahkan. Berikan tautan ini kepadanya secara "
          "pribadi; berlaku 72 jam dan hanya sekali untuk membuat kata sandi:")
    print(set_password_url(settings, token))
    return 0


async def list_staff(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from bot.console.data import AccountStore  # noqa: PLC0415
    from core.scope import Scope  # noqa: PLC0415

    store = AccountStore()
    async with open_app(settings) as app, app.db.reading() as conn:
        scope = None
        if args.institution:
            found = await store.institution(conn, args.institution)
            if found is None:
                print(f"Instansi '{for_terminal(args.institution)}' tidak dikenal.")
                return 1
            scope = Scope(found[0])
        rows = await store.staff(conn, scope, app.deps.clock.now())
    if not rows:
        print("Belum ada petugas. Tambah dengan: spi-bot staff add --institution KODE "
              "--role admin NAMA \"Nama Lengkap\"")
        return 0
    for row in rows:
        m = row.member
        state = ("nonaktif" if row.disabled_at else
                 "aktif" if row.password_set else "menunggu kata sandi")
        print(for_terminal(f"{m.username:<20} {m.role:<9} {m.institution_code or '-':<12} "
                           f"{state:<20} {m.display_name}"))
    return 0


async def disable_staff(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from bot.console.data import AccountStore  # noqa: PLC0415

    store = AccountStore()
    async with open_app(settings) as app, app.db.transaction() as conn:
        creds = await store.credentials(conn, args.username.strip().lower())
        if creds is None:
            print(f"Petugas '{for_terminal(args.username)}' tidak ada.")
            return 1
        now = app.deps.clock.now()
        await store.disable(conn, creds.member.id, now)
        await app.deps.audit.record(conn, now, "cli", "staff.disabled",
                                    f"staff:{creds.member.id}",
                                    scope=Scope(creds.member.institution_id))
    print(f"Petugas {creds.member.username} dinonaktifkan; semua sesinya berakhir.")
    return 0


async def new_link(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from bot.console.data import AccountStore  # noqa: PLC0415

    store = AccountStore()
    async with open_app(settings) as app, app.db.transaction() as conn:
        creds = await store.credentials(conn, args.username.strip().lower())
        if creds is None or creds.disabled:
            print(f"Petugas '{for_terminal(args.username)}' tidak ada atau nonaktif.")
            return 1
        now = app.deps.clock.now()
        token = await store.issue_link(conn, creds.member.id, now)
        await app.deps.audit.record(conn, now, "cli", "staff.link_issued",
                                    f"staff:{creds.member.id}",
                                    scope=Scope(creds.member.institution_id))
    print("Tautan sekali pakai (72 jam) untuk membuat kata sandi baru:")
    print(set_password_url(settings, token))
    return 0
