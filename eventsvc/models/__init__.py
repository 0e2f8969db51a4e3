"""The data model, one module per concept. No request or mail code lives here."""

from eventsvc.models.announcement import Announcement
from eventsvc.models.api_token import ApiToken, TokenScope
from eventsvc.models.attendance import (
    Attendance,
    AttendanceReport,
    AttendanceRow,
    ReportFormat,
    RowState,
)
from eventsvc.models.audit import AuditEntry
from eventsvc.models.broadcast import LIVE, Broadcast, BroadcastStatus
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
from eventsvc.models.question import Answer, Question, QuestionChoice, QuestionType
from eventsvc.models.question_template import QuestionTemplate
from eventsvc.models.rate_limit import RateLimitCounter
from eventsvc.models.registration import Registration, RegistrationStatus
from eventsvc.models.subscription import Frequency, Subscription, SubscriptionStatus
from eventsvc.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Announcement",
    "Answer",
    "ApiToken",
    "Attendance",
    "AttendanceReport",
    "AttendanceRow",
    "AuditEntry",
    "DeliveryStatus",
    "Certificate",
    "Broadcast",
    "BroadcastStatus",
    "Event",
    "EventAssignment",
    "EventContent",
    "EventPartner",
    "EventStatus",
    "Frequency",
    "FollowUp",
    "MessageKind",
    "MessageStatus",
    "Organiser",
    "OutboxMessage",
    "Partner",
    "PartnerTranslation",
    "Question",
    "QuestionChoice",
    "QuestionTemplate",
    "QuestionType",
    "RateLimitCounter",
    "Registration",
    "RegistrationStatus",
    "ReportFormat",
    "Role",
    "RowState",
    "SignInFailure",
    "SiteSetting",
    "TokenScope",
    "Subscription",
    "SubscriptionStatus",
    "UNSENT",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Variant",
    "LIVE",
]
