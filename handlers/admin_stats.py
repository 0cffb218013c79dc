"""`/stats` (Telegram) or `STATISTIK` (WhatsApp): the progress summary and chart for staff."""

from __future__ import annotations

import asyncio

from core.messages import Image, Reply
from handlers.staff import admit, staff_actor
from handlers.turn import Turn
from handlers.words import normalize
from inspectorate.stats import (
    broadcast_outcomes,
    check_counts,
    daily_registrations,
    faq_counts,
    status_counts,
    unit_counts,
)

STATS_WORDS = frozenset({"/stats", "/statistik", "stats", "statistik", "statistics"})


class AdminStatsEntry:
    """Answers staff listed in SPI_ADMINS; refuses everyone else politely."""

    async def try_handle(self, turn: Turn) -> bool:
        words = turn.text.split()
        # `/stats@SpiBot` is how Telegram sends a command picked from a group's menu.
        if len(words) != 1 or normalize(words[0].split("@")[0]) not in STATS_WORDS:
            return False
        if not await admit(turn, "stats"):
            return True
        units = await unit_counts(turn.conn)
        status = await status_counts(turn.conn)
        bot = sum(u.bot for u in units)
        imported = sum(u.imported for u in units)
        lines = "\n".join(turn.t("admin.stats_unit_line", unit=u.name, count=u.bot)
                          for u in units if u.bot)
        outcomes = await broadcast_outcomes(turn.conn)
        faq = await faq_counts(turn.conn)
        checks = await check_counts(turn.conn)
        text = turn.t("admin.stats_summary", total=bot + imported, bot=bot, imported=imported,
                      verified=status.verified, pending=status.pending,
                      opted_out=status.opted_out, erased=status.erased,
                      faq_answered=sum(n for intent, n in faq.items() if intent),
                      faq_unanswered=faq.get("", 0), **checks, broadcasts=len(outcomes),
                      sent=sum(o.sent for o in outcomes),
                      delivered=sum(o.delivered for o in outcomes),
                      failed=sum(o.failed for o in outcomes),
                      units=lines or turn.t("admin.stats_no_units"))
        daily = await daily_registrations(turn.conn)
        from inspectorate.chart import registrations_chart  # noqa: PLC0415 - matplotlib is heavy

        png = await asyncio.to_thread(registrations_chart, daily)
        turn.replies.append(Reply(text, image=Image(png, "statistik-spi.png")))
        await turn.deps.audit.record(turn.conn, turn.now, staff_actor(turn),
                                     "admin.stats_viewed", None)
        return True
