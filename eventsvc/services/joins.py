"""Personal join links: ``/<lang>/join/<token>`` for each registrant, in place of the meeting's
raw address in their mail, invite and personal page.

The token is a bearer link of the registration (:mod:`eventsvc.services.tokens`, purpose
:data:`JOIN`), so a new secret, an erasure or a cancellation ends it. Opening the link while it
is open records the time on the registration (first, last, count: one UPDATE, so concurrent
openings all count) and leads to ``Event.online_url``; before the opening time it waits, after
the end plus the grace period it says the event is over (with the recording when there is one).
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus, Registration, RegistrationStatus
from eventsvc.services import tokens

#: The purpose of a join token (a manage token does not open the join link, nor the reverse).
JOIN = "join"


class JoinState(enum.StrEnum):
    #: Before the opening time: the waiting page.
    WAITING = "waiting"
    #: Open: the opening is recorded and the visitor is sent to the meeting.
    OPEN = "open"
    #: After the end plus the grace period: the "over" page (with the recording).
    OVER = "over"
    #: No meeting address, a cancelled or postponed event, a place not (or no longer) held:
    #: a page that says so, with nothing personal on it.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Join:
    state: JoinState
    event: Event
    opens_at: datetime
    closes_at: datetime


def make_token(registration: Registration) -> str:
    return tokens.make_token(registration, JOIN)


def registration_for_token(token: str) -> Registration | None:
    """The registration whose join link ``token`` is, or None (unknown, forged, erased,
    re-secreted)."""
    return tokens.registration_for_token(token, JOIN)


def opens_at(event: Event) -> datetime:
    return event.starts_at - timedelta(minutes=event.join_opens_minutes)


def closes_at(event: Event) -> datetime:
    return event.ends_at + timedelta(minutes=event.join_grace_minutes)


def state_of(registration: Registration, at: datetime | None = None) -> Join:
    """Where ``registration``'s join link leads at ``at`` (default: now)."""
    event = registration.event
    at = at or clock.now()
    opening, closing = opens_at(event), closes_at(event)
    if (
        registration.status != RegistrationStatus.CONFIRMED
        or registration.awaits_address_confirmation
        or event.status != EventStatus.PUBLISHED
    ):
        state = JoinState.UNAVAILABLE
    elif at >= closing:
        state = JoinState.OVER
    elif not event.online_url:
        state = JoinState.UNAVAILABLE
    elif at < opening:
        state = JoinState.WAITING
    else:
        state = JoinState.OPEN
    return Join(state, event, opening, closing)


def open_link(registration: Registration, *, count: bool = True) -> Join:
    """Follow ``registration``'s join link now: record the opening when it leads to the
    meeting (unless ``count`` is false: a HEAD request, a link checker). The caller owns the
    transaction."""
    join = state_of(registration)
    if join.state == JoinState.OPEN and count:
        record_opening(registration)
    return join


def record_opening(registration: Registration, at: datetime | None = None) -> None:
    """Count one opening: a single UPDATE computed by the database (no read-modify-write, so
    two openings at the same moment both count). Concurrent openings may commit in another
    order than their times: the first and last kept are the earliest and latest, not the
    first and last written."""
    at = at or clock.now()
    first, last = Registration.join_first_at, Registration.join_last_at
    db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id)
        .values(
            join_count=Registration.join_count + 1,
            join_first_at=case((first.is_(None) | (first > at), at), else_=first),
            join_last_at=case((last.is_(None) | (last < at), at), else_=last),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(registration, ["join_count", "join_first_at", "join_last_at"])


@dataclass(frozen=True)
class Openings:
    """How many registrants opened their link, and when the first and the last did."""

    people: int
    openings: int
    first_at: datetime | None
    last_at: datetime | None


def openings(event: Event) -> Openings:
    row = db.session.execute(
        db.select(
            func.count(Registration.id),
            func.coalesce(func.sum(Registration.join_count), 0),
            func.min(Registration.join_first_at),
            func.max(Registration.join_last_at),
        ).where(Registration.event_id == event.id, Registration.join_count > 0)
    ).one()
    return Openings(int(row[0]), int(row[1]), row[2], row[3])
