"""Words that work anywhere in a dialog: MENU/BANTUAN, BATAL, STOP, HAPUS DATA, BAHASA."""

from __future__ import annotations

from handlers.menu import show_menu
from handlers.privacy import start_delete, stop_messages
from handlers.turn import Turn
from handlers.words import normalize

MENU_WORDS = frozenset({"menu", "bantuan", "help", "/menu", "/help", "/bantuan", "start over"})
CANCEL_WORDS = frozenset({"batal", "cancel", "/batal", "/cancel", "batalkan"})
STOP_WORDS = frozenset({"stop", "berhenti", "unsubscribe", "/stop", "stop pesan"})
DELETE_WORDS = frozenset({"hapus data", "hapus data saya", "delete my data", "delete data",
                          "/hapus", "/hapusdata", "/delete"})
LANGUAGE_WORDS = {"bahasa en": "en", "bahasa inggris": "en", "language en": "en",
                  "english": "en", "bahasa id": "id", "bahasa indonesia": "id",
                  "language id": "id", "indonesian": "id"}


class GlobalCommands:
    """Checked before any flow, so a user can always get out or get help."""

    async def try_handle(self, turn: Turn) -> bool:
        word = normalize(turn.text)
        if word in MENU_WORDS:
            was_busy = turn.session.state != "idle"
            turn.end()
            if was_busy:
                turn.say("common.cancelled")
            show_menu(turn)
            return True
        if word in CANCEL_WORDS:
            if turn.session.state == "idle":
                turn.say("common.nothing_to_cancel")
            else:
                turn.end()
                turn.say("common.cancelled")
            return True
        if word in STOP_WORDS:
            turn.end()
            await stop_messages(turn)
            return True
        if word in DELETE_WORDS:
            turn.end()
            await start_delete(turn)
            return True
        if word in LANGUAGE_WORDS:
            turn.session.language = LANGUAGE_WORDS[word]
            turn.say("common.language_set")
            return True
        return False
