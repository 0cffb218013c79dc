"""The FAQ in a chat: answers a confident match; otherwise says so honestly and keeps only the
question's topic words (no link to who asked, nothing about them) for staff to review."""

from __future__ import annotations

from core.catalog import LANGUAGES
from core.messages import Choice
from handlers.faq.answers import answer_text, detail_key, detail_text
from handlers.faq.embedding import HybridMatcher
from handlers.faq.language import looks_english
from handlers.faq.matcher import INTENTS, FaqMatcher, Match
from handlers.faq.redact import topic_words
from handlers.turn import Prepared, Turn, Unprepared
from handlers.words import normalize

_MIN_QUESTION_WORDS = 2  # "ok", "2" or a lone word are not questions worth keeping
_SUGGEST_FLOOR = 0.15  # below the answer threshold, a guess this good is offered as a choice
CHOICE_PREFIX = "faq:"
# INFO right after an answer with details: the value names the answer and its language.
DETAILS_PREFIX = "faq_info:"
INFO_WORDS = frozenset({"info", "informasi", "info data", "info privasi"})
# Saying one received or filled in the survey is answered but never counted, not even per day:
# a tally of who says they took part is the record SPI forbids an inspectorate to keep.
UNCOUNTED = frozenset({"already_participated"})


class FaqEntry:
    """Takes idle messages as questions about SPI (after the checker had its look)."""

    async def try_handle(self, turn: Turn) -> bool:
        if turn.choice and turn.choice.startswith(DETAILS_PREFIX):
            show_details(turn, turn.choice.removeprefix(DETAILS_PREFIX))
            return True
        if turn.choice and turn.choice.startswith(CHOICE_PREFIX):
            intent = turn.choice.removeprefix(CHOICE_PREFIX)
            if intent in INTENTS:
                if intent not in UNCOUNTED:
                    await turn.deps.faq_stats.count_answer(turn.conn, turn.now, intent,
                                                            scope=turn.scope)
                answer(turn, intent, turn.lang)
                return True
        text = turn.text
        if not text or not any(ch.isalpha() for ch in text):
            return False
        if normalize(text) in INFO_WORDS:
            # The notice and the bot_privacy answer promise the details on INFO.
            turn.say("reg.notice_details")
            return True
        matcher = turn.deps.matcher.get()
        match = await faq_match(turn, matcher, text)
        if match.intent is None and len(text.split()) < _MIN_QUESTION_WORDS:
            return False  # the general "not understood" reply fits better
        if match.alternatives:
            # Two answers fit about equally: one tap picks the meant one (counted then).
            turn.say("faq.clarify", choices=[
                turn.choice_of(f"faq_title.{intent}", CHOICE_PREFIX + intent)
                for intent in match.alternatives])
            return True
        if match.intent not in UNCOUNTED:
            await turn.deps.faq_stats.count_answer(turn.conn, turn.now, match.intent,
                                                    scope=turn.scope)
        if match.intent is None:
            topic = topic_words(text, matcher)
            if topic:
                await turn.deps.faq_stats.keep_unanswered(turn.conn, turn.now, topic,
                                                         scope=turn.scope)
            kept = " " + turn.t("faq.topic_kept") if topic else ""
            if match.suggestions:
                # Unsure, but two or three answers are likely: one tap picks the meant one, as
                # for a close call (counted then), and the FAQ menu and staff stay one tap away.
                offered = [turn.choice_of(f"faq_title.{intent}", CHOICE_PREFIX + intent)
                           for intent in match.suggestions]
                offered.append(turn.choice_of("menu.faq", "menu:faq"))
                if "contact_human" not in match.suggestions:
                    offered.append(contact_choice(turn))
                turn.say("faq.suggest", kept=kept, choices=offered)
                return True
            choices = []
            if (match.on_topic and match.best_guess and not match.refused
                    and match.score >= _SUGGEST_FLOOR):
                # An honest "not sure", with the likeliest answer one tap away (none for a
                # question the refusal stage recognised as another matter: LHKPN, CPNS...).
                choices.append(turn.choice_of(f"faq_title.{match.best_guess}",
                                              CHOICE_PREFIX + match.best_guess))
            choices += [turn.choice_of("menu.faq", "menu:faq"),
                        turn.choice_of("menu.check", "menu:check"),
                        turn.choice_of("menu.register", "menu:register"),
                        contact_choice(turn)]
            # Only what is true: the note on keeping appears only when something was kept.
            turn.say("faq.unsure", kept=kept, choices=choices)
            return True
        # Indonesian first, but a question asked in English is answered in English.
        answer(turn, match.intent, "en" if looks_english(text) else turn.lang)
        return True


async def faq_match(turn: Turn, matcher: FaqMatcher, text: str) -> Match:
    """The FAQ's match for `text` (a pure function of the text). A question the word matcher
    is unsure of asks the model, off the event loop; the sender's lock keeps this person's
    next message waiting meanwhile (order kept). Where the turn must not hold the write
    transaction while it waits (SQLite's single writer), the model is asked outside it: the
    turn raises Unprepared before it changed anything and runs again with the match."""
    found = turn.prepared.faq.get(text)
    if found is not None:
        return found
    if turn.defer_slow_work and isinstance(matcher, HybridMatcher) and matcher.opinion.ready:
        lexical, scores = matcher._first_stage(text)
        if scores is None:
            return lexical  # sure enough: the model is not asked (as in match_async)

        async def ask_model(prepared: Prepared) -> None:
            prepared.faq[text] = await matcher.match_async(text)

        raise Unprepared(ask_model)
    return await matcher.match_async(text)


def answer(turn: Turn, intent: str, lang: str) -> None:
    settings = turn.deps.settings
    turn.say_text(answer_text(turn.deps.catalog, lang, intent, settings,
                              turn.deps.registry.get(), today=turn.now.date()))
    say_more(turn, intent, lang)


def say_more(turn: Turn, intent: str, lang: str) -> None:
    """The closing line; when the answer has details, INFO (typed, its number or the button)
    shows them next turn. The engine keeps the offer for one turn only, and never for an
    answer about having taken part (that would be a record of it)."""
    catalog = turn.deps.catalog
    if intent in UNCOUNTED or detail_key(catalog, lang, intent) is None:
        turn.say_text(catalog.text(lang, "faq.more"))
        return
    turn.say_text(catalog.text(lang, "faq.more_info"), choices=[
        Choice(catalog.text(lang, "faq.info_choice"), f"{DETAILS_PREFIX}{lang}:{intent}")])


def show_details(turn: Turn, offered: str) -> None:
    """The details of the answer just given, in that answer's language."""
    lang, _, intent = offered.partition(":")
    lang = lang if lang in LANGUAGES else turn.lang
    catalog = turn.deps.catalog
    text = None
    if intent in INTENTS:
        text = detail_text(catalog, lang, intent, turn.deps.settings, turn.deps.registry.get(),
                           today=turn.now.date())
    turn.say_text(text if text is not None else catalog.text(lang, "reg.notice_details"))
    turn.say_text(catalog.text(lang, "faq.more"))


def contact_choice(turn: Turn) -> Choice:
    """The inspectorate's contact one tap away, instead of in every fallback."""
    return turn.choice_of("faq.contact_choice", CHOICE_PREFIX + "contact_human")
