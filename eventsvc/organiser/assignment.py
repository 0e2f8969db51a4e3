"""Assigning organisers to an event, from the event's page (``_assignment.html``)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsvc.extensions import db
from eventsvc.lookups import event_or_404
from eventsvc.models import Organiser
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.services import DomainError, assignments
from eventsvc.unit_of_work import unit_of_work


@bp.app_template_global()
def event_assignees(event) -> list[Organiser]:
    return assignments.assignees(event)


@bp.app_template_global()
def assignment_candidates(event) -> list[Organiser]:
    return assignments.candidates(event)


def _organiser_or_400() -> Organiser:
    raw = request.form.get("organiser_id", "")
    # ASCII digits that fit the id column: str.isdigit() also takes "²", and any length.
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        abort(400)
    organiser = db.session.get(Organiser, int(raw))
    if organiser is None:
        abort(400)
    return organiser


@bp.post("/events/<slug>/assignees")
def assign_organiser(slug):
    event = event_or_404(slug)
    organiser = _organiser_or_400()
    with unit_of_work():
        assignments.assign(event, organiser, current_organiser())
    flash(_("%(email)s can now see and change this event.", email=organiser.email), "success")
    return redirect(url_for(".event", slug=event.slug) + "#assignment-heading")


@bp.post("/events/<slug>/assignees/remove")
def unassign_organiser(slug):
    event = event_or_404(slug)
    organiser = _organiser_or_400()
    try:
        with unit_of_work():
            assignments.unassign(event, organiser, current_organiser())
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("%(email)s no longer has access to this event.", email=organiser.email), "success")
    if not assignments.may_access(current_user, event.id):
        return redirect(url_for(".event_list"))
    return redirect(url_for(".event", slug=event.slug) + "#assignment-heading")
