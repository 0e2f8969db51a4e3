"""Admins see subscribers: counts by language and partner, the CSV export, erasing one."""

import csv
import io

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Frequency, Subscription, SubscriptionStatus
from tests.public.html import page, text


def add(email, languages, partner_ids=(), status=SubscriptionStatus.CONFIRMED):
    subscription = Subscription(
        email=email,
        email_normalised=email.lower(),
        languages=list(languages),
        partner_ids=list(partner_ids),
        frequency=Frequency.EACH,
        status=status,
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription


def test_counts_list_export_and_erase(admin, make_partner):
    unesco = make_partner("UNESCO")
    add("=cmd@example.org", ["fr", "en"], [unesco.id])
    ana = add("ana@example.org", ["fr"])
    add("pending@example.org", ["es"], status=SubscriptionStatus.PENDING)

    html = page(admin.get("/organiser/subscribers"))

    languages = {text(r.th): text(r.td) for r in html.select("#by-language tr")}
    assert languages == {"French": "2", "English": "1"}
    partners = {text(r.th): text(r.td) for r in html.select("#by-partner tr")}
    assert partners == {"UNESCO": "1", "Every event": "1"}
    assert "pending@example.org" not in html.get_text()
    assert "1 request awaits confirmation." in text(html.select_one(".lead"))

    export = admin.get("/organiser/subscribers.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Email address"
    assert rows[1][:3] == ["'=cmd@example.org", "fr en", "UNESCO"]  # formula neutralised
    assert rows[2][0] == "ana@example.org"

    ana_id = ana.id
    response = admin.post(f"/organiser/subscribers/{ana_id}/erase")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Subscription.id))) == 2
    assert db.session.get(Subscription, ana_id) is None


def test_plain_organisers_may_not_see_subscribers(organiser):
    assert organiser.get("/organiser/subscribers").status_code == 403
    assert organiser.get("/organiser/subscribers.csv").status_code == 403
