"""Provider message ids this process committed lately, to spot a redelivery without a read.

Only a shortcut: an id missing here (older, or processed before a restart) is still caught by
the database, whose processed-id table is the source of truth.
"""

from __future__ import annotations

from collections import OrderedDict


class RecentIds:
    def __init__(self, capacity: int = 100_000) -> None:
        self._ids: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._capacity = capacity

    def add(self, channel: str, provider_id: str) -> None:
        self._ids[(channel, provider_id)] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._ids
