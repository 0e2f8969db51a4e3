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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import best_text, content_locales, default_required_locales
from eventsvc.models.partner import Partner
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


def _default_required_locales(insert) -> list[str]:
    """The column default: the rule for a new event, from the floor language being inserted."""
    return default_required_locales(insert.get_current_parameters()["floor_language"])


def _default_join_opens() -> int:
    return int(current_app.config["JOIN_LINK_SHOWN_BEFORE"])


def _default_join_grace() -> int:
    return int(current_app.config["JOIN_GRACE_AFTER"])


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
    #: Locales the event needs a title and a summary in to be published (see
    #: :attr:`publish_locales`), chosen when it is created (``i18n.default_required_locales``);
    #: events stored before it existed need English and French, as every event did then.
    required_locales: Mapped[list[str]] = mapped_column(
        JSON, default=_default_required_locales, server_default=text('\'["en", "fr"]\'')
    )
    #: The meeting's address: reached through each registrant's join link, never shown publicly.
    online_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    #: Minutes before the start from which the join links lead to the meeting.
    join_opens_minutes: Mapped[int] = mapped_column(
        Integer, default=_default_join_opens, server_default="30"
    )
    #: Minutes after the end during which the join links still lead to the meeting.
    join_grace_minutes: Mapped[int] = mapped_column(
        Integer, default=_default_join_grace, server_default="30"
    )
    #: Shown on the "event is over" page of the join links.
    recording_url: Mapped[str] = mapped_column(String(URL_MAX), default="", server_default="")
    #: A shared address for people without a link (panelists), shown to organisers, not counted.
    panelist_url: Mapped[str] = mapped_column(String(URL_MAX), default="", server_default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "Confirm your address" mode: a new place is only held until the registrant clicks the
    #: link of a first mail that carries nothing from the form (see ``confirm_address``).
    confirm_address: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus), default=EventStatus.DRAFT)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: Minutes before the start at which registrants are reminded; ``None``: the site's
    #: ``REMINDER_OFFSETS``. Each is one reminder broadcast (``services.broadcasts``).
    reminder_offsets: Mapped[list[int] | None] = mapped_column(JSON)
    #: An optional short text per locale added to the reminders.
    reminder_texts: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    #: Origins (``https://www.partner.org``) whose pages may frame this event's embed pages,
    #: in place of the site's ``EMBED_ALLOWED_ORIGINS``; empty: the site's list.
    embed_origins: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    #: Confirmed registrations, stored by ``services.registrations.count_seats`` whenever a
    #: service changes a status, so that the capacity check and the page read a column.
    confirmed_seats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Goes up with every change to what the event's page shows (``services.page_version``).
    content_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: The attendance rule (``services/attendance.py``): present at least this many minutes,
    #: or, when unset, at least ``attended_percent`` % of the event's duration (default 50).
    attended_minutes: Mapped[int | None] = mapped_column(Integer)
    attended_percent: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
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

    @property
    def publish_locales(self) -> list[str]:
        """The supported locales this event needs a title and a summary in to be published."""
        return content_locales(self.required_locales or ())

    @property
    def text_locales(self) -> list[str]:
        """The locales it has a title in: the languages its own pages can be read in."""
        return [c.locale for c in self.contents if c.title]

    def content(self, locale: str) -> "EventContent":
        """The text to show in ``locale`` (by :func:`~eventsvc.i18n.best_text`, preferring the
        floor language); its ``locale`` says which language it is in. A text counts once it has
        a title; with none, the slug stands in (``locale`` empty)."""
        titled = {c.locale: c for c in self.contents if c.title}
        content, _locale = best_text(titled, locale, self.floor_language)
        return content or EventContent(title=self.slug, summary="", description="", locale="")

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
