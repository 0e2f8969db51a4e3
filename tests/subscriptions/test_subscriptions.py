"""Subscriptions to new events, end to end through the SMTP sink: double opt-in with no text from
the form, notices in the subscriber's language on publishing, the weekly digest, RFC 8058
one-click unsubscribe, preferences."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import (
    Broadcast,
    MessageKind,
    OutboxMessage,
    Subscription,
    SubscriptionStatus,
)
from eventsvc.services import events as event_service
from eventsvc.unit_of_work import unit_of_work
from tests.mail.reading import html_of, parse, text_of

EVIL = "http://evil.example"


def sent(smtp):
    return [parse(raw.as_bytes()) for raw in smtp.messages]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def subscribe(client, email="nadia@example.org", languages=("fr",), **extra):
    data = {"email": email, "languages": list(languages), "frequency": "each", **extra}
    return client.post("/fr/subscribe", data=data)


def confirmed(client, smtp, **kwargs) -> str:
    """Subscribe and confirm through the mail's link; returns the subscription page's path."""
    assert subscribe(client, **kwargs).status_code == 303
    dispatch_due()
    message = sent(smtp)[-1]
    confirm = re.search(r"(https?://\S+/confirm)\b", text_of(message)).group(1)
    assert client.post(path_of(confirm)).status_code == 303
    smtp.clear()
    return path_of(confirm).removesuffix("/confirm")


def publish(event):
    with unit_of_work():
        event_service.publish_event(event)
    dispatch_due()


def test_double_opt_in_mail_carries_nothing_from_the_form(smtp_app, smtp, client):
    smtp_app.config["PUBLIC_BASE_URL"] = "https://events.example.org"
    response = subscribe(client, email="nadia@example.org", website="")
    assert response.status_code == 303
    assert response.headers["Location"] == "/fr/subscribe/sent"
    subscription = db.session.scalar(select(Subscription))
    assert subscription.status == SubscriptionStatus.PENDING

    dispatch_due()

    [message] = sent(smtp)
    assert message["To"] == "nadia@example.org"
    assert message["Content-Language"] == "fr"
    body = text_of(message) + html_of(message)
    assert "nadia" not in body.replace("nadia@example.org", "")
    unsubscribe = message["List-Unsubscribe"]
    pattern = r"<https://events\.example\.org/fr/subscriptions/\d+\.[\w-]+/unsubscribe>"
    assert re.fullmatch(pattern, unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/fr/subscriptions/" in text_of(message)  # the preferences link


def test_opening_the_confirm_link_confirms_nothing_the_button_does(smtp_app, smtp, client):
    subscribe(client)
    dispatch_due()
    confirm = re.search(r"(https?://\S+/confirm)\b", text_of(sent(smtp)[0])).group(1)

    assert client.get(path_of(confirm)).status_code == 200
    assert db.session.scalar(select(Subscription)).status == SubscriptionStatus.PENDING
    assert client.post(path_of(confirm)).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Subscription)).status == SubscriptionStatus.CONFIRMED


def test_publishing_tells_matching_confirmed_subscribers_in_their_language(
    smtp_app, smtp, client, make_event, make_partner
):
    unesco = make_partner("UNESCO")
    other = make_partner("OTHER")
    confirmed(client, smtp, email="fr@example.org", languages=("fr",))
    confirmed(client, smtp, email="en@example.org", languages=("en", "fr"))
    confirmed(client, smtp, email="es@example.org", languages=("es",))
    confirmed(client, smtp, email="other@example.org", languages=("fr",), partners=[str(other.id)])
    subscribe(client, email="pending@example.org", languages=("fr",))
    dispatch_due()
    smtp.clear()
    event = make_event(
        slug="gps",
        status="draft",
        title={"fr": "Lancement", "en": "Launch"},
        partners=[unesco],
        interpretation_languages=["en"],
    )

    publish(event)

    by_address = {message["To"]: message for message in sent(smtp)}
    assert set(by_address) == {"fr@example.org", "en@example.org"}
    assert by_address["fr@example.org"]["Subject"] == "Nouvel événement\u00a0: Lancement"
    assert by_address["en@example.org"]["Subject"] == "New event: Launch"
    base = smtp_app.config["PUBLIC_BASE_URL"]
    assert f"{base}/en/events/gps" in text_of(by_address["en@example.org"])
    for message in by_address.values():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].endswith("/unsubscribe>")


def test_weekly_subscribers_get_one_digest_on_monday(
    smtp_app, smtp, client, make_event, frozen_clock
):
    confirmed(client, smtp, email="weekly@example.org", languages=("en",), frequency="weekly")
    first = make_event(slug="one", status="draft", title={"en": "First", "fr": "Un"})
    second = make_event(slug="two", status="draft", title={"en": "Second", "fr": "Deux"})
    publish(first)
    publish(second)
    assert sent(smtp) == []

    frozen_clock.advance(timedelta(days=2))  # Sunday 22 November 2026 -> Tuesday, past Monday
    dispatch_due()

    [digest] = sent(smtp)
    assert digest["Subject"] == "New events this week"
    assert "First" in text_of(digest) and "Second" in text_of(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_unsubscribe_is_a_post_without_csrf_and_immediate(
    app, smtp_app, smtp, client, make_event
):
    app.config["WTF_CSRF_ENABLED"] = True
    page = None
    app.config["WTF_CSRF_ENABLED"] = False
    page = confirmed(client, smtp, email="bye@example.org", languages=("en",))
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event(slug="gps", status="draft")
    with unit_of_work():
        event_service.publish_event(event)
    pending = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert pending == 1  # the confirmation request (sent); the notice is one row for everyone
    assert db.session.scalar(select(func.count(Broadcast.id)).where(_NOTICE)) == 1

    # What a mail client does (RFC 8058): POST the List-Unsubscribe URL, that body, no cookie.
    fresh = app.test_client(use_cookies=False)
    response = fresh.post(
        f"{page}/unsubscribe",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    dispatch_due()
    assert sent(smtp) == []
    # Twice, or with a link already dead: the same answer.
    assert fresh.post(f"{page}/unsubscribe").status_code == 200
    assert fresh.get(page).status_code == 404


_NOTICE = Broadcast.kind == MessageKind.NEW_EVENT_NOTICE


def test_a_forged_link_opens_nothing(client, smtp_app, smtp):
    page = confirmed(client, smtp)
    subscription_id = page.rsplit("/", 1)[1].split(".")[0]
    assert client.get(f"/fr/subscriptions/{subscription_id}.forged").status_code == 404
    assert client.post(f"/fr/subscriptions/{subscription_id}.forged/unsubscribe").status_code == 200
    assert db.session.scalar(select(func.count(Subscription.id))) == 1


def test_preferences_change_languages_and_frequency(client, smtp_app, smtp):
    page = confirmed(client, smtp, languages=("fr",))
    response = client.post(page, data={"languages": ["es", "en"], "frequency": "weekly"})
    assert response.status_code == 303
    db.session.expire_all()
    subscription = db.session.scalar(select(Subscription))
    assert subscription.languages == ["es", "en"]
    assert subscription.frequency == "weekly"


def test_typing_a_subscribed_address_again_changes_nothing(client, smtp_app, smtp):
    confirmed(client, smtp, email="nadia@example.org", languages=("fr",))
    assert subscribe(client, email="nadia@example.org", languages=("es",)).status_code == 303
    db.session.expire_all()
    subscription = db.session.scalar(select(Subscription))
    assert (subscription.status, subscription.languages) == ("confirmed", ["fr"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not an address", "languages": ["fr"]}, "email"),
        ({"email": "a@example.org"}, "languages"),
        ({"email": "a@example.org", "languages": ["xx"]}, "languages"),
        ({"email": "a@example.org", "languages": ["fr"], "partners": ["999"]}, "partners"),
        ({"email": "a@example.org", "languages": ["fr"], "frequency": "daily"}, "frequency"),
    ],
)
def test_bad_input_is_shown_beside_its_field(client, data, field):
    response = client.post("/fr/subscribe", data=data)
    assert response.status_code == 400
    assert f'id="{field}' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Subscription.id))) == 0


def test_the_honeypot_subscribes_nobody(client):
    response = subscribe(client, website=EVIL)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Subscription.id))) == 0


def test_repeated_requests_send_one_confirmation_per_interval(client, smtp_app, smtp):
    for _ in range(3):
        subscribe(client)
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == [MessageKind.SUBSCRIPTION_CONFIRM]


def test_an_event_created_or_edited_into_published_is_announced_once(
    smtp_app, smtp, client, event_data
):
    from dataclasses import replace

    from eventsvc.models import Event

    confirmed(client, smtp, email="fr@example.org", languages=("fr",))
    with unit_of_work():
        event_service.create_event(replace(event_data(), slug="direct", status="published"))
    with unit_of_work():
        draft = event_service.create_event(replace(event_data(), slug="edited", status="draft"))
    draft = db.session.get(Event, draft.id)
    with unit_of_work():
        event_service.update_event(draft, replace(event_data(), slug="edited", status="published"))
    dispatch_due()
    notices = [m for m in sent(smtp) if m["Subject"].startswith("Nouvel")]
    assert len(notices) == 2
