"""`spi-bot audit [--institution CODE] [--limit N]`: one institution's audit trail (issue 15).

Staff see who did what and when in their own institution, newest first: time (in the
institution's time zone), actor, action, subject and the row's details. The audit log never
holds personal data (names, numbers, answers), so nothing more is shown than it holds; another
institution's rows are never listed. Viewing the trail is itself recorded.
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.institution_option import add_institution_argument, scope_from_args
from core.settings import Settings
from core.text_safety import for_terminal

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"isi angka 1 sampai {MAX_LIMIT}")
    return value


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "audit", help="jejak audit satu instansi: siapa melakukan apa dan kapan",
        description="Menampilkan catatan audit terbaru satu instansi (terbaru di atas). "
                    "Catatan audit tidak memuat data pribadi. Contoh: spi-bot audit "
                    "--institution KAB-SUKAMAJU --limit 20")
    add_institution_argument(parser)
    parser.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT, metavar="N",
                        help=f"jumlah catatan (bawaan {DEFAULT_LIMIT}, paling banyak "
                             f"{MAX_LIMIT})")
    parser.set_defaults(handler=show_audit, default_log_level="WARNING")


async def show_audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app  # noqa: PLC0415 - only when this command runs
    from inspectorate import institutions  # noqa: PLC0415

    async with open_app(settings) as app:
        async with app.db.reading() as conn:
            scope = await scope_from_args(conn, args)
            institution = await institutions.by_id(conn, scope.institution_id or 1)
        async with app.db.reading() as conn:  # a fresh connection: the lookups were unscoped
            entries = await app.deps.audit.recent(conn, args.limit, scope=scope)
        async with app.db.transaction() as conn:
            await app.deps.audit.record(conn, app.deps.clock.now(), "cli", "audit.viewed", None,
                                        scope=scope, limit=args.limit)
    zone = ZoneInfo(institution.timezone if institution is not None else "Asia/Jakarta")
    label = f"{institution.code} ({institution.name})" if institution is not None else "-"
    print(for_terminal(f"Jejak audit {label}, {len(entries)} catatan terbaru "
                       f"(waktu {zone.key}):"))
    if not entries:
        print("  (belum ada catatan)")
    for entry in entries:
        at = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) \
            if entry.detail else ""
        print(for_terminal(f"{at}  {entry.actor:<12}  {entry.action:<28}  "
                           f"{entry.subject or '-'}  {detail}".rstrip()))
    return 0
