"""Organisers sign in and out (the password reset and two-step codes are in account.py)."""

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
