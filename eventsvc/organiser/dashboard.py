"""The organiser's dashboard: their events at a glance, and the mail held for review."""

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


def _actor() -> Organiser:
    return current_user._get_current_object()


def _visible_events():
    """The events the signed-in organiser may act on (``None``: all, for an admin)."""
    return assignments.visible_event_ids(_actor())
