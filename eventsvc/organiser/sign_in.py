"""Organisers sign in and out (the password reset and two-step codes are in account.py)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from eventsvc import ratelimits
from eventsvc.organiser import account as account_views
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.forms import LoginForm
from eventsvc.services import DomainError, organisers
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import safe_next


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
        organisers.sign_out_everywhere(current_organiser(), audited=False)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for(".login"))
