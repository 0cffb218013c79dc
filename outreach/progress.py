"""How far a broadcast's runs got: counts per outcome (with the provider's latest status),
reasons, an estimate of when the queue empties, and the staff alerts about it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import from_text
from core.scope import Scope
from core.settings import Settings
from outreach.notify import STAFF_ALERT
from storage.connection import Connection
from storage.repositories.audit import AuditEntry
from storage.repositories.broadcasts import Broadcast, BroadcastRepository, Run
from storage.repositories.deliveries import DeliveryRepository
from storage.scoping import institution_of
from storage.states import OPEN_DELIVERY_STATES, DeliveryState, RunState


@dataclass(frozen=True, slots=True)
class RunProgress:
    run: Run
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    skipped: int
    unknown: int
    reasons: dict[str, int]
    eta: datetime | None


class BroadcastProgress:
    def __init__(self, settings: Settings, broadcasts: BroadcastRepository,
                 deliveries: DeliveryRepository) -> None:
        self.settings = settings
        self.broadcasts = broadcasts
        self.deliveries = deliveries

    async def alerts(self, conn: Connection, bid: int, *, scope: Scope) -> list[AuditEntry]:
        """Staff alerts about this institution's broadcast (missed, canary waiting, error
        burst...)."""
        async with conn.execute(
            """SELECT at, actor, action, subject, detail FROM audit_log
               WHERE institution_id = ? AND subject = ? AND action = ? ORDER BY id""",
            (institution_of(conn, scope), f"broadcast:{bid}", STAFF_ALERT),
        ) as cur:
            rows = await cur.fetchall()
        return [AuditEntry(from_text(r["at"]), r["actor"], r["action"], r["subject"],
                           json.loads(r["detail"] or "{}")) for r in rows]

    async def of_runs(
        self, conn: Connection, b: Broadcast, now: datetime, *, scope: Scope
    ) -> list[RunProgress]:
        rates = {"telegram": self.settings.broadcast_telegram_rate,
                 "whatsapp": self.settings.broadcast_whatsapp_rate}
        reports = []
        for run in await self.broadcasts.runs_of(conn, b.id or 0, scope=scope):
            tally = dict.fromkeys(("queued", "sent", "delivered", "read", "failed", "skipped",
                                   "unknown"), 0)
            reasons: dict[str, int] = {}
            waiting: dict[str, int] = {}
            for channel, state, provider_status, reason, count in \
                    await self.deliveries.counts(conn, run.id, scope=scope):
                if state in OPEN_DELIVERY_STATES:
                    tally["queued"] += count
                    waiting[channel] = waiting.get(channel, 0) + count
                elif state == DeliveryState.SENT:
                    if provider_status in ("failed", "undelivered"):
                        tally["failed"] += count
                        reasons[provider_status] = reasons.get(provider_status, 0) + count
                    else:
                        tally["sent"] += count
                        if provider_status in ("delivered", "read"):
                            tally["delivered"] += count
                        if provider_status == "read":
                            tally["read"] += count
                else:
                    tally[state] += count
                    if reason:
                        reasons[reason] = reasons.get(reason, 0) + count
            eta = None
            if waiting and run.state == RunState.RUNNING:
                seconds = max(n / rates.get(c, 1.0) for c, n in waiting.items())
                eta = now + timedelta(seconds=seconds)
            reports.append(RunProgress(run=run, reasons=reasons, eta=eta, **tally))
        return reports
