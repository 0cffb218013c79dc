"""Anonymous daily counts of FAQ answers and checks, and the topic words of unanswered questions.

Unanswered questions are kept at most UNANSWERED_KEEP_DAYS days: pruned on every write and by
the daily job, and staff can purge them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.scope import DEFAULT_INSTITUTION_ID
from storage.connection import Connection
from storage.states import CheckVerdict

UNANSWERED = ""  # the faq_daily.intent sentinel for questions below the confidence threshold
UNANSWERED_KEEP_DAYS = 30


def day_of(now: datetime) -> str:
    return now.date().isoformat()


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    id: int
    day: str
    question_masked: str


class FaqStatsRepository:
    async def count_answer(self, conn: Connection, now: datetime,
                           intent: str | None) -> None:
        """One more question on this day for `intent` (None: not answered)."""
        await conn.execute(
            """INSERT INTO faq_daily (institution_id, day, intent, count) VALUES (?, ?, ?, 1)
               ON CONFLICT (institution_id, day, intent) DO UPDATE SET count = count + 1""",
            (DEFAULT_INSTITUTION_ID, day_of(now), intent or UNANSWERED),
        )

    async def keep_unanswered(self, conn: Connection, now: datetime,
                              topic_words: str) -> None:
        """Keep a question's topic words (never the question itself) and forget expired ones."""
        await self.prune_unanswered(conn, now)
        await conn.execute(
            "INSERT INTO faq_unanswered (day, question_masked) VALUES (?, ?)",
            (day_of(now), topic_words),
        )

    async def prune_unanswered(self, conn: Connection, now: datetime) -> int:
        """Delete unanswered questions older than UNANSWERED_KEEP_DAYS; returns how many."""
        oldest = day_of(now - timedelta(days=UNANSWERED_KEEP_DAYS - 1))
        cur = await conn.execute("DELETE FROM faq_unanswered WHERE day < ?", (oldest,))
        return cur.rowcount

    async def purge_unanswered(self, conn: Connection) -> int:
        """Delete every kept unanswered question; returns how many."""
        cur = await conn.execute("DELETE FROM faq_unanswered")
        return cur.rowcount

    async def unanswered(self, conn: Connection, limit: int = 200,
                         since: str | None = None) -> list[UnansweredQuestion]:
        async with conn.execute(
            "SELECT id, day, question_masked FROM faq_unanswered WHERE day >= ? "
            "ORDER BY id DESC LIMIT ?",
            (since or "", limit),
        ) as cur:
            rows = await cur.fetchall()
        return [UnansweredQuestion(r["id"], r["day"], r["question_masked"]) for r in rows]

    async def daily(self, conn: Connection) -> list[tuple[str, str, int]]:
        async with conn.execute("SELECT day, intent, count FROM faq_daily ORDER BY day, intent"
                                ) as cur:
            return [(r["day"], r["intent"], r["count"]) for r in await cur.fetchall()]


class CheckStatsRepository:
    async def count_check(self, conn: Connection, now: datetime, verdict: str) -> None:
        await conn.execute(
            """INSERT INTO check_daily (institution_id, day, verdict, count) VALUES (?, ?, ?, 1)
               ON CONFLICT (institution_id, day, verdict) DO UPDATE SET count = count + 1""",
            (DEFAULT_INSTITUTION_ID, day_of(now), CheckVerdict(verdict)),
        )

    async def daily(self, conn: Connection) -> list[tuple[str, str, int]]:
        async with conn.execute(
            "SELECT day, verdict, count FROM check_daily ORDER BY day, verdict"
        ) as cur:
            return [(r["day"], r["verdict"], r["count"]) for r in await cur.fetchall()]
