"""Public pages: the event list, an event's page, registration, thank-you, privacy, calendars."""

import time
from urllib.parse import urlencode

from babel.dates import format_date
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from eventsvc import clock, ics, ratelimits
from eventsvc.extensions import db
from eventsvc.i18n import current_locale
from eventsvc.models import Event, EventStatus, RegistrationStatus
from eventsvc.public import bp, page_cache
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import registrations
from eventsvc.services.registrations import (
    RegistrationClosed,
    closed_reason,
    seats_left,
)
from eventsvc.urls import public_url

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
    states = {event.id: availability(event) for event in upcoming}
    return render_template("public/index.html", upcoming=upcoming, past=past, states=states)


@bp.get("/events/<slug>")
def event(slug):
    return _cached_event_page(_public_event_or_404(slug, with_texts=False))


def _refused_registration(limit):
    """Too many registrations accepted from this address: the page again, with what was typed
    and when to send it again (status 429; ``Retry-After`` is added by the limiter)."""
    event = _public_event_or_404(request.view_args["slug"], with_texts=False)
    form = RegistrationForm(event)
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    form.form_errors.append(
        ngettext(
            "Many people have just registered from your network. Nothing was lost: your "
            "details are below. Send the form again in %(num)d minute.",
            "Many people have just registered from your network. Nothing was lost: your "
            "details are below. Send the form again in %(num)d minutes.",
            minutes,
        )
    )
    page, status = _event_page(event, form, status=429)
    return make_response(page, status)


@bp.post("/events/<slug>/register")
@ratelimits.registration(on_breach=_refused_registration)
def register(slug):
    event = _public_event_or_404(slug, with_texts=False)
    form = RegistrationForm(event)
    if form.is_spam():
        return _redirect_to_thanks(slug, RegistrationStatus.CONFIRMED)
    if closed_reason(event) is not None:
        return _event_page(event, None, status=409)
    if not form.validate():
        return _event_page(event, form, status=400)
    try:
        result = registrations.register(event, form.registration_data(), request.remote_addr)
    except RegistrationClosed:
        return _event_page(event, None, status=409)
    # An address already registered is shown what a newcomer would get: the page never tells a
    # visitor anything about someone else's registration.
    shown = result.status if result.created else result.newcomer_status
    return _redirect_to_thanks(slug, shown)


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
    page = public_url("public.event", slug=event.slug)
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


def availability(event: Event) -> str:
    """One word for a card's badge: cancelled, closed, waitlist or open."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if closed_reason(event) is not None:
        return "closed"
    if seats_left(event) == 0:
        return "waitlist"
    return "open"


# Built once: the page and the registration run them on every request. Texts and partners load
# on first use: a cached page and a registration that succeeds need the event's columns only.
_EVENT_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"))
_EVENT_ONLY_BY_SLUG = _EVENT_BY_SLUG.options(lazyload("*"))


def _public_event_or_404(slug: str, with_texts: bool = True) -> Event:
    """The public event at ``slug``, with its texts and partners or (``with_texts=False``) not."""
    query = _EVENT_BY_SLUG if with_texts else _EVENT_ONLY_BY_SLUG
    event = db.session.scalar(query, {"slug": slug})
    if event is None or event.status not in PUBLIC_STATUSES:
        abort(404)
    return event


def _event_page(event: Event, form: RegistrationForm | None, status: int = 200):
    """The page with a submitted form (its values and errors) or none: never cached."""
    reason = closed_reason(event)
    left = seats_left(event)
    form = form if reason is None else None
    return _render_event_page(event, form, reason, left, _places_text(left)), status


def _cached_event_page(event: Event):
    reason = closed_reason(event)
    left = seats_left(event)
    upcoming = _is_upcoming(event)
    state = (event.id, event.content_version, reason and str(reason), upcoming, _fullness(left))

    def render(token: str, places_text: str) -> str:
        form = RegistrationForm(event) if reason is None else None
        if form is not None and "csrf_token" in form:
            form.csrf_token.current_token = token
        return _render_event_page(event, form, reason, left, places_text)

    return page_cache.cached_page(state, render, places_text=_places_text(left))


def _render_event_page(event, form, reason, left, places_text: str) -> str:
    return render_template(
        "public/event.html",
        event=event,
        content=event.content(current_locale()),
        form=form,
        registration_form=None if form is None else _render_registration_form(event, form, left),
        closed_reason=reason,
        seats_left=left,
        places_text=places_text,
        upcoming=_is_upcoming(event),
    )


def _is_upcoming(event: Event) -> bool:
    return not event.is_past() and event.status == EventStatus.PUBLISHED


def _fullness(left: int | None) -> str:
    return "unlimited" if left is None else "full" if left == 0 else "places"


def _places_text(left: int | None) -> str:
    return ngettext("%(num)d place left.", "%(num)d places left.", left) if left else ""


def _render_registration_form(event: Event, form: RegistrationForm, seats_left) -> Markup:
    return Markup(  # noqa: S704 (autoescaped template output)
        render_template(
            "public/_registration_form.html", event=event, form=form, seats_left=seats_left
        )
    )


def _redirect_to_thanks(slug: str, status: RegistrationStatus):
    return redirect(url_for("public.thanks", slug=slug, status=str(status)), 303)


def _calendar_response(events, filename: str | None):
    response = make_response(ics.publish(events, current_locale()))
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
