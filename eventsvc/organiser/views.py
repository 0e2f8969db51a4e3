"""Organiser workspace: sign-in, dashboard, events, and (for admins) organiser accounts.

Access rules live in :mod:`eventsvc.organiser.access`; every rule about events lives in
:mod:`eventsvc.services.events`. The views parse forms, call one service and show the result.
"""

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
from eventsvc.i18n import current_locale, default_required_locales, supported_locales
from eventsvc.lookups import event_or_404
from eventsvc.models import Event, EventStatus, Organiser, Partner, Role
from eventsvc.organiser import account as account_views
from eventsvc.organiser import bp, presenters  # noqa: F401  (template helpers)
from eventsvc.organiser.access import ACCOUNT_ID, admin_required
from eventsvc.organiser.data_forms import cancel_event_form
from eventsvc.organiser.forms import (
    LoginForm,
    NewOrganiserForm,
    RoleForm,
    event_form,
)
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import DomainError, assignments, audit, events, held_mail, organisers
from eventsvc.services import dashboard as overview
from eventsvc.services.events import EventData, ValidationFailed
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.registrations import expire_holds, seats_left
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import external_url, safe_next

# --- sign-in ------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.sign_in
def login():
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for(".dashboard"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        # Committed either way: a refusal records the failed attempt that throttles the next.
        with unit_of_work():
            try:
                organiser = organisers.authenticate(
                    form.email.data, form.password.data, source=request.remote_addr or ""
                )
            except DomainError as refusal:
                organiser, error = None, refusal.message
        if organiser is not None:
            return account_views.signed_in(organiser, target)
    form.next.data = target or ""
    return render_template("organiser/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else: a copy of this session's cookie stops working."""
    with unit_of_work():
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


@bp.post("/held-mail/send")
def release_held_mail():
    """Let held messages go: one registration's (``registration``) or all of them."""
    with unit_of_work():
        sent = held_mail.release(_held_registration_ids(), _actor(), _visible_events())
    flash(
        ngettext("%(num)d held message will be sent.", "%(num)d held messages will be sent.", sent),
        "success",
    )
    return redirect(url_for(".dashboard", _anchor="held-heading"), 303)


@bp.post("/held-mail/discard")
def discard_held_mail():
    with unit_of_work():
        discarded = held_mail.discard(_held_registration_ids(), _actor(), _visible_events())
    flash(
        ngettext("%(num)d held message discarded.", "%(num)d held messages discarded.", discarded),
        "info",
    )
    return redirect(url_for(".dashboard", _anchor="held-heading"), 303)


def _held_registration_ids() -> list[int] | None:
    if request.form.get("all"):
        return None
    return request.form.getlist("registration", type=int)


@bp.get("/events")
def event_list():
    return render_template("organiser/events.html", rows=overview.event_rows(_actor()))


def _actor() -> Organiser:
    return current_user._get_current_object()


def _visible_events():
    """The events the signed-in organiser may act on (``None``: all, for an admin)."""
    return assignments.visible_event_ids(_actor())


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
    )


def _partner_choices() -> list[tuple[str, str]]:
    partners = db.session.scalars(select(Partner).order_by(Partner.acronym))
    return [(p.acronym, p.acronym) for p in partners]


def _event_data(form, *, status, slug=None) -> EventData:
    texts = {locale: dict(sub.data) for locale, sub in form.locale_forms()}
    return EventData(
        slug=slug or (form.slug.data or "").strip() or _slug_from_texts(texts),
        timezone=form.timezone.data,
        start=form.start.data,
        end=form.end.data,
        texts=texts,
        floor_language=form.floor_language.data,
        interpretation_languages=list(form.interpretation_languages.data or []),
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_closes=form.registration_closes.data,
        partners=form.chosen_partners(),
        status=status,
        confirm_address=bool(form.confirm_address.data),
        required_locales=form.chosen_required_locales(),
    )


def _slug_from_texts(texts: dict) -> str:
    """The slug made from the title in the default locale, else from any title given."""
    default = current_app.config["DEFAULT_LOCALE"]
    titles = [texts.get(default, {}).get("title")] + [t.get("title") for t in texts.values()]
    return events.slug_from_title(next((title for title in titles if title), ""))


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
        "confirm_address": data.confirm_address,
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
                    _event_data(form, status=EventStatus.DRAFT), actor=_actor()
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
        data = _event_data(form, status=status, slug=event.slug if event else None)
        found = events.validate(data, event)
    except (TypeError, ValueError):
        return []
    marked = {
        key for key in found if _form_field(form, key) is not None and _form_field(form, key).errors
    }
    return show_service_errors(form, {k: v for k, v in found.items() if k not in marked})


def _form_field(form, key: str):
    name, _sep, locale = key.partition(".")
    if locale and locale in form:
        return form[locale][name]
    return getattr(form, name, None)


def _with_another_partner(form, event: Event | None):
    """The same form, as typed, with one more partner slot (no JavaScript needed)."""
    entry = form.partners.append_entry()
    entry.choices = form.partners.entries[0].choices
    return _render_event_form(form, event, [], status=200)


def error_links(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error on the form, in the order of the page, for a
    summary whose entries lead to their fields."""
    links = []
    for field in form:
        for sub in _leaves(field):
            for message in sub.errors if isinstance(sub.errors, list) else []:
                links.append((sub.id, sub.label.text, str(message)))
    return links


def _leaves(field):
    if hasattr(field, "entries"):
        for entry in field.entries:
            yield from _leaves(entry)
    elif hasattr(field, "form") and hasattr(field.form, "_fields") and field.type == "FormField":
        for sub in field.form:
            yield from _leaves(sub)
    else:
        yield field


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
        initial = _initial_data(current) | {"required_locales": event.publish_locales}
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
        data = _event_data(form, status=event.status)
        try:
            notify = request.form.get("notify") == "1"
            if form.confirmed.data != "1":
                summary = events.preview_changes(event, data)
                if summary.audience_count:
                    return _confirm_changes(event, summary, data)
            with unit_of_work():
                summary = events.update_event(event, data, actor=_actor(), notify=notify)
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
            events.publish_event(event, actor=_actor())
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
        summary = events.cancel_event(event, actor=_actor(), message=form.messages())
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
                told = events.postpone_event(event, actor=_actor(), message=form.messages())
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
            told = events.reopen_event(event, actor=_actor())
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
        return render_template(
            "organiser/preview.html",
            event=event,
            content=content,
            form=RegistrationForm(event, formdata=None),
            closed_reason=None,
            seats_left=seats_left(event),
            upcoming=not event.is_past() and event.status != EventStatus.CANCELLED,
            preview_lang=lang,
            text_missing=content.locale != lang,
        )


# --- organiser accounts (administrators) --------------------------------------------------------


@bp.route("/organisers", methods=["GET", "POST"])
@admin_required
def organiser_list():
    form = NewOrganiserForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                created = organisers.create_organiser(
                    organisers.NewOrganiser(
                        email=form.email.data,
                        name=form.name.data or "",
                        role=Role(form.role.data),
                    ),
                    actor=_actor(),
                )
        except InputErrors as failure:
            show_service_errors(form, failure.errors)
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
        with unit_of_work():
            change()
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(success_message, "success")
