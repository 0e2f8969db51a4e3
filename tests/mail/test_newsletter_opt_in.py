"""Newsletter consent by double opt-in: the form records the request; a separate mail with no
text from the registrant carries the confirm link; only a confirmed address is subscribed."""

import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, OutboxMessage, Registration
from eventsvc.services import exports
from eventsvc.unit_of_work import unit_of_work
from tests.mail.reading import parse

NAME = "Click http://evil.example now"


@pytest.fixture
def post(client, make_event):
    make_event(slug="gps")

    def send(lang="en", **overrides):
        data = {
            "full_name": NAME,
            "email": "nadia@example.org",
            "country": "SN",
            "language": lang,
            "consent": "y",
            "newsletter": "y",
            **overrides,
        }
        return client.post(f"/{lang}/events/gps/register", data=data)

    return send


def _newsletter_mail(smtp):
    (message,) = [
        parse(raw.as_bytes())
        for raw in smtp.messages
        if "news" in str(raw["Subject"]) or "actualités" in str(raw["Subject"])
    ]
    return message


def _bodies(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_ticking_the_box_subscribes_no_one_and_sends_a_separate_confirmation_mail(
    smtp_app, smtp, post
):
    assert post().status_code == 303
    registration = db.session.scalar(select(Registration))
    assert registration.newsletter is True
    assert registration.newsletter_confirmed_at is None

    dispatch_due()

    message = _newsletter_mail(smtp)
    assert message["To"].addresses[0].display_name == ""
    assert message["To"].addresses[0].addr_spec == "nadia@example.org"
    text, html = _bodies(message)
    for body in (text, html):
        assert "evil.example" not in body and "Click" not in body
    (link,) = re.findall(r"https?://\S+/newsletter", text)
    assert (
        link in BeautifulSoup(html, "html.parser").find("a", href=re.compile("newsletter"))["href"]
    )


def test_without_the_box_no_newsletter_mail_is_queued(post):
    post(newsletter="")
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert MessageKind.NEWSLETTER_CONFIRM not in kinds


def test_opening_the_link_asks_and_only_the_button_confirms(smtp_app, smtp, client, post):
    post()
    dispatch_due()
    text, _html = _bodies(_newsletter_mail(smtp))
    path = re.search(r"https?://[^/]+(/\S+/newsletter)", text).group(1)

    page = client.get(path)
    assert page.status_code == 200
    registration = db.session.scalar(select(Registration))
    db.session.refresh(registration)
    assert registration.newsletter_confirmed_at is None

    confirmed = client.post(path)
    assert "you will receive our news" in confirmed.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.newsletter_confirmed_at is not None


def test_the_french_mail_and_page_speak_french(smtp_app, smtp, client, post):
    post(lang="fr")
    dispatch_due()
    message = _newsletter_mail(smtp)
    text, _html = _bodies(message)
    assert "Bonjour," in text
    path = re.search(r"https?://[^/]+(/\S+/newsletter)", text).group(1)
    assert "Confirmez" in client.get(path).get_data(as_text=True)


def test_a_registration_without_the_request_has_no_newsletter_page(client, make_event):
    from eventsvc.services.inputs.registration import RegistrationInput
    from eventsvc.services.registrations import register
    from eventsvc.services.tokens import make_token

    event = make_event()
    with unit_of_work():
        registration = register(
            event, RegistrationInput(full_name="A", email="a@example.org", language="en")
        ).registration
    assert client.get(f"/en/registrations/{make_token(registration)}/newsletter").status_code == 404


def test_exports_show_the_request_and_the_confirmation_apart(client, post):
    post()
    registration = db.session.scalar(select(Registration))
    header = exports.header("en")
    asked, confirmed = (
        header.index("Newsletter asked for"),
        header.index("Newsletter confirmed at (UTC)"),
    )
    (row,) = list(exports.registration_rows(registration.event_id))[1:]
    assert (row[asked], row[confirmed]) == ("yes", "")
    from eventsvc.services.registrations import confirm_newsletter

    with unit_of_work():
        confirm_newsletter(registration)
    (row,) = list(exports.registration_rows(registration.event_id))[1:]
    assert row[asked] == "yes" and row[confirmed].endswith("Z")
