"""Public pages: the event list, an event's page, registration, thank-you, privacy, calendars."""

from urllib.parse import urlencode

from babel.dates import format_date
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from sqlalchemy import func, select

from eventsvc import clock, ics, ratelimits
from eventsvc.extensions import db
from eventsvc.i18n import current_locale
from eventsvc.models import Event, EventStatus, Registration, RegistrationStatus
from eventsvc.public import bp
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import registrations
from eventsvc.services.registrations import RegistrationClosed, closed_reason, seats_left

PAST_EVENTS_SHOWN = 12
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


@bp.get("/")
def index():
    now = clock.now()
    upcoming = db.session.scalars(
        select(Event)
        .where(Event.status.in_(PUBLIC_STATUSES), Event.ends_at > now)
        .order_by(Event.starts_at, Event.id)
    ).all()
    past = db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(PAST_EVENTS_SHOWN)
    ).all()
    confirmed = _confirmed_counts(upcoming)
    states = {event.id: availability(event, confirmed.get(event.id, 0)) for event in upcoming}
    return render_template("public/index.html", upcoming=upcoming, past=past, states=states)


@bp.get("/events/<slug>")
def event(slug):
    event = _public_event_or_404(slug)
    return _event_page(event, RegistrationForm(event))


@bp.post("/events/<slug>/register")
@ratelimits.registration
def register(slug):
    event = _public_event_or_404(slug)
    form = RegistrationForm(event)
    if form.is_spam():
        return _redirect_to_thanks(event, RegistrationStatus.CONFIRMED)
    if closed_reason(event) is not None:
        return _event_page(event, None, status=409)
    if not form.validate():
        return _event_page(event, form, status=400)
    newcomer_status = _status_for_newcomer(event)
    try:
        result = registrations.register(event, form.registration_data())
    except RegistrationClosed:
        return _event_page(event, None, status=409)
    shown = result.registration.status if result.created else newcomer_status
    return _redirect_to_thanks(event, shown)


@bp.get("/events/<slug>/thanks")
def thanks(slug):
    event = _public_event_or_404(slug)
    waitlisted = request.args.get("status") == RegistrationStatus.WAITLISTED
    return render_template(
        "public/thanks.html",
        event=event,
        content=event.content(current_locale()),
        waitlisted=waitlisted,
    )


@bp.get("/privacy")
def privacy():
    return render_template(
        "public/privacy.html",
        version=current_app.config["PRIVACY_VERSION"],
        contact=current_app.config["ORGANIZER_EMAIL"],
    )


@bp.get("/events/<slug>.ics")
def event_calendar(slug):
    event = _public_event_or_404(slug)
    return _calendar_response([event], filename=f"{event.slug}.ics")


@bp.get("/events.ics")
def calendar_feed():
    events = db.session.scalars(
        select(Event).where(Event.status.in_(PUBLIC_STATUSES)).order_by(Event.starts_at)
    ).all()
    return _calendar_response(events, filename=None)


@bp.app_template_global()
def event_date_parts(event: Event) -> dict[str, str]:
    """Day and short month of the start, in the event's zone: the date tile on a card."""
    wall = clock.to_wall(event.starts_at, event.timezone)
    locale = current_locale()
    return {
        "day": format_date(wall, "d", locale=locale),
        "month": format_date(wall, "MMM", locale=locale),
    }


@bp.app_template_global()
def google_calendar_url(event: Event) -> str:
    """A Google Calendar "add event" link: the public details, never the join link."""
    content = event.content(current_locale())
    page = url_for("public.event", slug=event.slug, _external=True)
    details = "\n\n".join(part for part in (content.summary, page) if part)
    stamp = "%Y%m%dT%H%M%SZ"
    query = {
        "action": "TEMPLATE",
        "text": content.title,
        "dates": f"{event.starts_at.strftime(stamp)}/{event.ends_at.strftime(stamp)}",
        "details": details,
        "ctz": event.timezone,
    }
    return f"{GOOGLE_CALENDAR}?{urlencode(query)}"


def availability(event: Event, confirmed: int) -> str:
    """One word for a card's badge: cancelled, closed, waitlist or open."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if closed_reason(event) is not None:
        return "closed"
    if event.capacity is not None and confirmed >= event.capacity:
        return "waitlist"
    return "open"


def _confirmed_counts(events) -> dict[int, int]:
    ids = [event.id for event in events if event.capacity is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(
            Registration.event_id.in_(ids),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.event_id)
    )
    return dict(rows.all())


def _public_event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status not in PUBLIC_STATUSES:
        abort(404)
    return event


def _event_page(event: Event, form: RegistrationForm | None, status: int = 200):
    reason = closed_reason(event)
    left = seats_left(event)
    page = render_template(
        "public/event.html",
        event=event,
        content=event.content(current_locale()),
        form=form if reason is None else None,
        closed_reason=reason,
        seats_left=left,
        upcoming=not event.is_past() and event.status == EventStatus.PUBLISHED,
    )
    return page, status


def _status_for_newcomer(event: Event) -> RegistrationStatus:
    """What a new registration would get now: shown for an address already registered, so the
    page never tells a visitor anything about someone else's registration."""
    left = seats_left(event)
    if left is None or left > 0:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def _redirect_to_thanks(event: Event, status: RegistrationStatus):
    return redirect(url_for("public.thanks", slug=event.slug, status=str(status)), 303)


def _calendar_response(events, filename: str | None):
    response = make_response(ics.publish(events, current_locale()))
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
