import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.event import Event
from eventsvc.models.types import UTCDateTime, str_enum

NAME_MAX = 200
EMAIL_MAX = 254
ORGANISATION_MAX = 200
QUESTION_MAX = 2000


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    """One person's place (or place in the queue) at one event."""

    __table_args__ = (
        UniqueConstraint("event_id", "email_normalised"),
        Index("ix_registration_event_status", "event_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    full_name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    email_normalised: Mapped[str] = mapped_column(String(EMAIL_MAX))
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    language: Mapped[str] = mapped_column(String(8))
    interpretation_language: Mapped[str | None] = mapped_column(String(8))
    question: Mapped[str] = mapped_column(Text, default="")
    newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(lazy="joined")

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} event={self.event_id}>"
