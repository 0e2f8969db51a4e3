"""Events in the workspace: list, create, edit, publish, cancel, postpone, re-open, preview.

Every rule about events lives in :mod:`eventsvc.services.events`; these views parse the form
(:mod:`eventsvc.organiser.event_form`), call one service and show the result.
"""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.i18n import current_locale, default_required_locales, supported_locales
from eventsvc.lookups import event_or_404
from eventsvc.models import Event, EventStatus, Partner
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.data_forms import cancel_event_form
from eventsvc.organiser.event_form import event_data, initial_data
from eventsvc.organiser.form_errors import error_links, form_field, show_service_errors
from eventsvc.organiser.forms import event_form
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import DomainError, audit, events, joins
from eventsvc.services import dashboard as overview
from eventsvc.services.events import EventData, ValidationFailed
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.registrations import expire_holds, seats_left
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import external_url


@bp.get("/events")
def event_list():
    return render_template("organiser/events.html", rows=overview.event_rows(current_organiser()))


@bp.get("/events/<slug>")
def event(slug):
    event = event_or_404(slug)
    if event.confirm_address:
        with unit_of_work():
            expire_holds(event)
    return render_template(
        "organiser/event.html",
        event=event,
        row=overview.event_row(event),
        history=audit.history(event),
        join_openings=joins.openings(event),
    )


def _partner_choices() -> list[tuple[str, str]]:
    partners = db.session.scalars(select(Partner).order_by(Partner.acronym))
    return [(p.acronym, p.acronym) for p in partners]


def _new_event_form():
    form = event_form(_partner_choices())
    if request.method == "GET":
        form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
        form.floor_language.data = current_app.config["DEFAULT_LOCALE"]
        form.required_locales.data = default_required_locales(form.floor_language.data)
    return form


@bp.get("/events/slug-check")
def slug_check():
    """For the editor's script: the slug a title gives, and whether a slug is free.

    ``title`` → ``slug`` made from it; ``slug`` (and ``event``, the slug being edited) →
    ``available`` and a ``message`` in the organiser's language.
    """
    current = request.args.get("event", "")
    event = db.session.scalar(select(Event).where(Event.slug == current)) if current else None
    slug = (request.args.get("slug") or "").strip()
    if not slug and request.args.get("title"):
        slug = events.slug_from_title(request.args["title"][:1000])
    problem = events.slug_problem(slug, event) if slug else None
    if slug and problem is None:
        message = _("Free: the page will be at %(url)s", url=_public_url(slug))
    else:
        message = str(problem or "")
    return {"slug": slug, "available": bool(slug) and problem is None, "message": message}


def _public_url(slug: str) -> str:
    return external_url("public.event", lang=current_locale(), slug=slug)


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = _new_event_form()
    problems = []
    if form.add_partner.data:
        return _with_another_partner(form, None)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                event = events.create_event(
                    event_data(form, status=EventStatus.DRAFT), actor=current_organiser()
                )
        except ValidationFailed as failure:
            problems = show_service_errors(form, failure.errors)
        else:
            flash(_("The event has been created as a draft."), "success")
            return redirect(url_for(".event", slug=event.slug))
    elif request.method == "POST":
        problems = _service_errors_too(form, None, EventStatus.DRAFT)
    return _render_event_form(form, None, problems)


def _render_event_form(form, event, problems, status: int | None = None):
    code = status or (422 if form.errors or problems else 200)
    return render_template(
        "organiser/event_form.html",
        form=form,
        event=event,
        problems=problems,
        error_links=error_links(form),
        required_locales=_required_locales_shown(form, event),
    ), code


def _required_locales_shown(form, event: Event | None) -> list[str]:
    """The locales the editor marks as required: as ticked on the form, else the event's,
    else a new event's default."""
    if request.method == "POST":
        chosen = form.chosen_required_locales()
    else:
        chosen = form.required_locales.data
    if chosen:
        return [code for code in chosen if code]
    if event is not None:
        return event.publish_locales
    floor = form.floor_language.data or current_app.config["DEFAULT_LOCALE"]
    return default_required_locales(floor)


def _service_errors_too(form, event: Event | None, status) -> list:
    """The service's own checks on whatever the form could read, so that every error shows in
    one round; a field the form already marked keeps only the form's message."""
    try:
        data = event_data(form, status=status, slug=event.slug if event else None)
        found = events.validate(data, event)
    except (TypeError, ValueError):
        return []
    marked = {
        key for key in found if form_field(form, key) is not None and form_field(form, key).errors
    }
    return show_service_errors(form, {k: v for k, v in found.items() if k not in marked})


def _with_another_partner(form, event: Event | None):
    """The same form, as typed, with one more partner slot (no JavaScript needed)."""
    entry = form.partners.append_entry()
    entry.choices = form.partners.entries[0].choices
    return _render_event_form(form, event, [], status=200)


def _edit_form(event: Event, *, from_request: bool = True):
    """The edit form: filled from the posted data, else from the stored event."""
    current = EventData.from_event(event)
    options = {
        "partner_slots": max(len(current.partners) + 1, 3),
        "languages": [current.floor_language, *current.interpretation_languages],
    }
    if from_request and request.method == "POST":
        form = event_form(_partner_choices(), **options)
    else:
        initial = initial_data(current) | {"required_locales": event.publish_locales}
        form = event_form(_partner_choices(), formdata=None, data=initial, **options)
    if event.status != EventStatus.DRAFT:
        form.slug.data = event.slug
        form.slug.render_kw = {"readonly": True}
        form.slug.description = _l(
            "Fixed once the event is published: links already shared use it."
        )
    return form


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def edit_event(slug):
    event = event_or_404(slug)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event has been cancelled and can no longer be changed."), "error")
        return redirect(url_for(".event", slug=event.slug))
    form = _edit_form(event)
    problems = []
    if form.add_partner.data:
        return _with_another_partner(form, event)
    if form.validate_on_submit():
        data = event_data(form, status=event.status)
        try:
            notify = request.form.get("notify") == "1"
            if form.confirmed.data != "1":
                summary = events.preview_changes(event, data)
                if summary.audience_count:
                    return _confirm_changes(event, summary, data)
            with unit_of_work():
                summary = events.update_event(event, data, actor=current_organiser(), notify=notify)
        except ValidationFailed as failure:
            problems = show_service_errors(form, failure.errors)
        else:
            _flash_update(summary)
            return redirect(url_for(".event", slug=event.slug))
    elif request.method == "POST":
        problems = _service_errors_too(form, event, event.status)
    return _render_event_form(form, event, problems)


def _confirm_changes(event: Event, summary, data: EventData):
    """Show who will be told before saving; the form's fields ride along as hidden inputs."""
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirmed", "notify")
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
    event = event_or_404(slug)
    try:
        with unit_of_work():
            events.publish_event(event, actor=current_organiser())
    except ValidationFailed as failure:
        form = _edit_form(event, from_request=False)
        problems = show_service_errors(form, failure.errors)
        flash(_("The event cannot be published yet: complete the texts marked below."), "error")
        return _render_event_form(form, event, problems, status=422)
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The event is published: its page is public and open for registration."), "success")
    return redirect(url_for(".event", slug=event.slug))


@bp.post("/events/<slug>/duplicate")
def duplicate_event(slug):
    """A draft copy of the event (texts, partners, settings, questions; no registrations),
    opened in the editor."""
    event = event_or_404(slug)  # the CSRF token is checked before (CSRFProtect)
    try:
        with unit_of_work():
            copy = events.duplicate_event(event, actor=current_organiser())
    except InputErrors as failure:  # questions the rules no longer accept (a language added)
        problem = next((str(m) for messages in failure.errors.values() for m in messages), "")
        flash(
            _(
                "No copy was made: the registration form of this event does not pass the "
                "checks (%(problem)s). Correct it in the form builder, then duplicate again.",
                problem=problem,
            ),
            "error",
        )
        return redirect(url_for(".event", slug=event.slug))
    flash(
        _(
            "This is a draft copy of “%(title)s”: change what differs, then publish it.",
            title=event.content(current_locale()).title,
        ),
        "success",
    )
    return redirect(url_for(".edit_event", slug=copy.slug))


@bp.route("/events/<slug>/cancel", methods=["GET", "POST"])
def cancel_event(slug):
    event = event_or_404(slug)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is already cancelled."), "info")
        return redirect(url_for(".event", slug=event.slug))
    form = cancel_event_form(supported_locales())
    if not form.validate_on_submit():
        summary = events.preview_cancellation(event)
        return render_template(
            "organiser/confirm_cancel.html", event=event, summary=summary, form=form
        ), (422 if form.errors else 200)
    with unit_of_work():
        summary = events.cancel_event(event, actor=current_organiser(), message=form.messages())
    flash(
        ngettext(
            "The event has been cancelled. %(num)d person will be told.",
            "The event has been cancelled. %(num)d people will be told.",
            summary.notify_count,
        ),
        "success",
    )
    return redirect(url_for(".event", slug=event.slug))


@bp.route("/events/<slug>/postpone", methods=["GET", "POST"])
def postpone_event(slug):
    """Ask (with an optional message per language), then postpone: registrations kept."""
    event = event_or_404(slug)
    form = cancel_event_form(supported_locales())
    if form.validate_on_submit():
        try:
            with unit_of_work():
                told = events.postpone_event(
                    event, actor=current_organiser(), message=form.messages()
                )
        except DomainError as refusal:
            flash(refusal.message, "error")
        else:
            flash(
                ngettext(
                    "The event is postponed. %(num)d person will be told. Set the new date "
                    "with Edit: registrants then get updated invitations.",
                    "The event is postponed. %(num)d people will be told. Set the new date "
                    "with Edit: registrants then get updated invitations.",
                    told,
                ),
                "success",
            )
        return redirect(url_for(".event", slug=event.slug))
    return render_template(
        "organiser/confirm_postpone.html",
        event=event,
        form=form,
        count=events.registrant_count(event),
    ), (422 if form.errors else 200)


@bp.post("/events/<slug>/reopen")
def reopen_event(slug):
    event = event_or_404(slug)
    try:
        with unit_of_work():
            told = events.reopen_event(event, actor=current_organiser())
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(
            ngettext(
                "The event is open again. %(num)d person will be told, with a new invitation.",
                "The event is open again. %(num)d people will be told, with a new invitation.",
                told,
            ),
            "success",
        )
    return redirect(url_for(".event", slug=event.slug))


@bp.get("/events/<slug>/preview/<lang>")
def preview_event(slug, lang):
    """The public page of the event (drafts included) as it reads in ``lang``."""
    event = event_or_404(slug)
    if lang not in supported_locales():
        abort(404)
    g.lang = lang
    content = event.content(lang)
    with force_locale(lang):
        form = RegistrationForm(event, formdata=None)
        return render_template(
            "organiser/preview.html",
            event=event,
            content=content,
            form=form,
            # The public form itself, its own questions included, read-only (a disabled
            # fieldset: nothing can be sent from a preview).
            registration_form=Markup('<fieldset disabled class="form-preview">')  # noqa: S704
            + Markup(  # noqa: S704 (autoescaped template output)
                render_template(
                    "public/_registration_form.html",
                    event=event,
                    form=form,
                    seats_left=seats_left(event),
                    preview=True,
                )
            )
            + Markup("</fieldset>"),
            closed_reason=None,
            seats_left=seats_left(event),
            upcoming=not event.is_past() and event.status != EventStatus.CANCELLED,
            preview_lang=lang,
            text_missing=content.locale != lang,
        )
