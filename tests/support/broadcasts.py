"""A known broadcast with deliveries, written straight into the tables issue 5 owns."""

from __future__ import annotations

from bot.app import App
from core.clock import to_text


async def add_broadcast(app: App, deliveries: list[tuple[int, str, str, str, str | None]],
                        *, state: str = "completed") -> int:
    """deliveries: (respondent id, channel, address, delivery state, provider id)."""
    stamp = to_text(app.deps.clock.now())
    async with app.db.transaction() as conn:
        cur = await conn.execute(
            """INSERT INTO broadcasts (text, audience, schedule_kind, run_at, timezone,
                   next_due_at, state, dedupe_hash, created_by, created_at, updated_at)
               VALUES ('Halo {nama}', '{}', 'now', ?, 'Asia/Makassar', NULL, ?, 'x', 'cli',
                       ?, ?) RETURNING id""",
            (stamp, state, stamp, stamp))
        broadcast_id = (await cur.fetchone())[0]
        cur = await conn.execute(
            """INSERT INTO broadcast_runs (broadcast_id, due_at, state, created_at, updated_at)
               VALUES (?, ?, 'completed', ?, ?) RETURNING id""",
            (broadcast_id, stamp, stamp, stamp))
        run_id = (await cur.fetchone())[0]
        for position, (rid, channel, address, delivery_state, provider_id) in enumerate(
                deliveries, start=1):
            await conn.execute(
                """INSERT INTO deliveries (run_id, broadcast_id, position, respondent_id, channel,
                       address, timezone, state, next_attempt_at, provider_id, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, 'Asia/Makassar', ?, ?, ?, ?)""",
                (run_id, broadcast_id, position, rid, channel, address, delivery_state, stamp,
                 provider_id, stamp))
    assert broadcast_id is not None
    return broadcast_id
