"""The embed pages: one event with its registration form, the confirmation, the events list.

No view here reads or writes the session: what the confirmation shows travels in a signed,
short-lived ``done`` token in its URL instead.
"""

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import select

from eventsvc import clock, ratelimits, security
from eventsvc.embed import bp
from eventsvc.embed.forms import EXPIRED, EmbedSubscriptionForm, embed_registration_form
from eventsvc.extensions import csrf, db
from eventsvc.i18n import current_locale
from eventsvc.lookups import PUBLIC_STATUSES, event_or_404
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.public.views import availability
from eventsvc.services import registrations, subscriptions
from eventsvc.services.registrations import RegistrationClosed, closed_reason, seats_left
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import manage_url, public_url

DONE_SALT = "eventsvc.embed.done"
#: How long the confirmation's address shows the personal link (seconds).
DONE_MAX_AGE = 15 * 60


@bp.after_request
def _framing(response):
    """Only the origins the admin lists (or the event's own list) may frame these pages;
    nothing is cached by a proxy for another visitor (the form carries its own token)."""
    security.allow_framing(response, embed_allowed_origins())
    if request.endpoint != "embed.events":
        response.cache_control.no_store = True
    return response


@bp.app_template_global()
def embed_allowed_origins() -> list[str]:
    """The origins that may frame this page: the event's own list on its pages where it has
    one (``Event.embed_origins``), else the site's ``EMBED_ALLOWED_ORIGINS``."""
    slug = (request.view_args or {}).get("slug") if request.blueprint == "embed" else None
    if slug:
        own = db.session.scalar(select(Event.embed_origins).where(Event.slug == slug))
        if own:
            return security.allowed_frame_origins(own)
    return security.allowed_frame_origins(current_app.config.get("EMBED_ALLOWED_ORIGINS"))


@bp.app_template_global()
def embed_script_url() -> str:
    """The absolute address of ``static/embed.js``, for the snippet shown to organisers."""
    return public_url("static", filename="embed.js")


@bp.get("/events")
def events():
    upcoming = db.session.scalars(
        select(Event)
        .where(Event.status.in_(PUBLIC_STATUSES), Event.ends_at > clock.now())
        .order_by(Event.starts_at, Event.id)
    ).all()
    states = {event.id: availability(event) for event in upcoming}
    return render_template("embed/events.html", upcoming=upcoming, states=states)


@bp.get("/events/<slug>")
def event(slug):
    event = event_or_404(slug, public=True)
    form = None
    if closed_reason(event) is None:
        form = embed_registration_form(event)
        form.renew_token()
    return _event_page(event, form)


def _refused(limit):
    """Too many registrations from this address: the form again, as typed (429)."""
    event = event_or_404(request.view_args["slug"], public=True)
    form = embed_registration_form(event)
    form.renew_token()
    form.form_errors.append(ratelimits.refusal_message(limit))
    return _event_page(event, form, 429)


@bp.post("/events/<slug>/register")
@csrf.exempt  # the session's token cannot reach a third-party frame: the form token stands in
@ratelimits.registration(on_breach=_refused)
def register(slug):
    event = event_or_404(slug, public=True)
    form = embed_registration_form(event)
    if not form.token_is_valid():
        form.validate()  # the answers' own errors too, shown with the form again
        form.form_errors.append(EXPIRED)
        form.renew_token()
        return _event_page(event, form, 400)
    if form.is_spam():
        return _redirect_to_done(event, RegistrationStatus.CONFIRMED, None)
    if closed_reason(event) is not None:
        return _event_page(event, None, 409)
    if not form.validate():
        form.renew_token()
        return _event_page(event, form, 400)
    try:
        with unit_of_work():
            result = registrations.register(event, form.registration_input, request.remote_addr)
    except RegistrationClosed:
        return _event_page(event, None, 409)
    registration = result.registration  # read after the commit, which gave it its id
    personal = result.created and not registration.awaits_address_confirmation
    registration_id = registration.id if personal else None
    # As on the public page: an address already registered is shown what a newcomer would get,
    # and the personal link only of the registration this very post created.
    shown = result.status if result.created else result.newcomer_status
    return _redirect_to_done(event, shown, registration_id)


@bp.get("/events/<slug>/done")
def done(slug):
    event = event_or_404(slug, public=True)
    try:
        data = _done_serializer().loads(request.args.get("t", ""), max_age=DONE_MAX_AGE)
    except BadSignature:
        return redirect(url_for("embed.event", slug=slug), 303)
    if not isinstance(data, dict) or data.get("event") != event.id:
        return redirect(url_for("embed.event", slug=slug), 303)
    registration = None
    if data.get("registration") is not None:
        registration = db.session.get(Registration, data["registration"])
        if registration is None or registration.event_id != event.id:
            registration = None
    return render_template(
        "embed/done.html",
        event=event,
        content=event.content(current_locale()),
        waitlisted=data.get("status") == RegistrationStatus.WAITLISTED,
        awaits_address=event.confirm_address and registration is None,
        personal_url=None if registration is None else manage_url(registration),
    )


def _done_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DONE_SALT)


def _redirect_to_done(event: Event, status, registration_id: int | None):
    token = _done_serializer().dumps(
        {"event": event.id, "status": str(status), "registration": registration_id}
    )
    return redirect(url_for("embed.done", slug=event.slug, t=token), 303)


def _event_page(event: Event, form, status: int = 200):
    reason = closed_reason(event)
    left = seats_left(event)
    form = form if reason is None else None
    registration_form = None
    if form is not None:
        registration_form = Markup(  # noqa: S704 (autoescaped template output)
            render_template(
                "public/_registration_form.html",
                event=event,
                form=form,
                seats_left=left,
                form_action=url_for("embed.register", slug=event.slug),
                form_target="_self",
            )
        )
    page = render_template(
        "embed/event.html",
        event=event,
        content=event.content(current_locale()),
        form=form,
        registration_form=registration_form,
        closed_reason=reason,
        seats_left=left,
        places_text=ngettext("%(num)d place left.", "%(num)d places left.", left) if left else "",
    )
    return make_response(page, status)


def _subscribe_page(form, status: int = 200):
    form.renew_token()
    page = render_template(
        "embed/subscribe.html", form=form, form_action=url_for("embed.subscribe")
    )
    return make_response(page, status)


def _refused_subscription(limit):
    form = EmbedSubscriptionForm()
    form.form_errors.append(gettext("Too many requests from your network. Try again later."))
    return _subscribe_page(form, 429)


@bp.route("/subscribe", methods=["GET", "POST"])
@csrf.exempt  # as the registration form: the form token stands in for the session's
@ratelimits.registration(on_breach=_refused_subscription)
def subscribe():
    """The subscribe form in a frame (double opt-in, as on the site)."""
    form = EmbedSubscriptionForm()
    if request.method == "GET":
        return _subscribe_page(form)
    if not form.token_is_valid():
        form.form_errors.append(EXPIRED)
        return _subscribe_page(form, 400)
    if form.is_spam():
        return redirect(url_for("embed.subscribe_sent"), 303)
    data = form.parsed()
    if data is None:
        return _subscribe_page(form, 400)
    with unit_of_work():
        subscriptions.subscribe(data)
    return redirect(url_for("embed.subscribe_sent"), 303)


@bp.get("/subscribe/sent")
def subscribe_sent():
    return render_template("embed/subscribe_sent.html")
