"""Every subscription kind builds a complete message in every language, with the RFC 8058
headers and nothing from the form but the address."""

import pytest

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.models import Frequency, MessageKind, OutboxMessage, Subscription
from eventsvc.models.outbox import SUBSCRIPTION_KINDS
from eventsvc.services import outbox
from tests.mail.reading import html_of, parse, text_of


@pytest.mark.parametrize("kind", sorted(SUBSCRIPTION_KINDS))
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_subscription_kind_builds(app, make_event, kind, language):
    app.config["PUBLIC_BASE_URL"] = "https://events.example.org"
    event = make_event(slug="gps")
    subscription = Subscription(
        email="kofi@example.org",
        email_normalised="kofi@example.org",
        languages=[language],
        partner_ids=[],
        frequency=Frequency.EACH,
        status="confirmed",
    )
    db.session.add(subscription)
    db.session.flush()
    row = OutboxMessage(
        kind=kind,
        subscription=subscription,
        event_id=event.id if kind == MessageKind.NEW_EVENT_NOTICE else None,
        payload={"events": [event.id]} if kind == MessageKind.DIGEST else {},
        message_id=outbox.new_message_id(),
    )
    db.session.add(row)
    db.session.commit()

    message = parse(messages.build(row).as_bytes())

    assert message["To"].addresses[0].addr_spec == "kofi@example.org"
    assert message["To"].addresses[0].display_name == ""
    assert message["Content-Language"] == language
    assert message["List-Unsubscribe"].startswith("<https://events.example.org/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for body in (text_of(message), html_of(message)):
        assert "/subscriptions/" in body  # preferences and unsubscribe links
        assert "OMEP events" in body
    if kind != MessageKind.SUBSCRIPTION_CONFIRM:
        assert "https://events.example.org/" + language + "/events/gps" in text_of(message)
