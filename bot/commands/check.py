"""`spi-bot check "text"` and `check --batch FILE`: is a link, number or message official?

Needs no database: a check is answered from a cold start and nothing about it is stored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.commands.batch import run_batch
from core.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("check", help="cek keaslian tautan, nomor, e-mail, atau pesan")
    parser.add_argument("text", nargs="*", help="teks yang dicek")
    parser.add_argument("--json", action="store_true", help="keluaran JSON satu objek")
    parser.add_argument("--batch", type=Path, metavar="FILE",
                        help="satu teks per baris; satu objek JSON per baris")
    parser.add_argument("--lang", choices=["id", "en"], help="bahasa alasan")
    parser.set_defaults(handler=check, default_log_level="WARNING")


async def check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.catalog import build_catalog  # noqa: PLC0415
    from core.clock import SystemClock  # noqa: PLC0415
    from handlers.check.checker import check_text  # noqa: PLC0415
    from handlers.check.registry import RegistryError, load_registry  # noqa: PLC0415
    from handlers.check.render import item_reason, reasons, render  # noqa: PLC0415

    lang = args.lang or settings.default_language
    catalog = build_catalog(settings)
    try:
        registry = load_registry(settings.registry_file)
    except RegistryError as exc:
        print(f"Registri resmi tidak bisa dipakai: {exc}", file=sys.stderr)
        return 2

    year = SystemClock().now().year

    def as_json(text: str) -> str:
        result = check_text(text, registry, year=year)
        return json.dumps({
            "text": text, "verdict": result.verdict,
            "reasons": reasons(catalog, lang, result),
            "items": [{"kind": i.kind, "value": i.value, "verdict": i.verdict,
                       "reason": item_reason(catalog, lang, i)} for i in result.items],
        }, ensure_ascii=False)

    if args.batch is not None:
        return run_batch(args.batch, as_json)
    text = " ".join(args.text).strip()
    if not text:
        print('Tulis teks yang dicek, misalnya: spi-bot check "https://spi.kpk.go.id"',
              file=sys.stderr)
        return 2
    print(as_json(text) if args.json
          else render(catalog, lang, check_text(text, registry, year=year)))
    return 0
