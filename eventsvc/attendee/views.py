"""The registrant's own page, reached by the personal link in every message.

The token in the URL is the only key: an unknown or tampered one answers a plain 404. Pages are
personal, so they are never cached, indexed, or named in the Referer of outgoing links.
"""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from eventsvc import clock, ics
from eventsvc.attendee import bp
from eventsvc.attendee.forms import CancelForm, DetailsForm, PreferencesForm
from eventsvc.calendar_links import calendar_links
from eventsvc.i18n import current_locale
from eventsvc.models import EventStatus, Registration, RegistrationStatus
from eventsvc.public.forms import question_views, show_errors
from eventsvc.services import DomainError, follow_ups, joins, questions, registrations, tokens
from eventsvc.services import fields as registry
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import public_url


@bp.get("/<token>")
def manage(token):
    registration = _registration_or_404(token)
    return _manage_page(registration, token)


@bp.post("/<token>/preferences")
def preferences(token):
    registration = _registration_or_404(token)
    if not _can_change(registration):
        return _back_to(token)
    form = PreferencesForm(registration)
    if not form.validate():
        return _manage_page(registration, token, preferences=form, status=400)
    try:
        with unit_of_work():
            changed = registrations.change_preferences(
                registration, form.language.data, form.interpretation_language.data or None
            )
    except DomainError as error:
        flash(str(error.message), "error")
        return _back_to(token)
    if changed:
        flash(_("Your preferences have been saved."))
    return _back_to(token)


@bp.post("/<token>/details")
def details(token):
    registration = _registration_or_404(token)
    if not _can_change(registration):
        return _back_to(token)
    form = DetailsForm(registration)
    if not form.validate():
        return _manage_page(registration, token, details=form, status=400)
    try:
        with unit_of_work():
            changed = registrations.change_details(registration, form.submitted())
    except InputErrors as failed:
        show_errors(form, failed.errors)
        return _manage_page(registration, token, details=form, status=400)
    except DomainError as error:
        flash(str(error.message), "error")
        return _back_to(token)
    if changed:
        flash(_("Your details have been saved."))
    return _back_to(token)


@bp.post("/<token>/answers")
def answers(token):
    """The registrant's answers to the event's own questions, changed until registration
    closes (issue 16), checked as on the form."""
    registration = _registration_or_404(token)
    if not CancelForm().validate_on_submit():  # the CSRF token
        return _back_to(token)
    try:
        with unit_of_work():
            registrations.change_answers(registration, request.form)
    except InputErrors as failed:
        return _manage_page(
            registration, token, answer_errors=failed.errors, posted=request.form, status=400
        )
    except DomainError as error:
        flash(str(error.message), "error")
        return _back_to(token)
    flash(_("Your answers have been saved."))
    return _back_to(token)


@bp.get("/<token>/invite.ics")
def invite(token):
    registration = _registration_or_404(token)
    if not (
        _can_change(registration)
        and registration.is_confirmed
        and not registration.awaits_address_confirmation
    ):
        abort(404)
    response = make_response(ics.invite(registration))
    response.mimetype = "text/calendar"
    response.headers["Content-Type"] = "text/calendar; charset=utf-8; method=REQUEST"
    filename = f"{registration.event.slug}.ics"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    registration = _registration_or_404(token)
    if not _can_change(registration):
        return _back_to(token)
    form = CancelForm()
    if form.validate_on_submit():
        with unit_of_work():
            registrations.cancel(registration)
        return redirect(url_for("attendee.cancelled", token=token), 303)
    return render_template(
        "attendee/cancel.html", **_context(registration, token), form=form
    ), 400 if form.errors else 200


@bp.route("/<token>/newsletter", methods=["GET", "POST"])
def newsletter(token):
    """The confirm link of the newsletter mail. Opening it asks (mail scanners open links);
    the button confirms."""
    registration = _registration_or_404(token)
    if not registration.newsletter:
        abort(404)
    form = CancelForm()
    if form.validate_on_submit():
        with unit_of_work():
            registrations.confirm_newsletter(registration)
    return render_template(
        "attendee/newsletter.html",
        **_context(registration, token),
        form=form,
        confirmed=registration.newsletter_confirmed_at is not None,
    )


@bp.route("/<token>/confirm", methods=["GET", "POST"])
def confirm_address(token):
    """The link of the "confirm your address" mail. Opening it only asks (mail scanners open
    links); the button confirms, and the page says what happened."""
    registration = _registration_or_404(token)
    form = CancelForm()
    outcome = None
    if form.validate_on_submit():
        with unit_of_work():
            outcome = registrations.confirm_address(registration)
    elif registration.status == RegistrationStatus.CANCELLED:
        outcome = _cancelled_outcome(registration)
    elif not registration.awaits_address_confirmation:
        outcome = registrations.AddressConfirmation.ALREADY
    elif not registrations.hold_can_be_confirmed(registration.event):
        outcome = registrations.AddressConfirmation.CLOSED
    elif registration.address_hold_until <= clock.now():
        outcome = registrations.AddressConfirmation.EXPIRED
    return render_template(
        "attendee/confirm_address.html",
        **_context(registration, token),
        form=form,
        outcome=outcome,
    )


def _cancelled_outcome(registration: Registration):
    if registration.awaits_address_confirmation:
        return registrations.AddressConfirmation.EXPIRED
    return registrations.AddressConfirmation.CANCELLED


@bp.get("/<token>/cancelled")
def cancelled(token):
    registration = _registration_or_404(token)
    if registration.status != RegistrationStatus.CANCELLED:
        return _back_to(token)
    return render_template("attendee/cancelled.html", **_context(registration, token))


def _registration_or_404(token: str) -> Registration:
    registration = tokens.registration_for_token(token)
    if registration is None:
        abort(404)
    return registration


def _can_change(registration: Registration) -> bool:
    """Whether the registrant may still change or cancel: an active place at a coming event."""
    event = registration.event
    return (
        registration.status != RegistrationStatus.CANCELLED
        and event.status == EventStatus.PUBLISHED
        and not event.is_past()
    )


def _back_to(token: str):
    return redirect(url_for("attendee.manage", token=token), 303)


def _context(registration: Registration, token: str) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "content": event.content(current_locale()),
        "token": token,
        "can_change": _can_change(registration),
        "can_register_again": registrations.closed_reason(event) is None,
        "waitlist_position": registrations.waitlist_position(registration),
    }


def _manage_page(
    registration: Registration,
    token: str,
    preferences: PreferencesForm | None = None,
    details: DetailsForm | None = None,
    status=200,
    answer_errors: dict | None = None,
    posted=None,
):
    """The personal page; the form that was not submitted shows the stored values."""
    event = registration.event
    join = joins.state_of(registration)
    confirmed = (
        registration.is_confirmed
        and _can_change(registration)
        and not registration.awaits_address_confirmation
    )
    links = None
    if confirmed:
        page = public_url("attendee.manage", token=token)
        links = calendar_links(
            event,
            current_locale(),
            details_url=page,
            ics_url=url_for("attendee.invite", token=token),
            location=page,
        )
    return render_template(
        "attendee/manage.html",
        **_context(registration, token),
        form=preferences or PreferencesForm(registration, formdata=None),
        details_form=details or DetailsForm(registration, formdata=None),
        join=join,
        join_link=url_for("join.open", token=joins.make_token(registration)),
        calendar_links=links,
        **_answers_context(registration, answer_errors, posted),
        follow_up=follow_ups.personal_view(registration),
    ), status


def _answers_context(registration: Registration, errors, posted) -> dict:
    """The personal page's answers (``attendee/_answers.html``): a form while they may change,
    else what was answered."""
    locale = current_locale()
    stored = questions.answers_of(registration)
    if registrations.answers_editable(registration):
        specs = registry.question_fields(registration.event)
        if posted is None:
            values = questions.form_values(
                {answer.question.key: questions.answer_value(answer) for answer in stored},
                [spec.question for spec in specs],
            )
            posted = MultiDict([(key, v) for key, vs in values.items() for v in vs])
        views = question_views(specs, posted, errors or {}, registration.event, registration)
        return {"answer_views": views, "answers_editable": True, "answers_form": CancelForm()}
    shown = [
        (
            questions.label(answer.question, locale),
            questions.display_value(answer.question, questions.answer_value(answer), locale),
        )
        for answer in stored
    ]
    return {"answered": shown, "answers_editable": False, "answer_views": []}
