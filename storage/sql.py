"""SQL written once for both backends, and its translation to PostgreSQL.

Queries are written in SQLite's parameter styles: `?` (positional), `?1` (numbered, may repeat)
or `:name` (named, may repeat, with a dict). `to_postgres` turns them into psycopg's `%s` and
`%(name)s` and doubles literal `%` signs; it is cached per statement, so the translation costs
a dictionary lookup.

What the SQL itself must keep to, so it means the same on both (all of it is standard SQL that
SQLite 3.39+ also accepts):
- `INSERT ... ON CONFLICT ... DO NOTHING/DO UPDATE` (never `INSERT OR IGNORE/REPLACE`);
- `RETURNING id` to learn a new row's id (never `cursor.lastrowid`);
- `IS NOT DISTINCT FROM` to compare with a parameter that may be NULL (never `x IS ?`);
- counts by condition as `COUNT(*) FILTER (WHERE ...)` or `SUM(CASE WHEN ... THEN 1 ELSE 0 END)`
  (never `SUM(a = b)`: a PostgreSQL comparison is a boolean, not 0/1);
- no SQLite-only functions (`instr`, `json_set`, `datetime('now')`, `printf`, `ifnull`...); the
  few the code needs exist on PostgreSQL too, created by migration 0015 (storage/migrations);
- booleans stored as INTEGER 0/1 (a Python bool parameter is sent to PostgreSQL as 0/1);
- a non-aggregated selected column must appear in GROUP BY.

Migrations (`NNNN_name.sql`) are SQLite-style DDL; `ddl_to_postgres` maps its types for
PostgreSQL: `INTEGER PRIMARY KEY` -> an identity column, `INTEGER` -> BIGINT, `REAL` -> DOUBLE
PRECISION, `BLOB` -> BYTEA, `TEXT` columns -> `TEXT COLLATE "C"` (SQLite compares text byte by
byte; ISO timestamps in TEXT columns must sort the same), and drops `WITHOUT ROWID` and
`AUTOINCREMENT`. A migration that needs something else on PostgreSQL ships a sibling
`NNNN_name.postgresql.sql`, used there instead of the translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")


class ParamStyle:
    NONE = 0
    POSITIONAL = 1
    NUMBERED = 2
    NAMED = 3


# A parameter as written: its position among `?` (0-based), its number in `?N` (1-based,
# `int`) or its `:name` (`str`); `None` for text between parameters.
_Key = int | str


@lru_cache(maxsize=4096)
def _scan(sql: str) -> tuple[tuple[tuple[str, _Key | None], ...], int]:
    """The statement cut into text and parameters (strings and comments kept whole), and its
    parameter style."""
    parts: list[tuple[str, _Key | None]] = []
    text: list[str] = []
    style = ParamStyle.NONE
    positional = 0
    i, n = 0, len(sql)

    def param(key: _Key) -> None:
        parts.append(("".join(text), None))
        text.clear()
        parts.append(("", key))

    while i < n:
        ch = sql[i]
        if ch in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            text.append(sql[i:end + 1])
            i = end + 1
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            text.append(sql[i:end])
            i = end
        elif ch == "?":
            digits = _DIGITS.match(sql, i + 1)
            if digits:
                style = _one_style(style, ParamStyle.NUMBERED, sql)
                param(int(digits[0]))
                i = digits.end()
            else:
                style = _one_style(style, ParamStyle.POSITIONAL, sql)
                param(positional)
                positional += 1
                i += 1
        elif ch == ":" and (i + 1 < n and sql[i + 1] == ":"):
            text.append("::")
            i += 2
        elif ch == ":" and (name := _IDENT.match(sql, i + 1)) and (i == 0 or sql[i - 1] != ":"):
            style = _one_style(style, ParamStyle.NAMED, sql)
            param(name[0])
            i = name.end()
        else:
            text.append(ch)
            i += 1
    parts.append(("".join(text), None))
    return tuple(p for p in parts if p[0] or p[1] is not None), style


@lru_cache(maxsize=4096)
def to_postgres(sql: str) -> tuple[str, int]:
    """(psycopg query, parameter style). A statement without parameters comes back as is and
    must be run without parameters (so its `%` signs stay single)."""
    parts, style = _scan(sql)
    if style == ParamStyle.NONE:
        return sql, style
    out = []
    for text, key in parts:
        if key is None:
            out.append(text.replace("%", "%%"))
        elif style == ParamStyle.NUMBERED:
            out.append(f"%(p{key})s")
        elif style == ParamStyle.NAMED:
            out.append(f"%({key})s")
        else:
            out.append("%s")
    return "".join(out), style


@lru_cache(maxsize=4096)
def to_numbered(sql: str) -> tuple[str, tuple[_Key, ...]]:
    """(PostgreSQL's own text with `$1`, `$2`..., which parameter each `$k` is): for `PREPARE`.
    A `?N` or `:name` used twice is one `$k`; `keys[k - 1]` is the `?`'s position (0-based),
    the `?N`'s position (N - 1) or the name. `%` signs stay as they are."""
    parts, style = _scan(sql)
    out: list[str] = []
    numbers: dict[_Key, int] = {}
    for text, key in parts:
        if key is None:
            out.append(text)
            continue
        wanted = int(key) - 1 if style == ParamStyle.NUMBERED else key
        if wanted not in numbers:
            numbers[wanted] = len(numbers) + 1
        out.append(f"${numbers[wanted]}")
    return "".join(out), tuple(numbers)


def _one_style(current: int, wanted: int, sql: str) -> int:
    if current not in (ParamStyle.NONE, wanted):
        raise ValueError(f"Satu pernyataan SQL memakai dua gaya parameter: {sql[:80]!r}")
    return wanted


def postgres_params(style: int, params: Iterable[Any] | dict[str, Any]) -> Any:
    """The parameters in the shape psycopg wants for a statement of that style."""
    if style == ParamStyle.NAMED:
        return params
    values = tuple(params.values() if isinstance(params, dict) else params)
    if style == ParamStyle.NUMBERED:
        return {f"p{k}": v for k, v in enumerate(values, start=1)}
    return values


_COMMENT_OR_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
# A column's type is the word after its name, at the start of a column definition.
_COLUMN = r"((?:^|[(,]|\bADD\s+(?:COLUMN\s+)?)\s*\"?\w+\"?\s+)"
_TYPE_RULES = (
    (re.compile(_COLUMN + r"INTEGER\s+PRIMARY\s+KEY(?:\s+AUTOINCREMENT)?\b", re.I),
     r"\1BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bWITHOUT\s+ROWID\b", re.I), ""),
    (re.compile(_COLUMN + r"(?:INTEGER|INT)\b", re.I), r"\1BIGINT"),
    (re.compile(_COLUMN + r"REAL\b", re.I), r"\1DOUBLE PRECISION"),
    (re.compile(_COLUMN + r"BLOB\b", re.I), r"\1BYTEA"),
    (re.compile(_COLUMN + r"TEXT\b(?!\s+COLLATE)", re.I), r'\1TEXT COLLATE "C"'),
)
_DDL = re.compile(r"^\s*(CREATE\s+TABLE|ALTER\s+TABLE)\b", re.I)


def split_statements(script: str) -> list[str]:
    """The statements of a script, split at `;` outside strings and comments."""
    statements, start = [], 0
    for match in re.finditer(r"'(?:[^']|'')*'|--[^\n]*|;", script):
        if match[0] == ";":
            statements.append(script[start:match.start()])
            start = match.end()
    statements.append(script[start:])
    return [s for s in statements if _COMMENT_OR_STRING.sub("", s).strip()]


def ddl_to_postgres(script: str) -> str:
    """A SQLite-style migration as PostgreSQL DDL (see the module docstring)."""
    out = []
    for statement in split_statements(script):
        body = _COMMENT_OR_STRING.sub(
            lambda m: m[0] if m[0].startswith("'") else "", statement)
        if _DDL.match(body):
            # Strings are kept apart so that a default such as 'TEXT' is left alone.
            parts = re.split(r"('(?:[^']|'')*')", body)
            for k in range(0, len(parts), 2):
                for pattern, replacement in _TYPE_RULES:
                    parts[k] = pattern.sub(replacement, parts[k])
            body = "".join(parts)
        out.append(body.strip())
    return ";\n".join(out) + ";\n"
