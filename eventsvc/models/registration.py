import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.event import Event
from eventsvc.models.types import UTCDateTime, str_enum

NAME_MAX = 200
EMAIL_MAX = 254
ORGANISATION_MAX = 200
QUESTION_FOR_SPEAKERS_MAX = 2000
ZONE_MAX = 64

#: ``Registration.interpretation_language`` of someone who follows the floor language and needs
#: no interpreter; ``None`` there means the person stated no preference.
FOLLOWS_FLOOR = "floor"


def mailbox_of(email_normalised: str) -> str:
    """The mailbox an address delivers to, for counting mail per mailbox: the sub-address
    folded (``ana+news@example.org`` -> ``ana@example.org``)."""
    local, at, domain = email_normalised.rpartition("@")
    return f"{local.split('+', 1)[0]}{at}{domain}" if at else email_normalised


def _mailbox_default(context) -> str:
    return mailbox_of(context.get_current_parameters()["email_normalised"])


def new_link_secret() -> str:
    """The random secret behind a registration's links (see :mod:`eventsvc.services.tokens`)."""
    return secrets.token_urlsafe(32)


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    """One person's place (or place in the queue) at one event."""

    __table_args__ = (
        UniqueConstraint("event_id", "email_normalised"),
        Index("ix_registration_event_status", "event_id", "status", "id"),
        # Who a message to many reaches and in which languages, read from the index alone:
        # an announcement to 100,000 registrants counts them without reading their rows.
        Index("ix_registration_audience", "event_id", "status", "language", "anonymised_at"),
        # Every registration looks for the event's expired address holds; only held rows are
        # indexed, so that look-up does not read the event's whole list.
        Index(
            "ix_registration_held",
            "event_id",
            "address_hold_until",
            sqlite_where=text("address_hold_until IS NOT NULL"),
            postgresql_where=text("address_hold_until IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    full_name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    email_normalised: Mapped[str] = mapped_column(String(EMAIL_MAX))
    #: ``mailbox_of(email_normalised)``: what the per-mailbox cap counts by, with an index, so
    #: that the count reads the mailbox's few rows, not a pattern over every address.
    mailbox: Mapped[str] = mapped_column(
        String(EMAIL_MAX), default=_mailbox_default, server_default="", index=True
    )
    organisation: Mapped[str] = mapped_column(String(ORGANISATION_MAX), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    language: Mapped[str] = mapped_column(String(8))
    #: A language code, :data:`FOLLOWS_FLOOR`, or ``None`` for "no preference".
    interpretation_language: Mapped[str | None] = mapped_column(String(8))
    #: The IANA zone the form's script read from the browser ("" if none), to give the
    #: registrant's own time in mail.
    timezone: Mapped[str] = mapped_column(String(ZONE_MAX), default="", server_default="")
    question_for_speakers: Mapped[str] = mapped_column(Text, default="")
    #: Asked for on the form; counts as subscribed only once confirmed from the separate mail.
    newsletter: Mapped[bool] = mapped_column(Boolean, default=False)
    newsletter_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set while the address is unconfirmed at an event in "confirm your address" mode: the
    #: place is held (and counted) until then, but no invite goes out; ``None`` once confirmed.
    address_hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Keys every bearer link of this registration; a new one kills the old links.
    link_secret: Mapped[str] = mapped_column(String(64), default=new_link_secret)
    #: Set only on rows migrated from before ``link_secret``: their old id-signed links still work.
    legacy_links: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Openings of the personal join link (``services.joins.record_opening``): the first and
    #: the last, and how many; written by one UPDATE so that concurrent openings all count.
    join_first_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    join_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    join_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    event: Mapped[Event] = relationship(lazy="joined")

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def awaits_address_confirmation(self) -> bool:
        return self.address_hold_until is not None

    @property
    def interpreted_into(self) -> str | None:
        """The language the person asked interpretation into, if any (not the floor's)."""
        chosen = self.interpretation_language
        return None if chosen in (None, FOLLOWS_FLOOR) else chosen

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status} event={self.event_id}>"
