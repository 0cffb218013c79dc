"""The data-quality report per unit: is each unit's respondent list clean enough for KPK?"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.scope import DEFAULT_SCOPE, Scope
from inspectorate.bulk_validation import classify_phone
from storage.connection import Connection
from storage.repositories.imports import ImportRepository
from storage.scoping import institution_of

_DUPLICATE_KINDS = ("duplicate_in_file", "duplicate_stored", "email_shared")
_PHONE_KINDS = ("phone_missing", "phone_invalid", "phone_not_mobile")


@dataclass
class UnitQuality:
    unit_code: str
    unit_name: str
    by_category: Counter[str] = field(default_factory=Counter)
    valid: int = 0
    duplicates: int = 0  # stored rows sharing an e-mail, plus duplicate rows refused at import
    invalid_numbers: int = 0  # stored rows with a bad number, plus such rows refused at import
    missing_email: int = 0
    from_bot: int = 0
    imported: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_category.values())


async def quality_by_unit(conn: Connection, scope: Scope = DEFAULT_SCOPE
                          ) -> list[UnitQuality]:
    """One line per unit of this institution, in unit-name order; erased people are not
    counted."""
    institution = institution_of(conn, scope)
    units: dict[str, UnitQuality] = {}
    async with conn.execute("SELECT code, name FROM units WHERE institution_id = ? "
                            "ORDER BY name", (institution,)) as cur:
        for code, name in await cur.fetchall():
            units[code] = UnitQuality(code, name)
    async with conn.execute(
        """SELECT unit_code, category, source, name, phone, email FROM respondents
           WHERE institution_id = ? AND status != 'erased'""", (institution,)
    ) as cur:
        rows = await cur.fetchall()
    phones_by_email: dict[str, set[str]] = {}
    for *_, phone, email in rows:
        if email:
            phones_by_email.setdefault(email.lower(), set()).add(phone)
    for unit_code, category, source, name, phone, email in rows:
        shared = bool(email) and len(phones_by_email[email.lower()]) > 1
        q = units.setdefault(unit_code, UnitQuality(unit_code, unit_code))
        q.by_category[category] += 1
        good_phone = bool(phone) and classify_phone(phone)[0] is not None
        if not good_phone:
            q.invalid_numbers += 1
        if shared:
            q.duplicates += 1
        if good_phone and name and not shared:
            q.valid += 1
        if not email:
            q.missing_email += 1
        if source == "import":
            q.imported += 1
        else:
            q.from_bot += 1
    for (unit_code, kind), n in (await ImportRepository().issue_totals(conn, scope=scope)).items():
        unit = units.get(unit_code)
        if unit is None:
            continue
        if kind in _DUPLICATE_KINDS[:2]:
            unit.duplicates += n
        elif kind in _PHONE_KINDS:
            unit.invalid_numbers += n
    return list(units.values())
