"""The organiser's dashboard: their events at a glance, and the mail held for review."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.row_ids import row_id
from eventsvc.services import assignments, held_mail
from eventsvc.services import dashboard as overview
from eventsvc.unit_of_work import unit_of_work


@bp.get("/")
def dashboard():
    return render_template(
        "organiser/dashboard.html",
        rows=overview.event_rows(current_organiser()),
        queue=overview.queue_state(current_organiser()),
    )


@bp.post("/held-mail/send")
def release_held_mail():
    """Let held messages go: one registration's (``registration``) or all of them."""
    with unit_of_work():
        sent = held_mail.release(_held_registration_ids(), current_organiser(), _visible_events())
    flash(
        ngettext("%(num)d held message will be sent.", "%(num)d held messages will be sent.", sent),
        "success",
    )
    return redirect(url_for(".dashboard", _anchor="held-heading"), 303)


@bp.post("/held-mail/discard")
def discard_held_mail():
    with unit_of_work():
        discarded = held_mail.discard(
            _held_registration_ids(), current_organiser(), _visible_events()
        )
    flash(
        ngettext("%(num)d held message discarded.", "%(num)d held messages discarded.", discarded),
        "info",
    )
    return redirect(url_for(".dashboard", _anchor="held-heading"), 303)


def _held_registration_ids() -> list[int] | None:
    if request.form.get("all"):
        return None
    return request.form.getlist("registration", type=row_id)


def _visible_events():
    """The events the signed-in organiser may act on (``None``: all, for an admin)."""
    return assignments.visible_event_ids(current_organiser())
