"""The audit log: who did what and when, without personal data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.clock import from_text, to_text
from core.scope import DEFAULT_INSTITUTION_ID, DEFAULT_SCOPE, Scope
from storage.connection import Connection
from storage.queries import fetch_all
from storage.scoping import institution_of
from storage.write_batch import Statement


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any]


class AuditRepository:
    """Every entry records its institution (issue 15): the `scope` given, else the institution
    the connection is scoped to, else institution 1 (callers not yet passing a scope all act
    for institution 1); the national scope records NULL."""

    async def record(
        self, conn: Connection, now: datetime, actor: str, action: str,
        subject: str | None = None, *, scope: Scope | None = None, **detail: Any,
    ) -> None:
        if scope is None and getattr(conn, "scope_id", None) is not None:
            scope = Scope(conn.scope_id)  # type: ignore[attr-defined]
        await conn.execute(*self.entry(now, actor, action, subject, scope=scope, **detail))

    def entry(
        self, now: datetime, actor: str, action: str, subject: str | None = None, *,
        scope: Scope | None = None, **detail: Any,
    ) -> Statement:
        """The write behind `record`, for a caller that lets it wait for the commit."""
        institution = DEFAULT_INSTITUTION_ID if scope is None else scope.institution_id
        return ("INSERT INTO audit_log (at, actor, action, subject, detail, institution_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (to_text(now), actor, action, subject, json.dumps(detail, ensure_ascii=False),
                 institution))

    async def recent(self, conn: Connection, limit: int = 50, *,
                     scope: Scope = DEFAULT_SCOPE) -> list[AuditEntry]:
        """This institution's latest entries."""
        rows = await fetch_all(
            conn, "SELECT at, actor, action, subject, detail FROM audit_log "
            "WHERE institution_id = ? ORDER BY id DESC LIMIT ?",
            (institution_of(conn, scope), limit))
        return [AuditEntry(from_text(r["at"]), r["actor"], r["action"], r["subject"],
                           json.loads(r["detail"] or "{}")) for r in rows]
