"""The FAQ in a chat: answers a confident match; otherwise says so honestly and keeps the
masked question (no link to who asked) for staff to review."""

from __future__ import annotations

from handlers.faq.answers import answer_text
from handlers.faq.language import looks_english
from handlers.faq.matcher import INTENTS
from handlers.faq.redact import redact
from handlers.turn import Turn

_MIN_QUESTION_WORDS = 2  # "ok", "2" or a lone word are not questions worth keeping
_SUGGEST_FLOOR = 0.15  # below the answer threshold, a guess this good is offered as a choice
CHOICE_PREFIX = "faq:"


class FaqEntry:
    """Takes idle messages as questions about SPI (after the checker had its look)."""

    async def try_handle(self, turn: Turn) -> bool:
        if turn.choice and turn.choice.startswith(CHOICE_PREFIX):
            intent = turn.choice.removeprefix(CHOICE_PREFIX)
            if intent in INTENTS:
                await turn.deps.faq_stats.count_answer(turn.conn, turn.now, intent)
                answer(turn, intent, turn.lang)
                return True
        text = turn.text
        if not text or not any(ch.isalpha() for ch in text):
            return False
        match = turn.deps.matcher.get().match(text)
        if match.intent is None and len(text.split()) < _MIN_QUESTION_WORDS:
            return False  # the general "not understood" reply fits better
        await turn.deps.faq_stats.count_answer(turn.conn, turn.now, match.intent)
        if match.intent is None:
            await turn.deps.faq_stats.keep_unanswered(turn.conn, turn.now, redact(text))
            choices = []
            if match.on_topic and match.best_guess and match.score >= _SUGGEST_FLOOR:
                # An honest "not sure", with the likeliest answer one tap away.
                choices.append(turn.choice_of(f"faq_title.{match.best_guess}",
                                              CHOICE_PREFIX + match.best_guess))
            choices += [turn.choice_of("menu.faq", "menu:faq"),
                        turn.choice_of("menu.check", "menu:check"),
                        turn.choice_of("menu.register", "menu:register")]
            turn.say("faq.unsure", choices=choices)
            return True
        # Indonesian first, but a question asked in English is answered in English.
        answer(turn, match.intent, "en" if looks_english(text) else turn.lang)
        return True


def answer(turn: Turn, intent: str, lang: str) -> None:
    settings = turn.deps.settings
    turn.say_text(answer_text(turn.deps.catalog, lang, intent, settings,
                              turn.deps.registry.get()))
    turn.say_text(turn.deps.catalog.text(lang, "faq.more"))
