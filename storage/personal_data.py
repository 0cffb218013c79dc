"""Erasing a respondent's personal data, everywhere it is kept, on request or at retention end."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.repositories.audit import AuditRepository
from storage.repositories.reply_outbox import ReplyOutboxRepository
from storage.repositories.respondents import RespondentRepository
from storage.write_batch import WriteBatch


async def conversations_of(conn: aiosqlite.Connection,
                           respondent_id: int) -> list[tuple[str, str]]:
    """(channel, address) of every conversation that belongs to this respondent."""
    async with conn.execute(
        """SELECT channel, address FROM sessions WHERE EXISTS (SELECT 1 FROM channel_identities i
               WHERE i.channel = sessions.channel AND i.address = sessions.address
                 AND i.respondent_id = ?1)
           OR address = (SELECT phone FROM respondents WHERE id = ?1)
           UNION SELECT channel, address FROM channel_identities WHERE respondent_id = ?1""",
        (respondent_id,),
    ) as cur:
        return [(row[0], row[1]) for row in await cur.fetchall()]


async def forget_sessions(conn: aiosqlite.Connection, respondent_ids: list[int] | None) -> None:
    """Drop the conversations of these respondents (None: of every stored respondent).

    A session's key is a chat address (on WhatsApp, the phone number itself) and its data may
    hold a name typed half-way through a dialog, on a channel never linked to the person.
    """
    if respondent_ids is None:
        await conn.execute(
            """DELETE FROM sessions WHERE EXISTS (SELECT 1 FROM channel_identities i
                   WHERE i.channel = sessions.channel AND i.address = sessions.address)
               OR address IN (SELECT phone FROM respondents WHERE phone IS NOT NULL)""")
        return
    await conn.executemany(
        """DELETE FROM sessions WHERE EXISTS (SELECT 1 FROM channel_identities i
               WHERE i.channel = sessions.channel AND i.address = sessions.address
                 AND i.respondent_id = ?1)
           OR address = (SELECT phone FROM respondents WHERE id = ?1)""",
        ((rid,) for rid in respondent_ids),
    )


async def erase_respondent(
    conn: aiosqlite.Connection, respondent_id: int, now: datetime, *, actor: str, via: str,
    pending: WriteBatch | None = None,
) -> list[tuple[str, str]]:
    """Erase one person's name, phone, e-mail, chat identities and sessions; keep the counts.

    The audit log records that it happened and through which door, never the data itself.
    Returns the conversations dropped, so a running engine can forget them too. `pending`:
    the writes queued for this commit (a turn's `batch`), run first so they are erased too.
    """
    if pending is not None:
        await pending.flush(conn)
    dropped = await conversations_of(conn, respondent_id)
    await forget_sessions(conn, [respondent_id])
    await ReplyOutboxRepository().forget(conn, dropped)  # unsent replies: addresses, texts
    await RespondentRepository().erase(conn, respondent_id, now)
    await conn.execute(
        "UPDATE respondents SET started_on = NULL WHERE id = ?", (respondent_id,))
    # Broadcast deliveries keep their outcome for the statistics, not the chat address.
    await conn.execute("UPDATE deliveries SET address = '' WHERE respondent_id = ?",
                       (respondent_id,))
    await AuditRepository().record(conn, now, actor, "respondent.erased",
                                   f"respondent:{respondent_id}", via=via)
    return dropped
