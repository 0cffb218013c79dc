"""When a broadcast goes out: now, once at a local date and time, or every week/day in a zone.

Occurrences are computed with APScheduler's own triggers (always given an explicit time zone:
a CronTrigger built without one silently uses the host zone), so what staff preview is exactly
what the scheduler fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.repositories.units import LABEL_TIMEZONES, TIMEZONE_LABELS
from storage.states import ScheduleKind

DAY_NAMES = {
    "senin": "mon", "selasa": "tue", "rabu": "wed", "kamis": "thu", "jumat": "fri",
    "jum'at": "fri", "sabtu": "sat", "minggu": "sun", "ahad": "sun",
    "mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri", "sat": "sat",
    "sun": "sun", "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
    "friday": "fri", "saturday": "sat", "sunday": "sun",
}
DAY_LABELS = {"mon": "Senin", "tue": "Selasa", "wed": "Rabu", "thu": "Kamis", "fri": "Jumat",
              "sat": "Sabtu", "sun": "Minggu"}
DAILY_WORDS = {"hari", "harian", "setiap hari", "tiap hari", "daily", "day", "every day"}
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


class ScheduleError(ValueError):
    """A schedule staff wrote cannot be understood; the message says how to write it."""


def parse_zone(text: str) -> str:
    """`WITA`, `wib`, `Asia/Makassar` -> an IANA zone name."""
    name = LABEL_TIMEZONES.get(text.strip().upper(), text.strip())
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Zona waktu '{text}' tidak dikenal; pakai WIB, WITA atau WIT.")\
            from None
    return name


def zone_label(name: str) -> str:
    return TIMEZONE_LABELS.get(name, name)


def _clock(text: str) -> tuple[int, int]:
    match = _TIME.match(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleError(f"Jam '{text}' tidak valid; tulis seperti 09:00.")
    return int(match[1]), int(match[2])


def parse_local(text: str, zone_name: str) -> datetime:
    """`2026-11-25 09:00` in a zone -> an aware UTC datetime."""
    try:
        naive = datetime.strptime(text.strip().replace("T", " "), "%Y-%m-%d %H:%M")  # noqa: DTZ007
    except ValueError:
        raise ScheduleError(f"Waktu '{text}' tidak valid; tulis seperti 2026-11-25 09:00.")\
            from None
    return naive.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def parse_every(text: str) -> dict[str, Any]:
    """`senin 09:00`, `senin,kamis 08:30`, `setiap hari 07:30` -> cron fields."""
    words = text.strip().lower().removeprefix("setiap ").removeprefix("tiap ")
    day_part, _, clock = words.rpartition(" ")
    if not day_part:
        raise ScheduleError("Tulis hari dan jam, misalnya: senin 09:00 atau setiap hari 07:30.")
    hour, minute = _clock(clock)
    if day_part.strip() in DAILY_WORDS:
        days = "*"
    else:
        names = [d.strip() for d in re.split(r"[,\s]+", day_part) if d.strip()]
        unknown = [n for n in names if n not in DAY_NAMES]
        if not names or unknown:
            raise ScheduleError(f"Hari '{', '.join(unknown) or day_part}' tidak dikenal; "
                                "pakai Senin, Selasa, Rabu, Kamis, Jumat, Sabtu, Minggu.")
        days = ",".join(dict.fromkeys(DAY_NAMES[n] for n in names))
    return {"day_of_week": days, "hour": hour, "minute": minute}


def _check_date(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date().isoformat()  # noqa: DTZ007
    except ValueError:
        raise ScheduleError(f"Tanggal '{text}' tidak valid; tulis seperti 2026-08-01.") from None


@dataclass(frozen=True, slots=True)
class Schedule:
    kind: str  # a ScheduleKind
    timezone: str
    run_at: datetime | None = None
    recurrence: dict[str, Any] | None = None
    start_date: str | None = None
    end_date: str | None = None

    @classmethod
    def now(cls, moment: datetime, zone_name: str = "Asia/Jakarta") -> Schedule:
        return cls(ScheduleKind.NOW, zone_name, run_at=moment)

    @classmethod
    def once(cls, local: str, zone_text: str) -> Schedule:
        zone_name = parse_zone(zone_text)
        return cls(ScheduleKind.ONCE, zone_name, run_at=parse_local(local, zone_name))

    @classmethod
    def recurring(cls, every: str, zone_text: str, start: str | None = None,
                  end: str | None = None) -> Schedule:
        start_date, end_date = _check_date(start), _check_date(end)
        if start_date and end_date and end_date < start_date:
            raise ScheduleError("Tanggal akhir lebih awal dari tanggal mulai.")
        return cls(ScheduleKind.RECURRING, parse_zone(zone_text), recurrence=parse_every(every),
                   start_date=start_date, end_date=end_date)

    def trigger(self) -> Any:
        """The APScheduler trigger that fires this schedule."""
        # APScheduler is imported late: the CLI must start fast for commands that never
        # schedule anything.
        from apscheduler.triggers.cron import CronTrigger  # noqa: PLC0415
        from apscheduler.triggers.date import DateTrigger  # noqa: PLC0415

        tz = ZoneInfo(self.timezone)
        if self.kind != ScheduleKind.RECURRING or self.recurrence is None:
            return DateTrigger(run_date=self.run_at, timezone=tz)
        return CronTrigger(
            day_of_week=self.recurrence["day_of_week"], hour=self.recurrence["hour"],
            minute=self.recurrence["minute"], timezone=tz,
            start_date=f"{self.start_date} 00:00:00" if self.start_date else None,
            end_date=f"{self.end_date} 23:59:59" if self.end_date else None,
        )

    def first_due(self, now: datetime) -> datetime | None:
        if self.kind != ScheduleKind.RECURRING:
            return self.run_at
        return self.next_at_or_after(now)

    def next_at_or_after(self, moment: datetime) -> datetime | None:
        if self.kind != ScheduleKind.RECURRING:
            return self.run_at if self.run_at and self.run_at >= moment else None
        fire: datetime | None = self.trigger().get_next_fire_time(None, moment)
        return fire.astimezone(UTC) if fire else None

    def latest_due(self, due: datetime, now: datetime) -> tuple[datetime, int]:
        """The last occurrence at or before `now`, starting from `due`, and how many earlier
        ones it replaces (all missed while the bot was down: sent once, not once each)."""
        latest, skipped = due, 0
        while True:
            following = self.next_at_or_after(latest + timedelta(seconds=1))
            if following is None or following > now:
                return latest, skipped
            latest, skipped = following, skipped + 1

    def describe(self) -> str:
        """Indonesian description for staff, e.g. `setiap Senin 09:00 WITA`."""
        label = zone_label(self.timezone)
        if self.kind == ScheduleKind.NOW:
            return "segera"
        if self.kind == ScheduleKind.ONCE or self.recurrence is None:
            if self.run_at is None:
                return "-"
            local = self.run_at.astimezone(ZoneInfo(self.timezone))
            return f"{local:%Y-%m-%d %H:%M} {label}"
        days = self.recurrence["day_of_week"]
        day_text = "hari" if days == "*" else ", ".join(DAY_LABELS[d] for d in days.split(","))
        text = (f"setiap {day_text} {self.recurrence['hour']:02d}:"
                f"{self.recurrence['minute']:02d} {label}")
        if self.start_date or self.end_date:
            text += f", {self.start_date or '…'} s.d. {self.end_date or '…'}"
        return text
