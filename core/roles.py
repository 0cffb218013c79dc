"""Staff roles and what each may do: the one place the console, the chat commands and the CLI ask.

`operator`: read statistics, create broadcasts from the catalogue. `admin`: also imports, exports,
deletions, free-text broadcasts and managing operators. `national`: belongs to no institution and
sees only aggregate statistics across institutions.
"""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    OPERATOR = "operator"
    ADMIN = "admin"
    NATIONAL = "national"


class Permission(StrEnum):
    READ_STATS = "read_stats"
    READ_AGGREGATE_STATS = "read_aggregate_stats"
    BROADCAST_CATALOGUE = "broadcast_catalogue"
    BROADCAST_FREE_TEXT = "broadcast_free_text"
    IMPORT = "import"
    EXPORT = "export"
    DELETE_PERSON = "delete_person"
    MANAGE_STAFF = "manage_staff"
    READ_AUDIT = "read_audit"


_GRANTS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.OPERATOR: frozenset({Permission.READ_STATS, Permission.BROADCAST_CATALOGUE}),
    StaffRole.ADMIN: frozenset(Permission) - {Permission.READ_AGGREGATE_STATS},
    StaffRole.NATIONAL: frozenset({Permission.READ_AGGREGATE_STATS}),
}


def may(role: StaffRole, permission: Permission) -> bool:
    """True when `role` grants `permission`."""
    return permission in _GRANTS[role]
