"""`/stats` (Telegram) or `STATISTIK` (WhatsApp): the progress summary and chart for staff."""

from __future__ import annotations

import asyncio

from core.messages import Image, Reply
from core.roles import Permission
from handlers.staff import admit
from handlers.turn import Turn
from handlers.words import normalize
from inspectorate.stats import (
    broadcast_outcomes,
    check_counts,
    daily_registrations,
    faq_counts,
    format_table,
    national_sections,
    status_counts,
    unit_counts,
)

STATS_WORDS = frozenset({"/stats", "/statistik", "stats", "statistik", "statistics"})


class AdminStatsEntry:
    """Answers staff: their own institution's figures (operator, admin), or for the national
    role the aggregates across institutions only; refuses everyone else politely."""

    async def try_handle(self, turn: Turn) -> bool:
        words = turn.text.split()
        # `/stats@SpiBot` is how Telegram sends a command picked from a group's menu.
        if len(words) != 1 or normalize(words[0].split("@")[0]) not in STATS_WORDS:
            return False
        member = await admit(turn, "stats", Permission.READ_STATS,
                             Permission.READ_AGGREGATE_STATS)
        if member is None:
            return True
        scope = member.scope
        if scope.is_national:
            sections = await national_sections(turn.conn)
            turn.say_text("\n\n".join(format_table(s) for s in sections))
            await turn.deps.audit.record(turn.conn, turn.now, member.actor,
                                         "admin.stats_viewed", None, scope=scope)
            return True
        units = await unit_counts(turn.conn, scope)
        status = await status_counts(turn.conn, scope)
        bot = sum(u.bot for u in units)
        imported = sum(u.imported for u in units)
        lines = "\n".join(turn.t("admin.stats_unit_line", unit=u.name, count=u.bot)
                          for u in units if u.bot)
        outcomes = await broadcast_outcomes(turn.conn, scope)
        faq = await faq_counts(turn.conn, scope)
        checks = await check_counts(turn.conn, scope)
        text = turn.t("admin.stats_summary", total=bot + imported, bot=bot, imported=imported,
                      verified=status.verified, pending=status.pending,
                      opted_out=status.opted_out, erased=status.erased,
                      faq_answered=sum(n for intent, n in faq.items() if intent),
                      faq_unanswered=faq.get("", 0), **checks, broadcasts=len(outcomes),
                      sent=sum(o.sent for o in outcomes),
                      delivered=sum(o.delivered for o in outcomes),
                      failed=sum(o.failed for o in outcomes),
                      units=lines or turn.t("admin.stats_no_units"))
        daily = await daily_registrations(turn.conn, scope)
        from inspectorate.chart import registrations_chart  # noqa: PLC0415 - matplotlib is heavy

        png = await asyncio.to_thread(registrations_chart, daily)
        turn.replies.append(Reply(text, image=Image(png, "statistik-spi.png")))
        await turn.deps.audit.record(turn.conn, turn.now, member.actor,
                                     "admin.stats_viewed", None, scope=scope)
        return True
