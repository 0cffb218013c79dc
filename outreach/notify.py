"""Telling staff what needs their attention: audit log first, then chat when a channel can."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from core.catalog import Catalog
from core.clock import Clock
from core.messages import Channel
from core.scope import DEFAULT_INSTITUTION_ID, DEFAULT_SCOPE, Scope
from core.sending import Outbound, Sender, SendError
from core.settings import Settings
from storage.database import Database
from storage.repositories.audit import AuditRepository
from storage.repositories.chat_staff import ChatStaffRepository

logger = logging.getLogger(__name__)


STAFF_ALERT = "staff.alert"  # the audit action an alert is recorded under

class StaffNotifier:
    """Alerts (missed schedule, canary waiting, error burst) go to the audit log, where
    `broadcast show` lists them, and as a chat message to the admins of the institution the
    alert is about: its chat staff with the admin role, and for institution 1 everyone in
    SPI_ADMINS (never another institution's staff)."""

    def __init__(self, db: Database, settings: Settings, catalog: Catalog, clock: Clock,
                 senders: Mapping[str, Sender] | None = None) -> None:
        self._db = db
        self._settings = settings
        self._catalog = catalog
        self._clock = clock
        self._senders = dict(senders or {})
        self._audit = AuditRepository()
        self.sent: list[str] = []  # keys of alerts sent, for reports

    async def alert(self, subject: str, key: str, *, scope: Scope = DEFAULT_SCOPE,
                    **values: object) -> None:
        async with self._db.transaction() as conn:
            detail: dict[str, Any] = {k: str(v) for k, v in values.items()}
            await self._audit.record(conn, self._clock.now(), "system", STAFF_ALERT, subject,
                                     scope=scope, alert=key, **detail)
            admins = await ChatStaffRepository().admin_addresses(
                conn, scope.institution_id or DEFAULT_INSTITUTION_ID)
        if scope.institution_id in (None, DEFAULT_INSTITUTION_ID):
            admins = [*self._settings.admins, *(a for a in admins
                                                if a not in self._settings.admins)]
        text = self._catalog.text(self._settings.default_language, key, **values)
        self.sent.append(key)
        for admin in admins:
            channel, _, address = admin.partition(":")
            sender = self._senders.get(channel)
            if sender is None:
                continue
            try:
                await sender.send(Outbound(Channel(channel), address, text))
            except SendError as exc:
                logger.warning("Peringatan untuk staf lewat %s gagal: %s", channel, exc.reason)
