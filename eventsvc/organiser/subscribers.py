"""Subscribers to new events (admins: the list is site-wide personal data): counts by language,
partner and frequency, the confirmed list, a CSV export, erasing one."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Subscription
from eventsvc.organiser import bp
from eventsvc.organiser.access import admin_required
from eventsvc.organiser.exports import CSV_TYPE, csv_delimiter, download
from eventsvc.services import exports, subscriptions
from eventsvc.services import partners as partner_service
from eventsvc.unit_of_work import unit_of_work


@bp.get("/subscribers")
@admin_required
def subscriber_list():
    partners = {partner.id: partner.acronym for partner in partner_service.list_partners()}
    return render_template(
        "organiser/subscribers.html",
        counts=subscriptions.counts(),
        subscribers=subscriptions.confirmed_subscriptions(),
        partners=partners,
    )


@bp.get("/subscribers.csv")
@admin_required
def subscriber_export():
    partners = {partner.id: partner.acronym for partner in partner_service.list_partners()}
    header = (_("Email address"), _("Languages"), _("Partners"), _("How often"), _("Confirmed"))
    rows = [header] + [
        (
            s.email,
            " ".join(s.languages),
            " ".join(partners.get(i, str(i)) for i in s.partner_ids),
            str(s.frequency),
            exports.iso_utc(s.confirmed_at),
        )
        for s in subscriptions.confirmed_subscriptions()
    ]
    filename = f"subscribers-{clock.now().date().isoformat()}.csv"
    return download(exports.csv_chunks(rows, csv_delimiter()), CSV_TYPE, filename)


@bp.post("/subscribers/<int:subscription_id>/erase")
@admin_required
def erase_subscriber(subscription_id):
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        abort(404)
    with unit_of_work():
        subscriptions.erase(subscription)
    flash(_("The subscriber is erased."))
    return redirect(url_for("organiser.subscriber_list"), 303)
