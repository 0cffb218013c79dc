"""The main menu, shown on a bare start, a greeting, or MENU."""

from __future__ import annotations

from handlers.turn import Turn
from handlers.words import normalize

GREETINGS = frozenset({"/start", "start", "halo", "hallo", "helo", "hai", "hi", "hello", "p",
                       "pagi", "siang", "sore", "malam", "selamat pagi", "selamat siang",
                       "selamat sore", "selamat malam", "assalamualaikum", "permisi", "min",
                       "halo min", "halo kak", "mulai"})


def show_menu(turn: Turn) -> None:
    turn.say("menu.text", choices=[
        turn.choice_of("menu.register", "menu:register"),
        turn.choice_of("menu.faq", "menu:faq"),
        turn.choice_of("menu.check", "menu:check"),
        turn.choice_of("menu.privacy", "menu:privacy"),
    ])
    turn.say("menu.footer")


class MenuEntry:
    """Greetings open the menu; menu picks that other handlers do not own are answered here."""

    async def try_handle(self, turn: Turn) -> bool:
        if turn.choice == "menu:faq":
            turn.say("menu.ask_faq")
            return True
        if turn.choice == "menu:check":
            turn.goto("check:await")  # the next message goes to the checker, whatever it is
            turn.say("menu.ask_check")
            return True
        if turn.choice == "menu:privacy":
            turn.say("menu.privacy_help")
            return True
        if normalize(turn.text) in GREETINGS and not turn.msg.start_payload:
            show_menu(turn)
            return True
        return False


class NotUnderstood:
    """The last resort: say so honestly and point to the menu and the inspectorate."""

    async def try_handle(self, turn: Turn) -> bool:
        turn.say("common.not_understood")
        return True
