"""Pictures for WhatsApp: Twilio fetches media by URL, so each image gets a short-lived,
unguessable link served by this server under the public URL."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from core.clock import Clock
from core.messages import Image


class MediaStore:
    def __init__(self, clock: Clock, base_url: str, ttl: timedelta) -> None:
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._ttl = ttl
        self._items: dict[str, tuple[bytes, datetime]] = {}

    def publish(self, image: Image) -> str:
        """Keep the image for `ttl` and return its public URL."""
        now = self._clock.now()
        self._items = {k: v for k, v in self._items.items() if v[1] > now}
        token = secrets.token_urlsafe(24)
        self._items[token] = (image.png, now + self._ttl)
        return f"{self._base_url}/media/{token}.png"

    def get(self, token: str) -> bytes | None:
        item = self._items.get(token.removesuffix(".png"))
        if item is None or item[1] <= self._clock.now():
            return None
        return item[0]
