"""Whose data a piece of work may touch: one institution, or (national role) only aggregates.

Every repository call on tenant data takes a `Scope` (issue 15); the staff console (issue 16),
chat staff commands and the CLI build it from the staff member or `--institution CODE`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """`institution_id` None means the national view: aggregates across institutions only."""

    institution_id: int | None

    @property
    def is_national(self) -> bool:
        return self.institution_id is None


DEFAULT_INSTITUTION_ID = 1  # a single-institution deployment is institution 1
DEFAULT_SCOPE = Scope(DEFAULT_INSTITUTION_ID)
NATIONAL = Scope(None)
