"""Organiser workspace: sign-in, dashboard, events, and (for admins) organiser accounts.

Access rules live in :mod:`eventsvc.organiser.access`; every rule about events lives in
:mod:`eventsvc.services.events`. The views parse forms, call one service and show the result.
"""

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import select
from wtforms import FieldList

from eventsvc import ratelimits
from eventsvc.extensions import db
from eventsvc.i18n import supported_locales
from eventsvc.models import Event, EventStatus, Organiser, Partner, Role
from eventsvc.organiser import account as account_views
from eventsvc.organiser import bp, presenters  # noqa: F401  (template helpers)
from eventsvc.organiser.access import ACCOUNT_ID, admin_required
from eventsvc.organiser.forms import (
    LoginForm,
    NewOrganiserForm,
    RoleForm,
    event_form,
)
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import DomainError, audit, events, organisers
from eventsvc.services import dashboard as overview
from eventsvc.services.events import EventData, ValidationFailed
from eventsvc.services.registrations import seats_left

# --- sign-in ------------------------------------------------------------------------------------


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None`` (no open redirects)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.sign_in
def login():
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for(".dashboard"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            organiser = organisers.authenticate(
                form.email.data, form.password.data, source=request.remote_addr or ""
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            return account_views.signed_in(organiser, target)
    form.next.data = target or ""
    return render_template("organiser/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else: a copy of this session's cookie stops working."""
    organisers.sign_out_everywhere(_actor(), audited=False)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for(".login"))


# --- dashboard and events -----------------------------------------------------------------------


@bp.get("/")
def dashboard():
    return render_template(
        "organiser/dashboard.html",
        rows=overview.event_rows(_actor()),
        queue=overview.queue_state(_actor()),
    )


@bp.get("/events")
def event_list():
    return render_template("organiser/events.html", rows=overview.event_rows(_actor()))


def _actor() -> Organiser:
    return current_user._get_current_object()


def _event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


@bp.get("/events/<slug>")
def event(slug):
    event = _event_or_404(slug)
    return render_template(
        "organiser/event.html",
        event=event,
        row=overview.event_row(event),
        history=audit.history(event),
    )


def _partner_choices() -> list[tuple[str, str]]:
    partners = db.session.scalars(select(Partner).order_by(Partner.acronym))
    return [(p.acronym, p.acronym) for p in partners]


def _event_data(form, *, status, slug=None) -> EventData:
    return EventData(
        slug=slug or form.slug.data,
        timezone=form.timezone.data,
        start=form.start.data,
        end=form.end.data,
        texts={locale: dict(sub.data) for locale, sub in form.locale_forms()},
        floor_language=form.floor_language.data,
        interpretation_languages=list(form.interpretation_languages.data or []),
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_closes=form.registration_closes.data,
        partners=form.chosen_partners(),
        status=status,
    )


def _initial_data(data: EventData) -> dict:
    values = {
        "slug": data.slug,
        "timezone": data.timezone,
        "start": data.start,
        "end": data.end,
        "floor_language": data.floor_language,
        "interpretation_languages": data.interpretation_languages,
        "online_url": data.online_url,
        "capacity": data.capacity,
        "registration_closes": data.registration_closes,
        "partners": data.partners,
    }
    for locale in supported_locales():
        values[locale] = data.texts.get(locale, {})
    return values


def show_service_errors(form, errors: dict[str, list]) -> list:
    """Put the service's field errors beside their fields; return those without a field."""
    unplaced = []
    for key, messages in errors.items():
        name, _sep, locale = key.partition(".")
        field = form[locale][name] if locale and locale in form else getattr(form, name, None)
        if field is None or isinstance(field, FieldList):
            unplaced.extend(messages)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.extend(messages)
    return unplaced


def _new_event_form():
    form = event_form(_partner_choices())
    if request.method == "GET":
        form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
        form.floor_language.data = current_app.config["DEFAULT_LOCALE"]
    return form


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = _new_event_form()
    problems = []
    if form.validate_on_submit():
        try:
            event = events.create_event(_event_data(form, status=EventStatus.DRAFT), actor=_actor())
        except ValidationFailed as failure:
            problems = show_service_errors(form, failure.errors)
        else:
            flash(_("The event has been created as a draft."), "success")
            return redirect(url_for(".event", slug=event.slug))
    return render_template("organiser/event_form.html", form=form, event=None, problems=problems), (
        422 if form.errors or problems else 200
    )


def _edit_form(event: Event, *, from_request: bool = True):
    """The edit form: filled from the posted data, else from the stored event."""
    current = EventData.from_event(event)
    options = {
        "partner_slots": len(current.partners) + 2,
        "languages": [current.floor_language, *current.interpretation_languages],
    }
    if from_request and request.method == "POST":
        form = event_form(_partner_choices(), **options)
    else:
        form = event_form(_partner_choices(), formdata=None, data=_initial_data(current), **options)
    if event.status != EventStatus.DRAFT:
        form.slug.data = event.slug
        form.slug.render_kw = {"readonly": True}
        form.slug.description = _l(
            "Fixed once the event is published: links already shared use it."
        )
    return form


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def edit_event(slug):
    event = _event_or_404(slug)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event has been cancelled and can no longer be changed."), "error")
        return redirect(url_for(".event", slug=event.slug))
    form = _edit_form(event)
    problems = []
    if form.validate_on_submit():
        data = _event_data(form, status=event.status)
        try:
            if form.confirmed.data != "1":
                summary = events.preview_changes(event, data)
                if summary.notify_count:
                    return _confirm_changes(event, summary, data)
            summary = events.update_event(event, data, actor=_actor())
        except ValidationFailed as failure:
            problems = show_service_errors(form, failure.errors)
        else:
            _flash_update(summary)
            return redirect(url_for(".event", slug=event.slug))
    return render_template(
        "organiser/event_form.html", form=form, event=event, problems=problems
    ), (422 if form.errors or problems else 200)


def _confirm_changes(event: Event, summary, data: EventData):
    """Show who will be told before saving; the form's fields ride along as hidden inputs."""
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirmed")
    ]
    return render_template(
        "organiser/confirm_changes.html",
        event=event,
        summary=summary,
        carried=carried,
        new_zone=data.timezone,
    )


def _flash_update(summary) -> None:
    if not summary.changed:
        flash(_("Nothing was changed."), "info")
    elif summary.notify_count:
        flash(
            ngettext(
                "The event has been saved. %(num)d person will be told of the change.",
                "The event has been saved. %(num)d people will be told of the change.",
                summary.notify_count,
            ),
            "success",
        )
    else:
        flash(_("The event has been saved."), "success")


@bp.post("/events/<slug>/publish")
def publish_event(slug):
    event = _event_or_404(slug)
    try:
        events.publish_event(event, actor=_actor())
    except ValidationFailed as failure:
        form = _edit_form(event, from_request=False)
        problems = show_service_errors(form, failure.errors)
        flash(_("The event cannot be published yet: complete the texts marked below."), "error")
        return render_template(
            "organiser/event_form.html", form=form, event=event, problems=problems
        ), 422
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The event is published: its page is public and open for registration."), "success")
    return redirect(url_for(".event", slug=event.slug))


@bp.route("/events/<slug>/cancel", methods=["GET", "POST"])
def cancel_event(slug):
    event = _event_or_404(slug)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is already cancelled."), "info")
        return redirect(url_for(".event", slug=event.slug))
    if request.method == "GET":
        summary = events.preview_cancellation(event)
        return render_template("organiser/confirm_cancel.html", event=event, summary=summary)
    summary = events.cancel_event(event, actor=_actor())
    flash(
        ngettext(
            "The event has been cancelled. %(num)d person will be told.",
            "The event has been cancelled. %(num)d people will be told.",
            summary.notify_count,
        ),
        "success",
    )
    return redirect(url_for(".event", slug=event.slug))


@bp.get("/events/<slug>/preview/<lang>")
def preview_event(slug, lang):
    """The public page of the event (drafts included) as it reads in ``lang``."""
    event = _event_or_404(slug)
    if lang not in supported_locales():
        abort(404)
    g.lang = lang
    with force_locale(lang):
        return render_template(
            "organiser/preview.html",
            event=event,
            content=event.content(lang),
            form=RegistrationForm(event, formdata=None),
            closed_reason=None,
            seats_left=seats_left(event),
            upcoming=not event.is_past() and event.status != EventStatus.CANCELLED,
            preview_lang=lang,
            text_missing=lang not in {content.locale for content in event.contents},
        )


# --- organiser accounts (administrators) --------------------------------------------------------


@bp.route("/organisers", methods=["GET", "POST"])
@admin_required
def organiser_list():
    form = NewOrganiserForm()
    if form.validate_on_submit():
        try:
            created = organisers.create_organiser(
                organisers.NewOrganiser(
                    email=form.email.data,
                    name=form.name.data or "",
                    role=Role(form.role.data),
                ),
                actor=_actor(),
            )
        except DomainError as refusal:
            form.email.errors = [*form.email.errors, refusal.message]
        else:
            flash(
                _(
                    "%(email)s is invited: they choose their password through the link mailed "
                    "to them.",
                    email=created.email,
                ),
                "success",
            )
            return redirect(url_for(".organiser_list"))
    return render_template(
        "organiser/organisers.html",
        form=form,
        accounts=organisers.list_organisers(),
        history=organisers.account_history(),
        role_form=RoleForm,
        failures_of=organisers.failures_of,
    ), (422 if form.errors else 200)


@bp.post(f"/organisers/{ACCOUNT_ID}/role")
@admin_required
def organiser_role(organiser_id):
    account = db.get_or_404(Organiser, organiser_id)
    form = RoleForm()
    if form.validate_on_submit():
        _try(
            lambda: organisers.set_role(account, Role(form.role.data), _actor()),
            _("The role is changed."),
        )
    return redirect(url_for(".organiser_list"))


@bp.post(f"/organisers/{ACCOUNT_ID}/deactivate")
@admin_required
def organiser_deactivate(organiser_id):
    account = db.get_or_404(Organiser, organiser_id)
    if account.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        _try(
            lambda: organisers.set_active(account, False, _actor()),
            _("%(email)s can no longer sign in.", email=account.email),
        )
    return redirect(url_for(".organiser_list"))


@bp.post(f"/organisers/{ACCOUNT_ID}/activate")
@admin_required
def organiser_activate(organiser_id):
    account = db.get_or_404(Organiser, organiser_id)
    _try(
        lambda: organisers.set_active(account, True, _actor()),
        _("%(email)s can sign in again.", email=account.email),
    )
    return redirect(url_for(".organiser_list"))


def _try(change, success_message: str) -> None:
    try:
        change()
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    else:
        flash(success_message, "success")
