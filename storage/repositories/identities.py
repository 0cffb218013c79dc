"""Channel identities: the chat addresses through which one respondent reaches us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.clock import from_text, to_text
from core.scope import Scope
from storage.connection import Connection, Row, write_soon
from storage.queries import fetch_all, fetch_one
from storage.scoping import as_worker, institution_of
from storage.write_batch import Statement


@dataclass(frozen=True, slots=True)
class Identity:
    channel: str
    address: str
    respondent_id: int
    last_inbound_at: datetime | None
    unreachable_at: datetime | None
    unreachable_reason: str | None


def _from_row(row: Row) -> Identity:
    return Identity(
        row["channel"], row["address"], row["respondent_id"],
        from_text(row["last_inbound_at"]) if row["last_inbound_at"] else None,
        from_text(row["unreachable_at"]) if row["unreachable_at"] else None,
        row["unreachable_reason"],
    )


class IdentityRepository:
    async def get(
        self, conn: Connection, scope: Scope, channel: str, address: str
    ) -> Identity | None:
        """This chat's identity in the scope's institution."""
        row = await fetch_one(
            conn, "SELECT * FROM channel_identities WHERE institution_id = ? AND channel = ? "
            "AND address = ?", (institution_of(conn, scope), channel, address))
        return _from_row(row) if row else None

    async def list_for_respondent(
        self, conn: Connection, respondent_id: int
    ) -> list[Identity]:
        rows = await fetch_all(
            conn, "SELECT * FROM channel_identities WHERE respondent_id = ? ORDER BY channel",
            (respondent_id,))
        return [_from_row(row) for row in rows]

    async def link(
        self, conn: Connection, channel: str, address: str, respondent_id: int,
        now: datetime,
    ) -> None:
        """Point (channel, address) at a respondent; a later registration may move it."""
        await write_soon(conn, *self.link_statement(channel, address, respondent_id, now))

    def link_statement(
        self, channel: str, address: str, respondent_id: int, now: datetime
    ) -> Statement:
        """The write behind `link`, for a caller that lets it wait for the commit."""
        # The identity belongs to the respondent's institution (a chat may speak for one
        # person per institution).
        return ("""INSERT INTO channel_identities (institution_id, channel, address,
                       respondent_id, last_inbound_at, created_at)
                   VALUES ((SELECT institution_id FROM respondents WHERE id = ?3), ?1, ?2, ?3,
                           ?4, ?5)
                   ON CONFLICT (institution_id, channel, address) DO UPDATE
                   SET respondent_id = excluded.respondent_id,
                       last_inbound_at = excluded.last_inbound_at, unreachable_at = NULL,
                       unreachable_reason = NULL""",
                (channel, address, respondent_id, to_text(now), to_text(now)))

    async def unlink(self, conn: Connection, channel: str, address: str) -> None:
        """This chat no longer speaks for anyone (its number's owner proved the number)."""
        await write_soon(conn, "DELETE FROM channel_identities WHERE channel = ? AND address = ?",
                         (channel, address))

    async def unlink_in(self, conn: Connection, scope: Scope, channel: str,
                        address: str) -> None:
        """This chat no longer speaks for anyone in this institution (the owner of a number
        it typed there proved it); its links with other institutions stay."""
        await write_soon(conn, "DELETE FROM channel_identities WHERE institution_id = ? "
                         "AND channel = ? AND address = ?",
                         (institution_of(conn, scope), channel, address))

    def touch_inbound(self, channel: str, address: str, now: datetime) -> Statement:
        """The write recording when this identity last wrote to us (WhatsApp's 24-hour window)."""
        return ("UPDATE channel_identities SET last_inbound_at = ? "
                "WHERE channel = ? AND address = ?", (to_text(now), channel, address))

    async def mark_unreachable(
        self, conn: Connection, channel: str, address: str, reason: str,
        now: datetime,
    ) -> None:
        """The provider says this address is unreachable (the delivery worker, in every
        institution where the address is known)."""
        as_worker(conn)
        await conn.execute(
            """UPDATE channel_identities SET unreachable_at = ?, unreachable_reason = ?
               WHERE channel = ? AND address = ?""",
            (to_text(now), reason, channel, address),
        )
