"""The database seam: one `Database` protocol, a SQLite file or a PostgreSQL server behind it.

`SPI_DATABASE_URL` (postgresql://...) selects PostgreSQL (storage/postgres.py); unset, the
SQLite file at `SPI_DATABASE_PATH` (storage/sqlite.py), which needs nothing installed.

What differs, and why:
- SQLite has one writer: transactions run one at a time behind a lock, and turns that finish
  together share a commit (`transaction(group=True)`, `groups = True`). PostgreSQL runs
  transactions side by side, each on a pooled connection; `group` is ignored there.
- `later(statement)` queues a write for the current transaction's commit on both (one batch
  per writer on SQLite, one per transaction on PostgreSQL).
- `lock_sender(conn, key)` orders one sender's turns across processes: a transaction-scoped
  advisory lock on PostgreSQL; nothing on SQLite (one process per file).
- `exclusive(name)` elects one process per database (the broadcast worker): an OS file lock
  beside the SQLite file, a session advisory lock on PostgreSQL (freed when its connection
  dies, so on every machine).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

from storage.connection import Connection, Dialect
from storage.errors import GroupAborted
from storage.sqlite import SqliteDatabase
from storage.write_batch import Statement, WriteBatch

__all__ = ["Database", "GroupAborted", "connect", "is_postgres_url"]

class Database(Protocol):
    @property
    def dialect(self) -> Dialect: ...

    @property
    def groups(self) -> bool: ...

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def transaction(self, *, group: bool = False
                    ) -> AbstractAsyncContextManager[Connection]: ...

    def reading(self) -> AbstractAsyncContextManager[Connection]: ...

    def later(self, statement: Statement) -> None: ...

    @property
    def batch(self) -> WriteBatch: ...

    async def lock_sender(self, conn: Connection, key: str) -> None: ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[bool]:
        """Held while the context runs, by one process per database at a time (True), or not
        available because another process holds it (False). Released even after SIGKILL."""
        ...

def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))

def connect(url: str | None, path: Path, *,
            pool_size: int = 10) -> Database:
    """The database the settings name (not opened yet)."""
    if url:
        if not is_postgres_url(url):
            raise ValueError("SPI_DATABASE_URL harus diawali postgresql://")
        from storage.postgres import PostgresDatabase  # noqa: PLC0415 - psycopg only if used

        return PostgresDatabase(url, max_size=pool_size)
    return SqliteDatabase(path)
