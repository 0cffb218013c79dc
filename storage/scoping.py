"""A repository call on one institution's data: `institution_of(conn, scope)` (issue 15).

Isolation is enforced twice. The repositories filter and set `institution_id` from the Scope
they are given (a method on tenant data has a `scope` parameter: tests/test_scope_scan.py);
and on PostgreSQL the same call switches the transaction to the `spi_app` role with
`spi.institution_id` set (migration 0023), so a query that forgot its filter still sees only
that institution's rows. SQLite has no roles: the repositories' filters are the enforcement.

A national scope reaches no institution's rows: only the aggregate methods accept it.
"""

from __future__ import annotations

from typing import Protocol, cast

from core.scope import Scope
from storage.connection import Connection


class ScopeRefused(PermissionError):
    """A national (aggregate-only) scope reached a method on one institution's data."""


class _Scoped(Protocol):
    def enter_scope(self, institution_id: int) -> None: ...

    def enter_worker(self) -> None: ...


def institution_of(conn: Connection, scope: Scope) -> int:
    """The institution `scope` names, with the connection switched to it (PostgreSQL's row-level
    security); ScopeRefused for the national scope."""
    if not isinstance(scope, Scope):
        raise TypeError(f"scope harus Scope, bukan {type(scope).__name__}")
    if scope.institution_id is None:
        raise ScopeRefused("Peran nasional hanya melihat angka gabungan")
    if conn.dialect == "postgresql":
        cast(_Scoped, conn).enter_scope(scope.institution_id)
    return scope.institution_id


def as_worker(conn: Connection) -> None:
    """System work that crosses institutions (the delivery worker, the retention purge): on
    PostgreSQL the transaction runs as `spi_worker` from its next statement on, not as the
    table owner; a later `institution_of` narrows it to one institution again."""
    if conn.dialect == "postgresql":
        cast(_Scoped, conn).enter_worker()
