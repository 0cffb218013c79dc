"""Telling staff what needs their attention: audit log first, then chat when a channel can."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from core.catalog import Catalog
from core.clock import Clock
from core.messages import Channel
from core.sending import Outbound, Sender, SendError
from core.settings import Settings
from storage.database import Database
from storage.repositories.audit import AuditRepository

logger = logging.getLogger(__name__)


STAFF_ALERT = "staff.alert"  # the audit action an alert is recorded under

class StaffNotifier:
    """Alerts (missed schedule, canary waiting, error burst) go to the audit log, where
    `broadcast show` lists them, and as a chat message to every admin in SPI_ADMINS."""

    def __init__(self, db: Database, settings: Settings, catalog: Catalog, clock: Clock,
                 senders: Mapping[str, Sender] | None = None) -> None:
        self._db = db
        self._settings = settings
        self._catalog = catalog
        self._clock = clock
        self._senders = dict(senders or {})
        self._audit = AuditRepository()
        self.sent: list[str] = []  # keys of alerts sent, for reports

    async def alert(self, subject: str, key: str, **values: object) -> None:
        async with self._db.transaction() as conn:
            detail: dict[str, Any] = {k: str(v) for k, v in values.items()}
            await self._audit.record(conn, self._clock.now(), "system", STAFF_ALERT, subject,
                                     alert=key, **detail)
        text = self._catalog.text(self._settings.default_language, key, **values)
        self.sent.append(key)
        for admin in self._settings.admins:
            channel, _, address = admin.partition(":")
            sender = self._senders.get(channel)
            if sender is None:
                continue
            try:
                await sender.send(Outbound(Channel(channel), address, text))
            except SendError as exc:
                logger.warning("Peringatan untuk staf lewat %s gagal: %s", channel, exc.reason)
