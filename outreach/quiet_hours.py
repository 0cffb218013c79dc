"""Quiet hours in the recipient's own time zone: reminders wait instead of arriving at night."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_clock_time(text: str) -> time:
    """`21:00` or `21.00` -> time(21, 0)."""
    hour, _, minute = text.strip().replace(".", ":").partition(":")
    return time(int(hour), int(minute or 0))


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local times between which nothing is sent; `start == end` means never quiet."""

    start: time = time(21, 0)
    end: time = time(7, 0)

    def is_quiet(self, moment: datetime, zone_name: str) -> bool:
        local = moment.astimezone(zone(zone_name)).time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def resume_at(self, moment: datetime, zone_name: str) -> datetime:
        """When sending to this zone may go on: `moment` itself, or the end of the quiet time."""
        if not self.is_quiet(moment, zone_name):
            return moment
        tz = zone(zone_name)
        local = moment.astimezone(tz)
        end = datetime.combine(local.date(), self.end, tzinfo=tz)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)
