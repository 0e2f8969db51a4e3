"""The organiser's webhooks: subscribe a URL (its secret shown once), see the last attempts
and answers, send a test event, turn one off or on, remove it. Rules in
:mod:`eventsvc.services.webhooks`; sending in :mod:`eventsvc.webhook_delivery`."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsvc import webhook_delivery
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.forms import ActionForm, WebhookForm
from eventsvc.services import DomainError, webhooks
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work

ENDPOINT_ID = "<int(max=2147483647):endpoint_id>"


def _page(form: WebhookForm, secret: str | None = None, status: int = 200):
    endpoints = webhooks.endpoints_of(current_organiser())
    return (
        render_template(
            "organiser/webhooks.html",
            form=form,
            action_form=ActionForm(),
            endpoints=[(e, webhooks.recent_deliveries(e, 10)) for e in endpoints],
            secret=secret,
        ),
        status,
    )


@bp.get("/webhooks")
def webhooks_page():
    return _page(WebhookForm(formdata=None))


@bp.post("/webhooks")
def webhook_create():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        with unit_of_work():
            endpoint = webhooks.add_endpoint(
                current_organiser(), form.url.data, form.event_types.data
            )
            secret = endpoint.secret
    except InputErrors as invalid:
        for key, messages in invalid.errors.items():
            getattr(form, key).errors = [*getattr(form, key).errors, *messages]
        return _page(form, status=422)
    # Shown in this answer only (not flashed: the session cookie is not a place for it).
    return _page(WebhookForm(formdata=None), secret=secret, status=201)


def _act(endpoint_id: int, action) -> str | None:
    if not ActionForm().validate_on_submit():
        return None
    try:
        with unit_of_work():
            endpoint = webhooks.endpoint_of(current_organiser(), endpoint_id)
            return action(endpoint)
    except DomainError as refusal:
        flash(str(refusal.message), "error")
        return None


@bp.post(f"/webhooks/{ENDPOINT_ID}/test")
def webhook_test(endpoint_id):
    delivery_id = _act(endpoint_id, lambda endpoint: webhooks.send_test(endpoint).id)
    if delivery_id is not None:
        webhook_delivery.deliver(delivery_id)  # now, so that the page shows the answer
        flash(_("A test event was sent: its answer is below."), "success")
    return redirect(url_for(".webhooks_page"))


@bp.post(f"/webhooks/{ENDPOINT_ID}/off")
def webhook_off(endpoint_id):
    if _act(endpoint_id, lambda endpoint: webhooks.set_active(endpoint, False) or True):
        flash(_("The webhook is off: nothing more is sent to it."), "success")
    return redirect(url_for(".webhooks_page"))


@bp.post(f"/webhooks/{ENDPOINT_ID}/on")
def webhook_on(endpoint_id):
    if _act(endpoint_id, lambda endpoint: webhooks.set_active(endpoint, True) or True):
        flash(_("The webhook is on again."), "success")
    return redirect(url_for(".webhooks_page"))


@bp.post(f"/webhooks/{ENDPOINT_ID}/remove")
def webhook_remove(endpoint_id):
    if _act(endpoint_id, lambda endpoint: webhooks.remove_endpoint(endpoint) or True):
        flash(_("The webhook is removed."), "success")
    return redirect(url_for(".webhooks_page"))
