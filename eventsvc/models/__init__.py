"""The data model, one module per concept. No request or mail code lives here."""

from eventsvc.models.announcement import Announcement
from eventsvc.models.audit import AuditEntry
from eventsvc.models.broadcast import LIVE, Broadcast, BroadcastStatus
from eventsvc.models.event import Event, EventContent, EventPartner, EventStatus
from eventsvc.models.organiser import (
    EventAssignment,
    Organiser,
    Role,
    SignInFailure,
    SiteSetting,
)
from eventsvc.models.outbox import UNSENT, MessageKind, MessageStatus, OutboxMessage
from eventsvc.models.partner import Partner, PartnerTranslation
from eventsvc.models.rate_limit import RateLimitCounter
from eventsvc.models.registration import Registration, RegistrationStatus

__all__ = [
    "Announcement",
    "AuditEntry",
    "Broadcast",
    "BroadcastStatus",
    "Event",
    "EventAssignment",
    "EventContent",
    "EventPartner",
    "EventStatus",
    "MessageKind",
    "MessageStatus",
    "Organiser",
    "OutboxMessage",
    "Partner",
    "PartnerTranslation",
    "RateLimitCounter",
    "Registration",
    "RegistrationStatus",
    "Role",
    "SignInFailure",
    "SiteSetting",
    "UNSENT",
    "LIVE",
]
