"""One repository per aggregate; each method takes the connection to use."""

from storage.repositories.audit import AuditRepository
from storage.repositories.identities import IdentityRepository
from storage.repositories.inbound import InboundRepository
from storage.repositories.outbound import OutboundMessageRepository
from storage.repositories.respondents import RespondentRepository
from storage.repositories.sessions import SessionRepository
from storage.repositories.units import UnitRepository

__all__ = [
    "AuditRepository",
    "IdentityRepository",
    "InboundRepository",
    "OutboundMessageRepository",
    "RespondentRepository",
    "SessionRepository",
    "UnitRepository",
]
