"""`spi-bot respondents import|quality|export|show|delete`: the respondent list for staff."""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.commands import respondents_reports
from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.clock import from_text
from core.phones import to_e164
from core.settings import Settings
from core.text_safety import for_terminal

if TYPE_CHECKING:
    from inspectorate.import_plan import ImportPlan

_WIB = ZoneInfo("Asia/Jakarta")


def register(sub: Any) -> None:
    parser = sub.add_parser("respondents", help="daftar responden: impor, mutu data, ekspor, "
                                                "lihat dan hapus data")
    actions = parser.add_subparsers(dest="respondents_action", metavar="AKSI", required=True)

    imp = actions.add_parser(
        "import", help="impor daftar responden dari CSV atau Excel (.xlsx)",
        description="Setiap baris diperiksa. Berkas dengan baris bermasalah ditolak seluruhnya "
                    "(tidak ada yang diimpor) dan laporan CSV per baris ditulis, kecuali "
                    "dengan --skip-invalid. Mengimpor berkas yang sama lagi tidak mengubah apa "
                    "pun.")
    imp.add_argument("file", type=Path)
    imp.add_argument("--skip-invalid", action="store_true",
                     help="impor baris yang valid saja; baris bermasalah masuk laporan")
    imp.add_argument("--map", action="append", metavar="KOLOM=JUDUL",
                     help="tunjukkan kolom secara eksplisit, mis. --map name=\"Nama Lengkap\" "
                          "(kolom: name, phone, email, unit, category, started_on)")
    imp.add_argument("--unit", help="kode unit untuk semua baris bila berkas tidak punya kolom "
                                    "unit")
    imp.add_argument("--category", help="internal, eksternal atau eksper untuk semua baris "
                                        "bila berkas tidak punya kolom kategori")
    imp.add_argument("--sheet", help="nama lembar Excel (default: lembar pertama)")
    imp.add_argument("--report", type=Path,
                     help="berkas laporan baris bermasalah (default: <berkas>-laporan.csv)")
    add_institution_argument(imp)
    imp.set_defaults(handler=import_respondents)

    show = actions.add_parser("show", help="tampilkan semua data yang tersimpan tentang satu "
                                           "orang (permintaan akses)")
    show.add_argument("phone")
    add_institution_argument(show)
    show.set_defaults(handler=show_respondent)

    delete = actions.add_parser("delete", help="hapus data pribadi satu orang (nama, nomor, "
                                               "e-mail, identitas chat)")
    delete.add_argument("phone")
    add_institution_argument(delete)
    delete.add_argument("--yes", action="store_true", help="tanpa pertanyaan konfirmasi")
    delete.set_defaults(handler=delete_respondent)

    respondents_reports.register(actions)


def _print_summary(plan: ImportPlan) -> None:
    from inspectorate.import_rules import REASONS  # noqa: PLC0415 - only when this command runs

    counts = plan.counts()
    print(f"Berkas {for_terminal(plan.file_name)}: {counts.total} baris data")
    print(f"  baru            : {counts.added}")
    print(f"  sudah tersimpan : {counts.unchanged} (tidak berubah)")
    print(f"  bermasalah      : {counts.rejected}")
    print(f"  ditandai        : {counts.flagged}")
    kinds: dict[str, int] = {}
    for (_unit, kind), n in plan.issue_counts().items():
        kinds[kind] = kinds.get(kind, 0) + n
    for kind, n in sorted(kinds.items(), key=lambda item: -item[1]):
        print(f"    {n:>6} × {REASONS[kind]}")


async def import_respondents(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.import_plan import ImportOptions  # noqa: PLC0415
    from inspectorate.respondent_file import RespondentFileError, parse_map_option  # noqa: PLC0415
    from inspectorate.respondent_import import import_file, write_report  # noqa: PLC0415

    try:
        options = ImportOptions(parse_map_option(args.map), args.unit, args.category,
                                args.sheet)
        async with open_app(settings) as app:
            async with app.db.reading() as conn:
                scope = await scope_from_args(conn, args)
            now = app.deps.clock.now()
            result = await import_file(
                app.db, args.file, now=now, today=now.astimezone(_WIB).date(),
                skip_invalid=args.skip_invalid, options=options, scope=scope)
    except RespondentFileError as exc:
        print(f"Berkas {for_terminal(args.file)} ditolak, tidak ada yang diimpor:\n"
              f"{for_terminal(exc)}")
        return 1
    except sqlite3.IntegrityError:
        print("Data berubah selama impor (ada pendaftaran baru). Tidak ada yang diimpor; "
              "jalankan perintah yang sama sekali lagi.")
        return 1
    if result.already_imported is not None:
        batch_id, name, at = result.already_imported
        print(f"Berkas ini sudah diimpor ({name}, {at}, impor #{batch_id}). "
              "Tidak ada yang berubah.")
        return 0
    plan = result.plan
    if plan is None:
        return 1
    _print_summary(plan)
    if plan.problems:
        report = args.report or args.file.with_name(f"{args.file.stem}-laporan.csv")
        try:
            write_report(plan, report)
        except OSError as exc:
            print(f"Laporan {for_terminal(report)} tidak bisa ditulis: "
                  f"{exc.strerror or exc}. Pilih tempat lain dengan --report.")
        else:
            print(f"Laporan baris bermasalah/ditandai: {for_terminal(report)}")
    if result.batch_id is None:
        print(f"BERKAS DITOLAK: {len(plan.rejected)} baris bermasalah, tidak ada yang "
              "diimpor. Perbaiki berkasnya, atau impor baris yang valid saja dengan "
              "--skip-invalid.")
        return 1
    print(f"Selesai: impor #{result.batch_id}. Orang yang diimpor belum memberi persetujuan "
          "lewat bot: mereka tidak dikirimi pesan Telegram, hanya templat WhatsApp resmi.")
    return 0


def _phone_or_complain(text: str) -> str | None:
    phone = to_e164(text)
    if phone is None:
        print(f"'{text}' bukan nomor telepon yang valid.")
    return phone


async def show_respondent(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate.retention import purge_day_of  # noqa: PLC0415
    from storage.personal_data import record_of  # noqa: PLC0415

    phone = _phone_or_complain(args.phone)
    if phone is None:
        return 1
    async with open_app(settings) as app:
        async with app.db.reading() as conn:
            scope = await scope_from_args(conn, args)
            found = await app.deps.respondents.get_by_phone(conn, scope, phone)
            record = (await record_of(conn, found.id)
                      if found is not None and found.id is not None else None)
        if record is None:
            print(f"Tidak ada data tersimpan untuk nomor {phone}.")
            return 1
        row = record.respondent
        async with app.db.transaction() as conn:
            await app.deps.audit.record(conn, app.deps.clock.now(), "cli", "respondent.shown",
                                        f"respondent:{row['id']}", scope=scope)
    source = ("impor berkas " + str(row["file_name"]) + " (belum memberi persetujuan lewat bot)"
              if row["source"] == "import" else "pendaftaran lewat bot")
    purge_on = purge_day_of(settings, from_text(row["created_at"]).date())
    lines = [
        ("Nama", row["name"]), ("Nomor HP", row["phone"]), ("E-mail", row["email"] or "-"),
        ("Unit", f"{row['unit_name']} ({row['unit_code']})"), ("Kategori", row["category"]),
        ("Jenis", row["respondent_type"] or "-"), ("Layanan", row["service"] or "-"),
        ("Bulan layanan", row["service_month"] or "-"),
        ("Tanggal mulai", row["started_on"] or "-"), ("Status", row["status"]),
        ("Sumber", source),
        ("Persetujuan", f"{row['consent_at']} (versi {row['consent_version']})"
         if row["consent_at"] else "-"),
        ("Berhenti pesan", row["opted_out_at"] or "-"),
        ("Terdaftar", row["created_at"]), ("Diperbarui", row["updated_at"]),
        ("Pengingat", f"{record.reminders_sent} terkirim"),
        ("Dihapus paling lambat", purge_on.isoformat()),
    ]
    for label, value in lines:
        print(for_terminal(f"{label:<15}: {value}"))
    for ident in record.identities:
        print(f"{'Kanal chat':<15}: {ident['channel']} {ident['address']} (pesan terakhir "
              f"{ident['last_inbound_at'] or '-'}"
              + (f", tidak terjangkau sejak {ident['unreachable_at']}"
                 if ident["unreachable_at"] else "") + ")")
    for c in record.conversations:
        typed = json.dumps(c.data, ensure_ascii=False)
        print(for_terminal(f"{'Dialog terbuka':<15}: {c.channel} {c.address} ({c.state}, "
                         f"{c.updated_at}): {typed}"))
    return 0


async def delete_respondent(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from storage.personal_data import erase_respondent  # noqa: PLC0415

    phone = _phone_or_complain(args.phone)
    if phone is None:
        return 1
    if not args.yes:
        answer = await asyncio.to_thread(
            input, f"Hapus semua data pribadi pemilik nomor {phone}? Ketik YA: ")
        if answer.strip().upper() != "YA":
            print("Dibatalkan; tidak ada yang dihapus.")
            return 1
    async with open_app(settings) as app, app.db.transaction() as conn:
        scope = await scope_from_args(conn, args)
        respondent = await app.deps.respondents.get_by_phone(conn, scope, phone)
        if respondent is None or respondent.id is None:
            print(f"Tidak ada data tersimpan untuk nomor {phone}.")
            return 1
        await erase_respondent(conn, respondent.id, app.deps.clock.now(), actor="cli",
                               via="cli")
    print("Data pribadi dihapus (nama, nomor, e-mail, identitas chat). Hitungan statistik "
          "tetap; log audit mencatat penghapusan tanpa datanya.")
    return 0
