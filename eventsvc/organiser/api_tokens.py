"""The organiser's API tokens (account page): make one (shown once), see when each was last
used, revoke one. Rules in :mod:`eventsvc.services.api_tokens`."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.forms import ActionForm, ApiTokenForm
from eventsvc.services import DomainError, api_tokens
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work


def _page(form: ApiTokenForm, new_token: str | None = None, status: int = 200):
    return (
        render_template(
            "organiser/api_tokens.html",
            form=form,
            action_form=ActionForm(),
            tokens=api_tokens.tokens_of(current_organiser()),
            new_token=new_token,
        ),
        status,
    )


@bp.get("/account/api-tokens")
def api_tokens_page():
    return _page(ApiTokenForm(formdata=None))


@bp.post("/account/api-tokens")
def api_token_create():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        with unit_of_work():
            _row, token = api_tokens.create(current_organiser(), form.name.data, form.scope.data)
    except InputErrors as invalid:
        for key, messages in invalid.errors.items():
            getattr(form, key).errors = [*getattr(form, key).errors, *messages]
        return _page(form, status=422)
    # Shown in this answer only (not flashed: the session cookie is not a place for it).
    return _page(ApiTokenForm(formdata=None), new_token=token, status=201)


@bp.post("/account/api-tokens/<int(max=2147483647):token_id>/revoke")
def api_token_revoke(token_id):
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".api_tokens_page"))
    try:
        with unit_of_work():
            row = api_tokens.revoke(current_organiser(), token_id)
    except DomainError as refusal:
        flash(str(refusal.message), "error")
    else:
        flash(_("The token “%(name)s” is revoked: it no longer works.", name=row.name), "success")
    return redirect(url_for(".api_tokens_page"))
