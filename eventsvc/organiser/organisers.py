"""Organiser accounts, for administrators: invite, change a role, deactivate, activate."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsvc.extensions import db
from eventsvc.models import Organiser, Role
from eventsvc.organiser import bp
from eventsvc.organiser.access import ACCOUNT_ID, admin_required, current_organiser
from eventsvc.organiser.form_errors import show_service_errors
from eventsvc.organiser.forms import NewOrganiserForm, RoleForm
from eventsvc.services import DomainError, organisers
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work


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
                    actor=current_organiser(),
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
            lambda: organisers.set_role(account, Role(form.role.data), current_organiser()),
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
            lambda: organisers.set_active(account, False, current_organiser()),
            _("%(email)s can no longer sign in.", email=account.email),
        )
    return redirect(url_for(".organiser_list"))


@bp.post(f"/organisers/{ACCOUNT_ID}/activate")
@admin_required
def organiser_activate(organiser_id):
    account = db.get_or_404(Organiser, organiser_id)
    _try(
        lambda: organisers.set_active(account, True, current_organiser()),
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
