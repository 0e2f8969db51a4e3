"""Public pages: the event list, an event's page, registration, thank-you, privacy, calendars."""

from babel.dates import format_date
from flask import (
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import select

from eventsvc import clock, ics, ratelimits
from eventsvc.calendar_links import calendar_links
from eventsvc.extensions import db
from eventsvc.i18n import current_locale, supported_locales
from eventsvc.lookups import PUBLIC_STATUSES, event_or_404
from eventsvc.models import Event, EventStatus, RegistrationStatus
from eventsvc.public import bp, page_cache, structured_data
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import questions, registrations
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.registrations import (
    RegistrationClosed,
    closed_reason,
    seats_left,
)
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import public_url

PAST_EVENTS_SHOWN = 12
#: The session key holding the address the last registration on this browser was sent to, for
#: the thank-you page to repeat (what the visitor typed, never anything read from the database).
SENT_TO = "registration_sent_to"


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
    return _cached_event_page(event_or_404(slug, public=True, with_texts=False))


def _refused_registration(limit):
    """Too many registrations accepted from this address: the page again, with what was typed
    and when to send it again (status 429; ``Retry-After`` is added by the limiter)."""
    event = event_or_404(request.view_args["slug"], public=True, with_texts=False)
    form = RegistrationForm(event)
    form.form_errors.append(ratelimits.refusal_message(limit))
    page, status = _event_page(event, form, status=429)
    return make_response(page, status)


@bp.post("/events/<slug>/register")
@ratelimits.registration(on_breach=_refused_registration)
def register(slug):
    event = event_or_404(slug, public=True, with_texts=False)
    form = RegistrationForm(event)
    if form.is_spam():
        return _redirect_to_thanks(slug, RegistrationStatus.CONFIRMED, form.email.data)
    if closed_reason(event) is not None:
        return _event_page(event, None, status=409)
    if not form.validate():
        return _event_page(event, form, status=400)
    try:
        with unit_of_work():
            result = registrations.register(event, form.registration_input, request.remote_addr)
    except RegistrationClosed:
        return _event_page(event, None, status=409)
    except InputErrors as failed:  # an option filled up meanwhile (checked under the lock)
        form.show_errors(failed.errors)
        return _event_page(event, form, status=409)
    # An address already registered is shown what a newcomer would get: the page never tells a
    # visitor anything about someone else's registration.
    shown = result.status if result.created else result.newcomer_status
    return _redirect_to_thanks(slug, shown, form.email.data)


@bp.get("/events/<slug>/register")
def register_page(slug):
    """The form's address opened again (a reload or a bookmark after a failed submit): the form
    on the event's page, rather than "405 Method Not Allowed"."""
    return redirect(url_for("public.event", slug=slug, _anchor="register"), 303)


@bp.get("/events/<slug>/thanks")
def thanks(slug):
    event = event_or_404(slug, public=True)
    waitlisted = request.args.get("status") == RegistrationStatus.WAITLISTED
    sent_to = session.pop(SENT_TO, None) or {}  # shown once: not to the next user of the browser
    return render_template(
        "public/thanks.html",
        event=event,
        content=event.content(current_locale()),
        waitlisted=waitlisted,
        sent_to=sent_to.get("email") if sent_to.get("slug") == slug else None,
        calendar_links=None if waitlisted else _public_calendar_links(event),
    )


def _public_calendar_links(event: Event):
    """Calendar choices with the public details only (the page cannot know whose place it is):
    the invite in the mail and the personal page carry the personal ones."""
    if not _is_upcoming(event):
        return None
    return calendar_links(
        event,
        current_locale(),
        details_url=public_url("public.event", slug=event.slug),
        ics_url=url_for("public.event_calendar", slug=event.slug),
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
    return _event_calendar(slug, current_locale())


@bp.get("/events.ics")
def calendar_feed():
    return _calendar_feed(current_locale())


@bp.record_once
def _calendars_without_language_prefix(state):
    """``/events.ics`` and ``/events/<slug>.ics``: the addresses people paste into a calendar's
    "subscribe" box. In the visitor's Accept-Language, else the first configured locale."""
    state.app.add_url_rule("/events.ics", "calendar_feed", lambda: _calendar_feed(_feed_locale()))
    state.app.add_url_rule(
        "/events/<slug>.ics", "event_calendar", lambda slug: _event_calendar(slug, _feed_locale())
    )


def _feed_locale() -> str:
    locales = supported_locales()
    return request.accept_languages.best_match(locales) or locales[0]


def _event_calendar(slug: str, locale: str):
    event = event_or_404(slug, public=True)
    return _calendar_response([event], locale, filename=f"{event.slug}.ics")


def _calendar_feed(locale: str):
    events = db.session.scalars(
        select(Event).where(Event.status.in_(PUBLIC_STATUSES)).order_by(Event.starts_at)
    ).all()
    return _calendar_response(events, locale, filename=None)


@bp.app_template_global()
def event_date_parts(event: Event) -> dict[str, str]:
    """Day and short month of the start, in the event's zone: the date tile on a card."""
    wall = clock.to_wall(event.starts_at, event.timezone)
    locale = current_locale()
    return {
        "day": format_date(wall, "d", locale=locale),
        "month": format_date(wall, "MMM", locale=locale),
    }


def availability(event: Event) -> str:
    """One word for a card's badge: cancelled, closed, waitlist or open."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if closed_reason(event) is not None:
        return "closed"
    if seats_left(event) == 0:
        return "waitlist"
    return "open"


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
    # Options with places shown as full (issue 16): one small query, two when there are some.
    full = tuple(sorted(questions.full_choice_ids(event)))
    state = (
        event.id,
        event.content_version,
        reason and str(reason),
        upcoming,
        _fullness(left),
        full,
    )

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
        event_text_locales=event.text_locales,
        form=form,
        registration_form=None if form is None else _render_registration_form(event, form, left),
        closed_reason=reason,
        seats_left=left,
        places_text=places_text,
        upcoming=_is_upcoming(event),
        json_ld=structured_data.event_json_ld(event, current_locale()),
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


def _redirect_to_thanks(slug: str, status: RegistrationStatus, email: str | None):
    session[SENT_TO] = {"slug": slug, "email": email or ""}
    return redirect(url_for("public.thanks", slug=slug, status=str(status)), 303)


def _calendar_response(events, locale: str, filename: str | None):
    response = make_response(ics.publish(events, locale))
    response.mimetype = "text/calendar"
    response.charset = "utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
