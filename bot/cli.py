"""`spi-bot`: the command line for staff and the technical team."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot import event_loop
from bot.commands import (
    audit,
    broadcast,
    chat,
    check,
    db,
    faq,
    institutions,
    purge,
    qr,
    respondents,
    run,
    staff,
    stats,
    units,
)
from bot.commands.institution_option import InstitutionError
from core.masking import configure_logging
from core.settings import Settings, SettingsError, load_settings
from storage.errors import StorageError

Handler = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]

# Explicit, visible order of subcommands.
SUBCOMMANDS = (run, chat, institutions, units, faq, check, broadcast, respondents, qr, stats,
               purge, audit, db, staff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spi-bot",
        description="Bot Inspektorat untuk Survei Penilaian Integritas (SPI) KPK.",
    )
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING atau ERROR")
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(args.log_level or getattr(args, "default_log_level", None)
                      or settings.log_level)
    try:
        return event_loop.run(handler(args, settings))
    except StorageError as exc:
        print(f"Kesalahan database: {exc}", file=sys.stderr)
        return 3
    except InstitutionError as exc:
        print(exc)  # a message for the user, like the commands' own refusals
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception:
        logging.getLogger(__name__).exception("Perintah gagal")
        return 1
