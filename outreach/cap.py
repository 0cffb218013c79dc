"""How often one person may be reminded: at most N a week and M a season, checked at send time.

Counted over what really went out to the person (sent, being sent, or sent with an unknown
outcome), across every broadcast, inside the same write transaction that claims the next
deliveries, so two broadcasts running at once cannot both slip under the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage.connection import Connection
from storage.repositories.deliveries import DeliveryRepository

CAPPED = "reminder_cap"  # the skip reason staff see in `broadcast show`
# A weekly broadcast goes out about 7 days apart, give or take its place in the paced queue:
# an hour of slack keeps "every Monday 09:00" within one a week.
_WEEK = timedelta(days=7) - timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ReminderCap:
    """0 switches a limit off. A season is the calendar year (SPI fieldwork is Jul–Oct)."""

    per_week: int = 0
    per_season: int = 0

    @property
    def active(self) -> bool:
        return bool(self.per_week or self.per_season)


async def over_cap(
    conn: Connection, cap: ReminderCap, respondent_ids: Sequence[int], now: datetime
) -> set[int]:
    """The respondents who were already reminded as often as the cap allows."""
    if not cap.active:
        return set()
    counts = await DeliveryRepository().reminders_since(
        conn, respondent_ids, now - _WEEK,
        datetime(now.astimezone(UTC).year, 1, 1, tzinfo=UTC))
    return {rid for rid, (week, season) in counts.items()
            if (cap.per_week and week >= cap.per_week)
            or (cap.per_season and season >= cap.per_season)}
