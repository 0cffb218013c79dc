"""Anonymous daily counts of FAQ answers and checks, and the topic words of unanswered questions.

Unanswered questions are kept at most UNANSWERED_KEEP_DAYS days: pruned on every write and by
the daily job, and staff can purge them all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.scope import DEFAULT_SCOPE, Scope
from storage.connection import Connection
from storage.scoping import institution_of
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


def _counted_for(scope: Scope) -> int:
    """The institution a conversation's counter belongs to, without switching the turn's
    connection (a citizen's turn may touch their records in several institutions)."""
    if not isinstance(scope, Scope) or scope.institution_id is None:
        raise TypeError("a counter needs the conversation's institution")
    return scope.institution_id


class FaqStatsRepository:
    """Counters and kept questions belong to the institution of the conversation (`scope`,
    issue 15); staff read their own institution's."""

    async def count_answer(self, conn: Connection, now: datetime,
                           intent: str | None, *, scope: Scope = DEFAULT_SCOPE) -> None:
        """One more question on this day for `intent` (None: not answered)."""
        await conn.execute(
            """INSERT INTO faq_daily (institution_id, day, intent, count) VALUES (?, ?, ?, 1)
               ON CONFLICT (institution_id, day, intent)
               DO UPDATE SET count = faq_daily.count + 1""",
            (_counted_for(scope), day_of(now), intent or UNANSWERED),
        )

    async def keep_unanswered(self, conn: Connection, now: datetime,
                              topic_words: str, *, scope: Scope = DEFAULT_SCOPE) -> None:
        """Keep a question's topic words (never the question itself) and forget expired ones."""
        await self.prune_unanswered(conn, now)
        await conn.execute(
            "INSERT INTO faq_unanswered (day, question_masked, institution_id) VALUES (?, ?, ?)",
            (day_of(now), topic_words, _counted_for(scope)),
        )

    async def prune_unanswered(self, conn: Connection, now: datetime) -> int:
        """Delete unanswered questions older than UNANSWERED_KEEP_DAYS; returns how many."""
        oldest = day_of(now - timedelta(days=UNANSWERED_KEEP_DAYS - 1))
        cur = await conn.execute("DELETE FROM faq_unanswered WHERE day < ?", (oldest,))
        return cur.rowcount

    async def purge_unanswered(self, conn: Connection, *, scope: Scope) -> int:
        """Delete every kept unanswered question of this institution; returns how many."""
        cur = await conn.execute("DELETE FROM faq_unanswered WHERE institution_id = ?",
                                 (institution_of(conn, scope),))
        return cur.rowcount

    async def unanswered(self, conn: Connection, limit: int = 200,
                         since: str | None = None, *,
                         scope: Scope = DEFAULT_SCOPE) -> list[UnansweredQuestion]:
        async with conn.execute(
            "SELECT id, day, question_masked FROM faq_unanswered WHERE institution_id = ? "
            "AND day >= ? ORDER BY id DESC LIMIT ?",
            (institution_of(conn, scope), since or "", limit),
        ) as cur:
            rows = await cur.fetchall()
        return [UnansweredQuestion(r["id"], r["day"], r["question_masked"]) for r in rows]

    async def daily(self, conn: Connection, *,
                    scope: Scope = DEFAULT_SCOPE) -> list[tuple[str, str, int]]:
        async with conn.execute("SELECT day, intent, count FROM faq_daily "
                                "WHERE institution_id = ? ORDER BY day, intent",
                                (institution_of(conn, scope),)) as cur:
            return [(r["day"], r["intent"], r["count"]) for r in await cur.fetchall()]


class CheckStatsRepository:
    async def count_check(self, conn: Connection, now: datetime, verdict: str, *,
                          scope: Scope = DEFAULT_SCOPE) -> None:
        """One more check on this day with this verdict, for the conversation's institution."""
        await conn.execute(
            """INSERT INTO check_daily (institution_id, day, verdict, count) VALUES (?, ?, ?, 1)
               ON CONFLICT (institution_id, day, verdict)
               DO UPDATE SET count = check_daily.count + 1""",
            (_counted_for(scope), day_of(now), CheckVerdict(verdict)),
        )

    async def daily(self, conn: Connection, *,
                    scope: Scope = DEFAULT_SCOPE) -> list[tuple[str, str, int]]:
        async with conn.execute(
            "SELECT day, verdict, count FROM check_daily WHERE institution_id = ? "
            "ORDER BY day, verdict", (institution_of(conn, scope),)
        ) as cur:
            return [(r["day"], r["verdict"], r["count"]) for r in await cur.fetchall()]
