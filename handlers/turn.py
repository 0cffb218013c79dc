"""One turn of a conversation: the inbound message, the session, and the replies being built."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from core.catalog import Catalog
from core.clock import Clock
from core.messages import Choice, Inbound, Reply
from core.scope import DEFAULT_INSTITUTION_ID, DEFAULT_SCOPE, Scope
from core.settings import Settings
from handlers.check.registry import Registry
from handlers.faq.matcher import FaqMatcher, Match
from inspectorate.institutions import Institution, InstitutionDirectory
from outreach.service import BroadcastService
from storage.connection import Connection
from storage.repositories import (
    AuditRepository,
    IdentityRepository,
    RespondentRepository,
    UnitRepository,
)
from storage.repositories.faq_check_stats import CheckStatsRepository, FaqStatsRepository
from storage.repositories.sessions import Session, SessionRepository
from storage.write_batch import Statement, WriteBatch

T = TypeVar("T")


class Lazy(Generic[T]):
    """A dependency built by the composition root on first use: the FAQ index takes a tenth of
    a second, and most CLI commands that open the app never ask a question."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._built: tuple[T] | None = None

    def get(self) -> T:
        if self._built is None:
            self._built = (self._build(),)
        return self._built[0]


@dataclass(frozen=True)
class Deps:
    """What handlers may use; built once by the composition root (bot/app.py)."""

    settings: Settings
    clock: Clock
    catalog: Catalog
    broadcasts: BroadcastService
    matcher: Lazy[FaqMatcher]
    registry: Lazy[Registry]
    units: UnitRepository = field(default_factory=UnitRepository)
    respondents: RespondentRepository = field(default_factory=RespondentRepository)
    identities: IdentityRepository = field(default_factory=IdentityRepository)
    audit: AuditRepository = field(default_factory=AuditRepository)
    sessions: SessionRepository = field(default_factory=SessionRepository)
    faq_stats: FaqStatsRepository = field(default_factory=FaqStatsRepository)
    check_stats: CheckStatsRepository = field(default_factory=CheckStatsRepository)
    institutions: InstitutionDirectory = field(default_factory=InstitutionDirectory)


def institution_values(institution: Institution | None, settings: Settings) -> dict[str, str]:
    """The catalogue's variables naming the data controller and its contact to a citizen.
    Institution 1 is what the SPI_INSPECTORATE_* settings say (its row follows them from
    start-up, bot/app.py); another institution is its row, a contact it has not given "-"."""
    if institution is None or institution.id == DEFAULT_INSTITUTION_ID:
        return {"inspectorate_name": settings.inspectorate_name,
                "inspectorate_phone": settings.inspectorate_phone,
                "inspectorate_email": settings.inspectorate_email}
    return {"inspectorate_name": institution.name,
            "inspectorate_phone": institution.contact_phone or "-",
            "inspectorate_email": institution.contact_email or "-"}


# Deps with the catalogue bound to an institution, made once per (deps, institution row) and
# not on every turn (dataclasses.replace with a new catalogue cost ~8 us of each turn of a
# conversation routed to an institution other than 1; bench_institutions.py). A changed row is
# a new key; the oldest entries go once there are more than a deployment has institutions.
_BOUND: dict[tuple[int, Institution], tuple[Deps, Deps]] = {}
_BOUND_MAX = 4096


def _bound(deps: Deps, institution: Institution) -> Deps:
    key = (id(deps), institution)
    found = _BOUND.get(key)
    if found is not None and found[0] is deps:
        return found[1]
    bound = replace(deps, catalog=deps.catalog.with_variables(
        institution_values(institution, deps.settings)))
    if len(_BOUND) >= _BOUND_MAX:
        del _BOUND[next(iter(_BOUND))]
    _BOUND[key] = (deps, bound)
    return bound


@dataclass
class Prepared:
    """What a turn worked out outside its write transaction (slow work that needs no
    database), kept for its run inside one: the FAQ's matches by question text."""

    faq: dict[str, Match] = field(default_factory=dict)


class Unprepared(Exception):  # a signal to the engine, not an error
    """Raised by a handler that would await slow work needing no database (the FAQ's model
    call) in a turn that must not hold the write transaction meanwhile (SQLite's single
    writer: `Turn.defer_slow_work`). Raised before the turn changed anything: the engine
    leaves the transaction with nothing of this turn in it, awaits `work` (which fills a
    `Prepared`) still under the sender's lock, and runs the turn again with the result."""

    def __init__(self, work: Callable[[Prepared], Awaitable[None]]) -> None:
        super().__init__("slow work to do outside the write transaction")
        self.work = work


@dataclass
class Turn:
    msg: Inbound
    session: Session
    conn: Connection  # inside the turn's write transaction
    deps: Deps
    now: datetime
    # Writes waiting for the turn's commit (shared with the turns committing with it); code
    # that reads or deletes rows they may touch runs them first. See storage/write_batch.py.
    batch: WriteBatch
    choice: str | None = None  # value of the offered choice the user picked, if any
    replies: list[Reply] = field(default_factory=list)
    # Set by handlers that link (True) or remove (False) this sender's channel identity.
    identity_linked: bool | None = None
    # Other conversations (channel, address) this turn deleted or changed (erasing a person,
    # unlinking a chat from a number its owner proved), so no earlier read of them is trusted.
    forgotten: list[tuple[str, str]] = field(default_factory=list)
    # The institution this turn speaks for (handlers/router.py settles it first; None:
    # institution 1), and the one the conversation holds to while it lasts (a scanned unit's).
    institution: Institution | None = None
    held_institution: int | None = None
    # Slow work done for this turn before its transaction (see `Unprepared`); with
    # `defer_slow_work`, a handler raises Unprepared instead of awaiting such work in the turn.
    prepared: Prepared = field(default_factory=Prepared)
    defer_slow_work: bool = False

    @property
    def scope(self) -> Scope:
        """The institution this conversation is about: the one whose unit the citizen scanned
        or chose (kept in the session while the conversation lasts), else the one the router
        settled on, else institution 1."""
        if self.institution is not None:
            return Scope(self.institution.id)
        institution = self.session.data.get("institution")
        return Scope(int(institution)) if isinstance(institution, int) else DEFAULT_SCOPE

    async def enter_institution(self, institution_id: int, *, hold: bool = False) -> bool:
        """From now on this turn speaks for `institution_id`: its name and contact in every
        text, the FAQ's included (the turn's catalogue is bound to them). `hold`: the
        conversation keeps it after the dialog ends (a scanned unit). False if it is unknown."""
        found = await self.deps.institutions.get(self.conn, institution_id)
        if found is None:
            return False
        if hold:
            self.held_institution = found.id
        current = self.institution.id if self.institution is not None else DEFAULT_INSTITUTION_ID
        self.institution = found
        if found.id != current:
            self.deps = _bound(self.deps, found)
        return True

    def t_for(self, institution: Institution | None, key: str, **values: object) -> str:
        """A text naming `institution` as controller and contact, whichever this turn is in."""
        return self.t(key, **{**institution_values(institution, self.deps.settings), **values})

    def later(self, statement: Statement) -> None:
        """Queue a write to run at the turn's commit (one round trip less to the database
        thread); for writes nothing in the turn reads back."""
        self.batch.add(statement)

    @property
    def text(self) -> str:
        return self.msg.text.strip()

    @property
    def lang(self) -> str:
        return self.session.language

    def t(self, key: str, **values: object) -> str:
        return self.deps.catalog.text(self.lang, key, **values)

    def say(
        self, key: str, *, choices: Sequence[Choice] = (), request_contact: bool = False,
        **values: object,
    ) -> None:
        self.say_text(self.t(key, **values), choices=choices, request_contact=request_contact)

    def say_text(
        self, text: str, *, choices: Sequence[Choice] = (), request_contact: bool = False
    ) -> None:
        self.replies.append(Reply(text, tuple(choices), request_contact))

    def choice_of(self, key: str, value: str) -> Choice:
        return Choice(self.t(key), value)

    def goto(self, state: str) -> None:
        self.session.state = state

    def end(self) -> None:
        self.session.reset()


class Flow(Protocol):
    """A multi-step dialog owning the session states that start with `prefix:`."""

    prefix: str

    async def step(self, turn: Turn) -> None: ...


class Entry(Protocol):
    """Something that may take an idle message; returns True when it handled it."""

    async def try_handle(self, turn: Turn) -> bool: ...
