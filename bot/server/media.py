"""Pictures for WhatsApp: Twilio fetches media by URL, so each image gets a short-lived,
unguessable link served by this server under the public URL.

With several web processes (PostgreSQL) Twilio's fetch may reach any of them through the
reverse proxy, so the pictures are kept in the database (`media_links`) for the link's life;
the only process of a SQLite deployment keeps them in memory, as before."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from core.clock import Clock, to_text
from core.messages import Image
from storage.database import Database


class MediaStore:
    def __init__(self, clock: Clock, base_url: str, ttl: timedelta,
                 db: Database | None = None) -> None:
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._ttl = ttl
        self._db = db if db is not None and db.dialect == "postgresql" else None
        self._items: dict[str, tuple[bytes, datetime]] = {}

    async def publish(self, image: Image) -> str:
        """Keep the image for `ttl` and return its public URL."""
        now = self._clock.now()
        token = secrets.token_urlsafe(24)
        if self._db is None:
            self._items = {k: v for k, v in self._items.items() if v[1] > now}
            self._items[token] = (image.png, now + self._ttl)
        else:
            async with self._db.transaction() as conn:
                await conn.execute("DELETE FROM media_links WHERE expires_at <= ?",
                                   (to_text(now),))
                await conn.execute(
                    "INSERT INTO media_links (token, png, expires_at) VALUES (?, ?, ?)",
                    (token, image.png, to_text(now + self._ttl)))
        return f"{self._base_url}/media/{token}.png"

    async def get(self, token: str) -> bytes | None:
        token = token.removesuffix(".png")
        now = self._clock.now()
        if self._db is None:
            item = self._items.get(token)
            if item is None or item[1] <= now:
                return None
            return item[0]
        async with self._db.reading() as conn:
            rows = await conn.execute_fetchall(
                "SELECT png FROM media_links WHERE token = ? AND expires_at > ?",
                (token, to_text(now)))
        return bytes(rows[0]["png"]) if rows else None
