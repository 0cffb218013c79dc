"""The audit log: who did what and when, without personal data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import from_text, to_text
from storage.connection import Connection
from storage.queries import fetch_all
from storage.write_batch import Statement


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any]


class AuditRepository:
    async def record(
        self, conn: Connection, now: datetime, actor: str, action: str,
        subject: str | None = None, **detail: Any,
    ) -> None:
        await conn.execute(*self.entry(now, actor, action, subject, **detail))

    def entry(
        self, now: datetime, actor: str, action: str, subject: str | None = None,
        **detail: Any,
    ) -> Statement:
        """The write behind `record`, for a caller that lets it wait for the commit."""
        return ("INSERT INTO audit_log (at, actor, action, subject, detail) "
                "VALUES (?, ?, ?, ?, ?)",
                (to_text(now), actor, action, subject, json.dumps(detail, ensure_ascii=False)))

    async def recent(self, conn: Connection, limit: int = 50) -> list[AuditEntry]:
        rows = await fetch_all(
            conn, "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC "
            "LIMIT ?", (limit,))
        return [AuditEntry(from_text(r["at"]), r["actor"], r["action"], r["subject"],
                           json.loads(r["detail"] or "{}")) for r in rows]
