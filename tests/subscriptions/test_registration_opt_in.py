"""The registration form's "send me news" box is a subscription request: nothing until its own
double opt-in mail's button is pressed, then a confirmed subscription to new events."""

import re

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import Subscription, SubscriptionStatus
from eventsvc.services import events as event_service
from eventsvc.unit_of_work import unit_of_work
from tests.mail.reading import parse, text_of


def test_the_box_subscribes_only_once_confirmed_then_new_events_arrive(
    smtp_app, smtp, client, make_event, form_data
):
    make_event(slug="gps")
    client.post("/es/events/gps/register", data=form_data(language="es", newsletter="y"))
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
    dispatch_due()
    [confirm_mail] = [
        m for m in (parse(raw.as_bytes()) for raw in smtp.messages) if "/newsletter" in text_of(m)
    ]
    path = re.search(r"https?://[^/]+(/\S+/newsletter)", text_of(confirm_mail)).group(1)

    client.get(path)
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
    client.post(path)

    subscription = db.session.scalar(select(Subscription))
    assert subscription.status == SubscriptionStatus.CONFIRMED
    assert subscription.languages == ["es"]
    smtp.clear()
    new = make_event(
        slug="next", status="draft", title={"es": "Próximo", "en": "Next", "fr": "Prochain"}
    )
    with unit_of_work():
        event_service.publish_event(new)
    dispatch_due()
    [notice] = [parse(raw.as_bytes()) for raw in smtp.messages]
    assert notice["Subject"] == "Nuevo evento: Próximo"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
