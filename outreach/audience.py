"""Who a broadcast reaches: a filter over verified respondents, resolved to one channel each.

Rules: only verified respondents who have not opted out (erased ones are never verified);
one delivery per respondent and per address; the channel the person used most recently wins;
imported respondents (source 'import') and people with only a phone number are reached on
WhatsApp by their number, which always needs the approved template (no open 24-hour window);
imported respondents never get Telegram messages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from core.clock import to_text
from storage.states import RespondentSource, RespondentStatus

BROADCAST_CHANNELS = ("telegram", "whatsapp")
WHATSAPP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    """Every list narrows the audience; an empty list means no restriction."""

    units: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # internal | external | expert
    respondent_types: tuple[str, ...] = ()  # service_user | business
    channels: tuple[str, ...] = ()  # telegram | whatsapp
    registered_from: str | None = None  # YYYY-MM-DD, inclusive (UTC date)
    registered_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()
                if v not in ((), None)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AudienceFilter:
        def items(name: str) -> tuple[str, ...]:
            return tuple(data.get(name, ()))
        return cls(units=items("units"), regions=items("regions"),
                   categories=items("categories"), respondent_types=items("respondent_types"),
                   channels=items("channels"), registered_from=data.get("registered_from"),
                   registered_to=data.get("registered_to"))

    def describe(self) -> str:
        parts = []
        labels = (("units", "unit"), ("regions", "wilayah"), ("categories", "kategori"),
                  ("respondent_types", "jenis"), ("channels", "kanal"))
        for name, label in labels:
            values = getattr(self, name)
            if values:
                parts.append(f"{label} {', '.join(values)}")
        if self.registered_from or self.registered_to:
            parts.append(f"terdaftar {self.registered_from or '…'} s.d. "
                         f"{self.registered_to or '…'}")
        return "semua responden terverifikasi" + (f" ({'; '.join(parts)})" if parts else "")


def _in(column: str, values: tuple[str, ...], params: list[object]) -> str:
    params.extend(values)
    return f" AND {column} IN ({', '.join('?' for _ in values)})"


def recipients_sql(audience: AudienceFilter, now: datetime,
                   institution_id: int) -> tuple[str, list[object]]:
    """A SELECT of (respondent_id, channel, address, timezone, last_inbound_at, closed_window,
    position), one row per recipient; what a run's deliveries are made from. Only
    `institution_id`'s respondents, units and chat identities: a broadcast never reaches
    another institution's people (issue 15)."""
    chosen, params = _chosen(audience, now, institution_id)
    sql = f"""{chosen}
SELECT rid AS respondent_id, channel, address, timezone, last_inbound_at,
       {_CLOSED_WINDOW} AS closed_window,
       ROW_NUMBER() OVER (ORDER BY rid) AS position
FROM chosen WHERE dup = 1"""  # noqa: S608 - only placeholders and fixed SQL are interpolated
    return sql, params


def audience_counts_sql(audience: AudienceFilter, now: datetime,
                        institution_id: int) -> tuple[str, list[object]]:
    """The same recipients as `recipients_sql`, counted in one evaluation: one row per
    (channel, closed_window) with the number of recipients, how many have no name, and the
    smallest respondent id (the recipient at position 1 is the smallest id of all groups)."""
    chosen, params = _chosen(audience, now, institution_id, unnamed=True)
    sql = f"""{chosen}
SELECT channel, closed_window, COUNT(*) AS recipients, SUM(unnamed) AS unnamed,
       MIN(rid) AS first_id
FROM (SELECT channel, rid, unnamed, {_CLOSED_WINDOW} AS closed_window
      FROM chosen WHERE dup = 1) x
GROUP BY channel, closed_window"""  # noqa: S608 - only placeholders and fixed SQL
    return sql, params


# Reached on WhatsApp outside the 24-hour window: the approved template is needed. The one
# placeholder is the window's start, the last parameter of `_chosen`.
_CLOSED_WINDOW = ("CASE WHEN channel = 'whatsapp' AND (last_inbound_at IS NULL "
                  "OR last_inbound_at < ?) THEN 1 ELSE 0 END")


def _chosen(audience: AudienceFilter, now: datetime, institution_id: int, *,
            unnamed: bool = False) -> tuple[str, list[object]]:
    """The WITH clause ending in `chosen` (one row per respondent and address, `dup = 1` the
    kept one), and its parameters followed by the WhatsApp window's start; with `unnamed`,
    every row also says whether the respondent has no name (for the preview's refusal)."""
    params: list[object] = [institution_id, RespondentStatus.VERIFIED]
    where = "r.institution_id = ? AND r.status = ? AND r.opted_out_at IS NULL"
    if audience.units:
        where += _in("r.unit_code", tuple(u.upper() for u in audience.units), params)
    if audience.regions:
        where += _in("u.region", audience.regions, params)
    if audience.categories:
        where += _in("r.category", audience.categories, params)
    if audience.respondent_types:
        where += _in("r.respondent_type", audience.respondent_types, params)
    if audience.registered_from:
        where += " AND r.created_at >= ?"
        params.append(date.fromisoformat(audience.registered_from).isoformat())
    if audience.registered_to:
        where += " AND r.created_at < ?"
        params.append((date.fromisoformat(audience.registered_to)
                       + timedelta(days=1)).isoformat())
    channels = tuple(c for c in BROADCAST_CHANNELS
                     if not audience.channels or c in audience.channels)
    if not channels:
        channels = ("none",)
    channel_marks = ", ".join("?" for _ in channels)
    window_start = to_text(now - WHATSAPP_WINDOW)
    whatsapp_by_phone = "whatsapp" in channels
    params_identities: list[object] = [institution_id, *channels, RespondentSource.IMPORT]
    name_flag = (", CASE WHEN COALESCE(TRIM(r.name), '') = '' THEN 1 ELSE 0 END AS unnamed"
                 if unnamed else "")
    carry = ", e.unnamed" if unnamed else ""
    # Ranking: the channel used most recently first; an identity beats a bare phone number.
    sql = f"""
WITH eligible AS (
    SELECT r.id, r.source, r.phone, u.timezone{name_flag} FROM respondents r
    JOIN units u ON u.code = r.unit_code AND u.institution_id = r.institution_id
    WHERE {where}
), options AS (
    SELECT e.id AS rid, ci.channel, ci.address, e.timezone, ci.last_inbound_at,
           0 AS by_phone{carry}
    FROM eligible e JOIN channel_identities ci ON ci.respondent_id = e.id
        AND ci.institution_id = ?
    WHERE ci.unreachable_at IS NULL AND ci.channel IN ({channel_marks})
      AND NOT (e.source = ? AND ci.channel = 'telegram')
    UNION ALL
    SELECT e.id, 'whatsapp', e.phone, e.timezone, NULL, 1{carry} FROM eligible e
    WHERE {'TRUE' if whatsapp_by_phone else 'FALSE'} AND e.phone IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM channel_identities w WHERE w.respondent_id = e.id
                      AND w.channel = 'whatsapp')
), ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY rid ORDER BY by_phone,
              last_inbound_at IS NULL, last_inbound_at DESC, channel = 'telegram') AS pick
    FROM options
), chosen AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY channel, address ORDER BY rid) AS dup
    FROM ranked WHERE pick = 1
)"""  # noqa: S608 - only placeholders and fixed SQL are interpolated
    return sql, [*params, *params_identities, window_start]
