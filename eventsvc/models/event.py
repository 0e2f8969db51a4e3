import enum
import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
    update,
)
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.partner import Partner, PartnerTranslation
from eventsvc.models.types import UTCDateTime, str_enum

TITLE_MAX = 200
SUMMARY_MAX = 500
DESCRIPTION_MAX = 20_000
SLUG_MAX = 100
URL_MAX = 500


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    #: Off its date until a new one is set; registrations kept, registration closed.
    POSTPONED = "postponed"


def new_calendar_uid() -> str:
    """A UID no other installation, and no copy restored from a backup, can give another event."""
    return f"{uuid.uuid4()}@{current_app.config['CALENDAR_DOMAIN']}"


class Event(db.Model):
    """A webinar or meeting. Times are instants; ``timezone`` is the zone people set it in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    #: The UID of every calendar file about the event, set once: events created before it was
    #: stored keep the ``event-<id>@<domain>`` they were sent with (see the migration).
    calendar_uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_calendar_uid)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    floor_language: Mapped[str] = mapped_column(String(8))
    interpretation_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    online_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "Confirm your address" mode: a new place is only held until the registrant clicks the
    #: link of a first mail that carries nothing from the form (see ``confirm_address``).
    confirm_address: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), default=EventStatus.DRAFT)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: Confirmed registrations, kept by ``models.registration._keep_confirmed_seats`` at every
    #: flush, so that the capacity check and the page read a column instead of counting rows.
    confirmed_seats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Goes up with every change to what the event's page shows (see :func:`_bump_page_versions`).
    content_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    contents: Mapped[list["EventContent"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )
    partner_links: Mapped[list["EventPartner"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="EventPartner.position",
        lazy="selectin",
    )

    @property
    def partners(self) -> list[Partner]:
        return [link.partner for link in self.partner_links]

    @property
    def languages(self) -> list[str]:
        """Every language spoken at the event: the floor language, then interpretation."""
        langs = [self.floor_language, *self.interpretation_languages]
        return list(dict.fromkeys(lang for lang in langs if lang))

    @property
    def interpreted_languages(self) -> list[str]:
        """The languages interpreters speak into: the interpretation languages but the floor's
        (an event may list it there too)."""
        return [code for code in self.interpretation_languages if code != self.floor_language]

    def content(self, locale: str) -> "EventContent":
        """The text in ``locale``, else in the floor language, else whatever exists."""
        by_locale = {c.locale: c for c in self.contents}
        return (
            by_locale.get(locale)
            or by_locale.get(self.floor_language)
            or next(
                iter(by_locale.values()), EventContent(title=self.slug, summary="", description="")
            )
        )

    def set_content(self, locale: str, **fields) -> None:
        content = next((c for c in self.contents if c.locale == locale), None)
        if content is None:
            content = EventContent(locale=locale)
            self.contents.append(content)
        for key, value in fields.items():
            setattr(content, key, value)

    def is_past(self, at: datetime | None = None) -> bool:
        return self.ends_at <= (at or clock.now())

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventContent(db.Model):
    """Title, summary and Markdown description of an event in one locale."""

    __table_args__ = (UniqueConstraint("event_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[Event] = relationship(back_populates="contents")


class EventPartner(db.Model):
    """A co-organiser of an event, in the order the event lists them."""

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    event: Mapped[Event] = relationship(back_populates="partner_links")
    partner: Mapped[Partner] = relationship(lazy="joined")


@orm_events.listens_for(Session, "before_flush")
def _bump_page_versions(session, flush_context, instances) -> None:
    """Raise ``content_version`` of every event whose page a flush changes.

    Rendered pages are cached per process keyed by this number (``eventsvc.public.page_cache``),
    so it must change whatever the change comes through: the event's columns, its texts, its
    partner list, or a partner's own name or website. A flush is the one place all of them pass.
    The increment is done in SQL, so two concurrent edits both count.
    """
    events: set[Event] = set()
    partner_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Event):
            if obj not in session.new and session.is_modified(obj):
                events.add(obj)
        elif isinstance(obj, EventContent | EventPartner):
            if obj.event is not None:
                events.add(obj.event)
        elif isinstance(obj, Partner) and obj.id is not None:
            partner_ids.add(obj.id)
        elif isinstance(obj, PartnerTranslation) and obj.partner_id is not None:
            partner_ids.add(obj.partner_id)
    for event in events:
        if event not in session.new and event not in session.deleted:
            event.content_version = Event.content_version + 1
    if partner_ids:
        session.info.setdefault("eventsvc.changed_partners", set()).update(partner_ids)


@orm_events.listens_for(Session, "after_flush")
def _bump_partner_events(session, flush_context) -> None:
    partner_ids = session.info.pop("eventsvc.changed_partners", None)
    if partner_ids:
        linked = select(EventPartner.event_id).where(EventPartner.partner_id.in_(partner_ids))
        session.connection().execute(
            update(Event.__table__)
            .where(Event.__table__.c.id.in_(linked))
            .values(content_version=Event.__table__.c.content_version + 1)
        )
