"""The data model, one module per concept. No request or mail code lives here."""

from eventsvc.models.announcement import Announcement
from eventsvc.models.attendance import (
    Attendance,
    AttendanceReport,
    AttendanceRow,
    ReportFormat,
    RowState,
)
from eventsvc.models.audit import AuditEntry
from eventsvc.models.event import Event, EventContent, EventPartner, EventStatus
from eventsvc.models.follow_up import Certificate, FollowUp, Variant
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
    "Attendance",
    "AttendanceReport",
    "AttendanceRow",
    "AuditEntry",
    "Certificate",
    "Event",
    "EventAssignment",
    "EventContent",
    "EventPartner",
    "EventStatus",
    "FollowUp",
    "MessageKind",
    "MessageStatus",
    "Organiser",
    "OutboxMessage",
    "Partner",
    "PartnerTranslation",
    "RateLimitCounter",
    "Registration",
    "RegistrationStatus",
    "ReportFormat",
    "Role",
    "RowState",
    "SignInFailure",
    "SiteSetting",
    "UNSENT",
    "Variant",
]
