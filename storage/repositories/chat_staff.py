"""Staff who work in chat: rows of `staff` (0020) with a Telegram id or a WhatsApp number.

Each acts in their own institution with their role (core/roles.py); the national role belongs
to none. The `staff` table names people who work for institutions, not citizens: it is not a
tenant table under row-level security, and a chat address is looked up across institutions
to learn which institution the sender works for.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import StaffRole
from storage.connection import Connection
from storage.queries import fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class ChatStaff:
    id: int
    institution_id: int | None  # None: the national role
    role: StaffRole
    username: str


class ChatStaffRepository:
    async def find(self, conn: Connection, channel: str, address: str) -> ChatStaff | None:
        """The active staff member this chat address belongs to, if any."""
        column = {"telegram": "telegram_id", "whatsapp": "whatsapp_phone"}.get(channel)
        if column is None:
            return None
        row = await fetch_one(
            conn, f"SELECT id, institution_id, role, username FROM staff "  # noqa: S608
            f"WHERE {column} = ? AND disabled_at IS NULL ORDER BY id LIMIT 1", (address,))
        if row is None:
            return None
        return ChatStaff(int(row["id"]),
                         None if row["institution_id"] is None else int(row["institution_id"]),
                         StaffRole(row["role"]), str(row["username"]))

    async def admin_addresses(self, conn: Connection, institution_id: int) -> list[str]:
        """`channel:address` of this institution's active admins who work in chat."""
        rows = await fetch_all(
            conn, "SELECT telegram_id, whatsapp_phone FROM staff WHERE institution_id = ? "
            "AND role = ? AND disabled_at IS NULL ORDER BY id",
            (institution_id, StaffRole.ADMIN))
        found = []
        for row in rows:
            if row["telegram_id"]:
                found.append(f"telegram:{row['telegram_id']}")
            if row["whatsapp_phone"]:
                found.append(f"whatsapp:{row['whatsapp_phone']}")
        return found
