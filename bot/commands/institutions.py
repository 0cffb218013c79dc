"""`spi-bot institutions add|list|show|demo`: the institutions one deployment serves (issue 15).

`show` prints counts (units, respondents by status, staff by role), never anyone's personal
data. Every command that changes something is in the audit log with the institution.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.scope import Scope
from core.settings import Settings
from core.text_safety import for_terminal

_STATUS_LABELS = {"verified": "terverifikasi", "registered": "menunggu verifikasi",
                  "erased": "data dihapus"}


def register(sub: Any) -> None:
    parser = sub.add_parser("institutions", help="instansi yang dilayani (banyak instansi "
                                                 "dalam satu pemasangan)")
    # a first command on a fresh database would otherwise print every migration applied
    parser.set_defaults(default_log_level="WARNING")
    actions = parser.add_subparsers(dest="institutions_action", metavar="AKSI", required=True)

    add = actions.add_parser(
        "add", help="tambah instansi",
        description='Contoh: spi-bot institutions add KAB-SUKAMAJU "Inspektorat Kabupaten '
                    'Sukamaju" --kind kabupaten --timezone Asia/Makassar --phone "(0411) '
                    '555-0198" --email inspektorat@sukamajukab.go.id. Jenis: '
                    "kementerian_lembaga, provinsi, kabupaten, kota. Zona waktu: nama IANA "
                    "atau WIB/WITA/WIT.")
    add.add_argument("code", help="kode instansi: A-Z, 0-9, _ dan -, mis. KAB-SUKAMAJU")
    add.add_argument("name", help="nama instansi seperti yang dilihat warga")
    add.add_argument("--kind", required=True, metavar="JENIS",
                     help="kementerian_lembaga, provinsi, kabupaten atau kota")
    add.add_argument("--timezone", required=True, metavar="ZONA",
                     help="Asia/Jakarta, Asia/Makassar, Asia/Jayapura (atau WIB/WITA/WIT)")
    add.add_argument("--phone", help="nomor kontak inspektorat untuk warga")
    add.add_argument("--email", help="e-mail kontak inspektorat untuk warga")
    add.add_argument("--whatsapp-sender", metavar="NOMOR",
                     help="nomor pengirim WhatsApp sendiri (kosong: nomor bersama)")
    add.add_argument("--telegram-bot", metavar="NAMA_BOT",
                     help="bot Telegram sendiri (kosong: bot bersama)")
    add.set_defaults(handler=add_institution)

    lst = actions.add_parser("list", help="daftar instansi")
    lst.set_defaults(handler=list_institutions)

    show = actions.add_parser("show", help="rincian satu instansi dan jumlah unit, responden "
                                           "dan petugasnya (tanpa data pribadi)")
    show.add_argument("code", help="kode instansi")
    show.set_defaults(handler=show_institution)

    demo = actions.add_parser(
        "demo", help="muat data contoh: 3 instansi, 20 unit, 310 calon responden fiktif",
        description="Untuk pelatihan dan uji coba, bukan untuk pemasangan sungguhan: tiga "
                    "instansi contoh (satu provinsi dan dua kabupaten), nama 'Contoh Responden', "
                    "nomor +62 840… yang tidak dimiliki siapa pun. Memuat ulang tidak mengubah "
                    "apa pun.")
    demo.set_defaults(handler=load_demo)


async def add_institution(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate import institutions  # noqa: PLC0415

    checked = institutions.check_new(
        code=args.code, name=args.name, kind=args.kind, timezone=args.timezone,
        phone=args.phone, email=args.email, whatsapp=args.whatsapp_sender,
        telegram=args.telegram_bot)
    if isinstance(checked, list):
        print("Instansi tidak ditambahkan:")
        for problem in checked:
            print(f"  - {for_terminal(problem)}")
        return 1
    shared = [what for what, own, common in (
        ("nomor WhatsApp", checked.whatsapp_sender, settings.twilio_whatsapp_number),
        ("bot Telegram", (checked.telegram_bot or "").lower(),
         (settings.telegram_bot_username or "").removeprefix("@").lower()))
        if own and own == common]
    if shared:
        print(f"Instansi tidak ditambahkan: {shared[0]} itu adalah milik bersama pemasangan "
              "ini. Kosongkan opsinya untuk memakai yang bersama.")
        return 1
    async with open_app(settings) as app, app.db.transaction() as conn:
        problems = await institutions.conflicts(conn, checked)
        if problems:
            print("Instansi tidak ditambahkan:")
            for problem in problems:
                print(f"  - {for_terminal(problem)}")
            return 1
        now = app.deps.clock.now()
        institution_id = await institutions.add(conn, checked, now)
        # in the new institution's own trail (`spi-bot audit --institution CODE`)
        await app.deps.audit.record(conn, now, "cli", "institution.added",
                                    f"institution:{institution_id}",
                                    scope=Scope(institution_id), code=checked.code,
                                    kind=checked.kind)
    print(f"Instansi {checked.code} ditambahkan: {for_terminal(checked.name)} "
          f"({institutions.KINDS[checked.kind]}, {checked.timezone}).")
    print("Langkah berikutnya:")
    print(f"  spi-bot units import UNIT.csv --institution {checked.code}")
    print(f"  spi-bot qr --all --institution {checked.code}")
    print(f"  spi-bot staff add --institution {checked.code} --role admin NAMA \"Nama Lengkap\"")
    return 0


async def list_institutions(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from inspectorate import institutions  # noqa: PLC0415

    async with open_app(settings) as app, app.db.reading() as conn:
        found = await institutions.list_all(conn)
    width = max(len(i.code) for i in found) if found else 4
    for inst in found:
        print(for_terminal(f"{inst.code:<{width}}  {inst.kind_label:<19}  {inst.timezone:<14}  "
                           f"{inst.name}"))
    print(f"{len(found)} instansi.")
    return 0


async def show_institution(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from inspectorate import institutions  # noqa: PLC0415

    async with open_app(settings) as app:
        async with app.db.reading() as conn:
            inst = await institutions.by_code(conn, args.code)
            if inst is None:
                print(f"Instansi '{for_terminal(args.code[:40])}' tidak dikenal. Lihat: "
                      "spi-bot institutions list")
                return 1
            counts = await institutions.counts(conn, inst.id)
        async with app.db.transaction() as conn:
            await app.deps.audit.record(conn, app.deps.clock.now(), "cli", "institution.shown",
                                        f"institution:{inst.id}", scope=Scope(inst.id))
    lines = [
        ("Kode", inst.code), ("Nama", inst.name), ("Jenis", inst.kind_label),
        ("Zona waktu", inst.timezone), ("Kontak telepon", inst.contact_phone or "-"),
        ("Kontak e-mail", inst.contact_email or "-"),
        ("Pengirim WhatsApp", inst.whatsapp_sender or "nomor bersama"),
        ("Bot Telegram", f"@{inst.telegram_bot}" if inst.telegram_bot else "bot bersama"),
        ("Unit", str(counts.units)),
        ("Calon responden", str(sum(counts.respondents.values()))),
    ]
    lines += [(f"  {_STATUS_LABELS.get(status, status)}", str(n))
              for status, n in counts.respondents.items()]
    lines.append(("Petugas aktif", str(sum(counts.staff.values()))))
    lines += [(f"  {role}", str(n)) for role, n in counts.staff.items()]
    for label, value in lines:
        print(for_terminal(f"{label:<19}: {value}"))
    return 0


async def load_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from inspectorate.demo import DEMO_PHONE_PREFIX  # noqa: PLC0415
    from inspectorate.demo import load_demo as load  # noqa: PLC0415

    async with open_app(settings) as app, app.db.transaction() as conn:
        now = app.deps.clock.now()
        result = await load(conn, now)
        if result.unit_clashes:
            print("Data contoh tidak dimuat: kode unit "
                  + ", ".join(for_terminal(c) for c in result.unit_clashes)
                  + " sudah dipakai instansi lain.")
            return 1
        await app.deps.audit.record(conn, now, "cli", "institution.demo_loaded", None,
                                    institutions=result.institutions_added,
                                    units=result.units_added,
                                    respondents=result.respondents_added)
    if not (result.institutions_added or result.units_added or result.respondents_added):
        print("Data contoh sudah dimuat sebelumnya; tidak ada yang berubah.")
    else:
        print(f"Data contoh dimuat: {result.institutions_added} instansi, "
              f"{result.units_added} unit, {result.respondents_added} calon responden fiktif "
              f"(nomor {DEMO_PHONE_PREFIX}…, tidak dimiliki siapa pun).")
    print("Coba: " + "; ".join(f"spi-bot stats --institution {c}" for c in result.codes)
          + "; spi-bot stats --national")
    return 0
