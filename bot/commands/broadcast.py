"""`spi-bot broadcast create|catalog|check-text|list|show|pause|resume|cancel|worker`.

It stays one module because it is only the command line's reading and printing of those
subcommands; the rules they apply live in outreach/ (service, integrity, reminders)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.settings import Settings
from storage.states import Category

if TYPE_CHECKING:
    from outreach.service import BroadcastRefused, BroadcastRequest

# The app and the outreach modules are imported by each command when it runs, so that
# `spi-bot faq` and friends start fast.

ACTOR = "cli"


def register(sub: Any) -> None:
    parser = sub.add_parser("broadcast", help="siaran pengingat ke responden terverifikasi")
    actions = parser.add_subparsers(dest="broadcast_action", metavar="AKSI", required=True)

    create = actions.add_parser(
        "create", help="buat siaran (pratinjau dulu, lalu konfirmasi)",
        description="Contoh: spi-bot broadcast create --text 'Halo {nama}, ...' "
                    "--every 'senin 09:00' --tz WITA --from 2026-08-01 --until 2026-10-31")
    text = create.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", help="teks siaran; boleh memakai {nama} dan {unit}")
    text.add_argument("--text-file", help="berkas teks siaran (UTF-8)")
    text.add_argument("--catalog", metavar="ID",
                      help="teks pengingat yang disetujui (lihat: spi-bot broadcast catalog)")
    create.add_argument("--lang", choices=["id", "en"], default="id",
                        help="bahasa teks katalog (--catalog)")
    create.add_argument("--template", metavar="HX...",
                        help="ContentSid templat WhatsApp untuk penerima di luar jendela 24 jam")
    create.add_argument("--var", action="append", default=[], metavar="N=NILAI",
                        help="variabel templat, mis. --var 1={nama} --var 2={unit}")
    create.add_argument("--unit", action="append", default=[], help="kode unit (boleh diulang)")
    create.add_argument("--region", action="append", default=[], help="wilayah")
    create.add_argument("--category", action="append", default=[],
                        choices=[str(c) for c in Category], help="kategori responden")
    create.add_argument("--type", action="append", default=[], dest="respondent_type",
                        choices=["service_user", "business"], help="jenis responden eksternal")
    create.add_argument("--channel", action="append", default=[],
                        choices=["telegram", "whatsapp"], help="hanya kanal ini")
    create.add_argument("--registered-from", metavar="YYYY-MM-DD")
    create.add_argument("--registered-to", metavar="YYYY-MM-DD")
    when = create.add_mutually_exclusive_group()
    when.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="kirim sekali pada waktu ini")
    when.add_argument("--every", metavar="'HARI HH:MM'",
                      help="berulang, mis. 'senin 09:00', 'senin,kamis 08:30', 'hari 07:30'")
    create.add_argument("--tz", default="WIB", help="zona waktu jadwal: WIB, WITA, WIT")
    create.add_argument("--from", dest="start_date", metavar="YYYY-MM-DD",
                        help="tanggal mulai (berulang)")
    create.add_argument("--until", dest="end_date", metavar="YYYY-MM-DD",
                        help="tanggal akhir (berulang)")
    create.add_argument("--canary", type=int, default=0, metavar="N",
                        help="kirim ke N penerima pertama dulu, lalu tunggu konfirmasi")
    create.add_argument("--force", action="store_true",
                        help="tetap buat walau siaran yang sama baru saja dibuat")
    create.add_argument("--yes", action="store_true", help="tanpa pertanyaan konfirmasi")
    add_institution_argument(create)
    create.set_defaults(handler=create_broadcast)

    listing = actions.add_parser("list", help="daftar siaran")
    add_institution_argument(listing)
    listing.set_defaults(handler=list_broadcasts)
    catalog = actions.add_parser("catalog", help="katalog teks pengingat yang disetujui")
    catalog.add_argument("--lang", choices=["id", "en"], default="id")
    catalog.set_defaults(handler=list_catalog)
    check = actions.add_parser(
        "check-text", help="periksa teks siaran; satu objek JSON per teks",
        description='Contoh: spi-bot broadcast check-text "Halo {nama}, ..." atau '
                    "spi-bot broadcast check-text --json --batch teks.txt (satu teks per baris)")
    check.add_argument("text", nargs="?", help="teks yang diperiksa")
    check.add_argument("--batch", metavar="FILE", help="berkas, satu teks per baris")
    check.add_argument("--json", action="store_true",
                       help="keluaran JSON (selalu JSON; untuk keseragaman dengan check)")
    check.set_defaults(handler=check_texts)
    for name, help_text, handler in (
        ("show", "kemajuan dan hasil satu siaran", show_broadcast),
        ("pause", "jeda siaran", pause_broadcast),
        ("resume", "lanjutkan siaran / konfirmasi uji coba", resume_broadcast),
        ("cancel", "batalkan siaran", cancel_broadcast),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("id", type=int)
        add_institution_argument(action)
        action.set_defaults(handler=handler)
    worker = actions.add_parser(
        "worker", help="jalankan penjadwal dan pengirim siaran (tanpa server obrolan)",
        description="Dengan PostgreSQL dan SPI_REDIS_URL, beberapa proses pengirim boleh "
                    "berjalan bersamaan: semuanya mengirim, satu menjadwalkan.")
    worker.add_argument(
        "--standby", action="store_true",
        help="bila pengirim lain sudah berjalan sendirian, tunggu dan ambil alih saat ia "
             "berhenti (SQLite, atau PostgreSQL tanpa Redis)")
    worker.set_defaults(handler=run_worker)


def _t(settings: Settings) -> Any:
    from bot.catalog import build_catalog  # noqa: PLC0415
    catalog = build_catalog(settings)
    return lambda key, **values: catalog.text("id", key, **values)


def _refusal(t: Any, exc: BroadcastRefused) -> str:
    """Why, in one line; for a text refused on integrity, the nearest approved text too."""
    from outreach.reminders import text_key  # noqa: PLC0415
    from outreach.report import refusal_text  # noqa: PLC0415
    line = refusal_text(t, exc)
    suggestion = exc.values.get("suggestion")
    if isinstance(suggestion, str):
        line += "\n" + t("broadcast.suggest", id=suggestion, text=t(text_key(suggestion)))
    return line


def _text_of(args: argparse.Namespace, settings: Settings) -> str:
    from outreach.reminders import find, text_key  # noqa: PLC0415
    if args.catalog is not None:
        reminder = find(args.catalog)
        if reminder is None:
            raise ValueError(_t(settings)("broadcast.refuse_catalog", id=args.catalog))
        from bot.catalog import build_catalog  # noqa: PLC0415
        return str(build_catalog(settings).text(args.lang, text_key(reminder)))
    if args.text is not None:
        return str(args.text)
    return Path(args.text_file).read_text(encoding="utf-8")


async def _with_template_body(request: BroadcastRequest, settings: Settings) -> BroadcastRequest:
    """The request with its template's body as Twilio holds it now (read each time)."""
    from dataclasses import replace  # noqa: PLC0415

    from bot.channels.whatsapp.content import fetch_template_body  # noqa: PLC0415
    if request.template_sid is None:
        return request
    body = await fetch_template_body(settings, request.template_sid)
    return replace(request, template_body=body.text, template_unreadable=body.problem)


def _request(args: argparse.Namespace, now: Any, settings: Settings) -> BroadcastRequest:
    from outreach.audience import AudienceFilter  # noqa: PLC0415
    from outreach.schedule import Schedule, parse_zone  # noqa: PLC0415
    from outreach.service import BroadcastRequest  # noqa: PLC0415
    text = _text_of(args, settings)
    variables = {}
    for item in args.var:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"Variabel '{item}' harus berbentuk N=NILAI, mis. 1={{nama}}.")
        variables[key.strip()] = value
    if args.every:
        schedule = Schedule.recurring(args.every, args.tz, args.start_date, args.end_date)
    elif args.at:
        schedule = Schedule.once(args.at, args.tz)
    else:
        schedule = Schedule.now(now, parse_zone(args.tz))
    audience = AudienceFilter(
        units=tuple(u.upper() for u in args.unit), regions=tuple(args.region),
        categories=tuple(args.category), respondent_types=tuple(args.respondent_type),
        channels=tuple(args.channel), registered_from=args.registered_from,
        registered_to=args.registered_to)
    return BroadcastRequest(text=text, audience=audience, schedule=schedule,
                            template_sid=args.template, template_variables=variables,
                            canary_size=args.canary)


async def create_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from outreach.report import preview_text  # noqa: PLC0415
    from outreach.schedule import ScheduleError  # noqa: PLC0415
    from outreach.service import BroadcastRefused, BroadcastService  # noqa: PLC0415
    t = _t(settings)
    async with open_app(settings) as app:
        now = app.deps.clock.now()
        try:
            request = _request(args, now, settings)
        except (ScheduleError, ValueError, OSError) as exc:
            print(f"Siaran tidak dibuat: {exc}")
            return 1
        service = BroadcastService(settings)
        async with app.db.reading() as conn:
            scope = await scope_from_args(conn, args)
        try:
            request = await _with_template_body(request, settings)
            async with app.db.reading() as conn:
                preview = await service.preview(conn, request, now, scope=scope)
        except BroadcastRefused as exc:
            print("Siaran tidak dibuat: " + _refusal(t, exc))
            return 1
        print(preview_text(t, preview, request.canary_size))
        if not args.yes:
            if not sys.stdin.isatty():
                print("Tambahkan --yes untuk membuat siaran tanpa pertanyaan.")
                return 1
            answer = await asyncio.to_thread(input, "Buat siaran ini? [y/T] ")
            if answer.strip().lower() not in ("y", "ya", "yes"):
                print("Siaran tidak dibuat.")
                return 1
        try:
            # Read again: the template may have changed while staff read the preview.
            request = await _with_template_body(request, settings)
            async with app.db.transaction() as conn:
                broadcast, _ = await service.create(conn, request, ACTOR, app.deps.clock.now(),
                                                    force=args.force, scope=scope)
        except BroadcastRefused as exc:
            print("Siaran tidak dibuat: " + _refusal(t, exc))
            return 1
    print(t("broadcast.created", id=broadcast.id, schedule=request.schedule.describe()))
    return 0


async def list_broadcasts(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from outreach.report import list_text  # noqa: PLC0415
    from storage.repositories.broadcasts import BroadcastRepository  # noqa: PLC0415
    async with open_app(settings) as app, app.db.reading() as conn:
        broadcasts = await BroadcastRepository().list_recent(
            conn, scope=await scope_from_args(conn, args))
    print(list_text(_t(settings), broadcasts))
    return 0


async def list_catalog(args: argparse.Namespace, settings: Settings) -> int:
    from bot.catalog import build_catalog  # noqa: PLC0415
    from outreach.reminders import IDS, text_key, title_key  # noqa: PLC0415
    catalog = build_catalog(settings)
    for reminder in IDS:
        print(catalog.text(args.lang, "broadcast.catalog_line", id=reminder,
                           title=catalog.text(args.lang, title_key(reminder)),
                           text=catalog.text(args.lang, text_key(reminder))))
    return 0


async def check_texts(args: argparse.Namespace, settings: Settings) -> int:
    """One JSON object per text: {"text", "verdict": "allowed"|"refused", "reasons"}."""
    from bot.commands.batch import run_batch  # noqa: PLC0415
    from outreach.integrity import check_broadcast  # noqa: PLC0415

    def to_json(text: str) -> str:
        return json.dumps(check_broadcast(text).to_json() | {"text": text}, ensure_ascii=False)

    if args.batch is not None:
        return run_batch(Path(args.batch), to_json)
    if not args.text:
        print("Berikan teksnya, atau --batch FILE.", file=sys.stderr)
        return 2
    print(to_json(args.text))
    return 0


async def show_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from outreach.report import refusal_text, show_text  # noqa: PLC0415
    from outreach.service import BroadcastRefused, BroadcastService  # noqa: PLC0415
    t = _t(settings)
    service = BroadcastService(settings)
    async with open_app(settings) as app, app.db.reading() as conn:
        scope = await scope_from_args(conn, args)
        try:
            broadcast, runs = await service.progress(conn, args.id, app.deps.clock.now(),
                                                     scope=scope)
        except BroadcastRefused as exc:
            print(refusal_text(t, exc))
            return 1
        alerts = await service.alerts(conn, args.id, scope=scope)
    print(show_text(t, broadcast, runs, alerts))
    return 0


async def _control(args: argparse.Namespace, settings: Settings, action: str) -> int:
    from bot.app import open_app  # noqa: PLC0415
    from outreach.report import refusal_text  # noqa: PLC0415
    from outreach.service import BroadcastRefused, BroadcastService  # noqa: PLC0415
    t = _t(settings)
    service = BroadcastService(settings)
    async with open_app(settings) as app:
        async with app.db.reading() as conn:
            scope = await scope_from_args(conn, args)
        try:
            async with app.db.transaction() as conn:
                now = app.deps.clock.now()
                if action == "pause":
                    await service.pause(conn, args.id, ACTOR, now, scope=scope)
                    message = t("broadcast.paused", id=args.id)
                elif action == "resume":
                    await service.resume(conn, args.id, ACTOR, now, scope=scope)
                    message = t("broadcast.resumed", id=args.id)
                else:
                    _, count = await service.cancel(conn, args.id, ACTOR, now, scope=scope)
                    message = t("broadcast.cancelled", id=args.id, count=count)
        except BroadcastRefused as exc:
            print(refusal_text(t, exc))
            return 1
    print(message)
    return 0


async def pause_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    return await _control(args, settings, "pause")


async def resume_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    return await _control(args, settings, "resume")


async def cancel_broadcast(args: argparse.Namespace, settings: Settings) -> int:
    return await _control(args, settings, "cancel")


async def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.commands.broadcast_worker import run_worker_until_stopped  # noqa: PLC0415

    return await run_worker_until_stopped(settings, standby=args.standby)
