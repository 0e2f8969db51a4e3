"""The registrant's own page, reached by the personal link in every message.

The token in the URL is the only key: an unknown or tampered one answers a plain 404. Pages are
personal, so they are never cached, indexed, or named in the Referer of outgoing links.
"""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsvc import ics
from eventsvc.attendee import bp
from eventsvc.attendee.forms import CancelForm, PreferencesForm
from eventsvc.i18n import current_locale
from eventsvc.models import EventStatus, Registration, RegistrationStatus
from eventsvc.services import DomainError, registrations, tokens


@bp.after_request
def _keep_private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/<token>")
def manage(token):
    registration = _registration_or_404(token)
    return _manage_page(registration, token, PreferencesForm(registration))


@bp.post("/<token>/preferences")
def preferences(token):
    registration = _registration_or_404(token)
    if not _can_change(registration):
        return _back_to(token)
    form = PreferencesForm(registration)
    if not form.validate():
        return _manage_page(registration, token, form, status=400)
    try:
        changed = registrations.change_preferences(
            registration, form.language.data, form.interpretation_language.data or None
        )
    except DomainError as error:
        flash(str(error.message), "error")
        return _back_to(token)
    if changed:
        flash(_("Your preferences have been saved."))
    return _back_to(token)


@bp.get("/<token>/invite.ics")
def invite(token):
    registration = _registration_or_404(token)
    if not (_can_change(registration) and registration.is_confirmed):
        abort(404)
    response = make_response(ics.invite(registration))
    response.mimetype = "text/calendar"
    response.headers["Content-Type"] = "text/calendar; charset=utf-8; method=REQUEST"
    response.headers["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response


@bp.route("/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    registration = _registration_or_404(token)
    if not _can_change(registration):
        return _back_to(token)
    form = CancelForm()
    if form.validate_on_submit():
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
        registrations.confirm_newsletter(registration)
    return render_template(
        "attendee/newsletter.html",
        **_context(registration, token),
        form=form,
        confirmed=registration.newsletter_confirmed_at is not None,
    )


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


def _manage_page(registration: Registration, token: str, form: PreferencesForm, status=200):
    return render_template(
        "attendee/manage.html", **_context(registration, token), form=form
    ), status
