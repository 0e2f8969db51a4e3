import enum
import secrets
from collections import Counter
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.util import identity_key

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


@orm_events.listens_for(Session, "after_flush")
def _keep_confirmed_seats(session, flush_context) -> None:
    """Carry every flushed change of a registration's status into ``Event.confirmed_seats``.

    A new confirmed registration adds one and a status change adds or takes one, in SQL so
    that concurrent flushes both count; where the old status is not known (the attribute was
    set without being loaded) or a row is deleted, the event's registrations are counted again.
    The events' loaded counts are expired, so that the rest of the transaction reads the new one.
    """
    deltas: Counter[int] = Counter()
    recount: set[int] = set()
    for registration in session.new:
        if isinstance(registration, Registration):
            deltas[registration.event_id] += registration.status == RegistrationStatus.CONFIRMED
    for registration in session.dirty:
        if isinstance(registration, Registration):
            history = inspect(registration).attrs.status.history
            if not history.added:
                continue
            if not history.deleted:
                recount.add(registration.event_id)
                continue
            was, now = history.deleted[0], history.added[0]
            deltas[registration.event_id] += (now == RegistrationStatus.CONFIRMED) - (
                was == RegistrationStatus.CONFIRMED
            )
    for registration in session.deleted:
        if isinstance(registration, Registration):
            recount.add(registration.event_id)
    _apply_seat_changes(session, deltas, recount)


def _unchanged(events) -> dict:
    """A count is not an edit: ``updated_at`` (an ``onupdate`` column) stays as it is."""
    return {"updated_at": events.c.updated_at}


def _apply_seat_changes(session, deltas: Counter, recount: set[int]) -> None:
    events = Event.__table__
    connection = session.connection()
    for event_id, delta in deltas.items():
        if delta and event_id not in recount:
            connection.execute(
                update(events)
                .where(events.c.id == event_id)
                .values(confirmed_seats=events.c.confirmed_seats + delta, **_unchanged(events))
            )
    if recount:
        confirmed = (
            select(func.count())
            .where(
                Registration.__table__.c.event_id == events.c.id,
                Registration.__table__.c.status == RegistrationStatus.CONFIRMED,
            )
            .scalar_subquery()
        )
        connection.execute(
            update(events)
            .where(events.c.id.in_(recount))
            .values(confirmed_seats=confirmed, **_unchanged(events))
        )
    for event_id in {*recount, *(key for key, delta in deltas.items() if delta)}:
        event = session.identity_map.get(identity_key(Event, event_id))
        if event is not None:
            session.expire(event, ["confirmed_seats"])
