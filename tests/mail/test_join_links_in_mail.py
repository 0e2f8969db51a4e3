"""Every message to a registrant carries their personal join link, never the meeting's raw
address (issue 18): in the text, the HTML and the attached invite, in every language and for
every kind of message."""

import pytest
from bs4 import BeautifulSoup

from eventsvc.models import MessageKind
from eventsvc.models.outbox import ORGANISER_KINDS
from eventsvc.urls import join_url
from tests.mail.reading import html_of, text_of, vevent_of
from tests.mail.test_messages import payload_for

MEETING = "https://meet.example.org/secret-room"
WITH_JOIN = [
    MessageKind.CONFIRMATION,
    MessageKind.PROMOTED,
    MessageKind.REMINDER,
    MessageKind.EVENT_UPDATED,
]


@pytest.mark.parametrize("kind", [kind for kind in MessageKind if kind not in ORGANISER_KINDS])
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_no_message_carries_the_meeting_address(
    make_event, make_registration, built, kind, language
):
    event = make_event(online_url=MEETING)
    registration = make_registration(event, language=language)

    message = built(kind, registration, **payload_for(kind, registration, event))

    assert b"secret-room" not in message.as_bytes()
    if kind in WITH_JOIN:
        for body in (text_of(message), html_of(message)):
            assert join_url(registration) in body
        button = BeautifulSoup(html_of(message), "html.parser").select_one("a.join-button")
        assert button["href"] == join_url(registration)
        vevent = vevent_of(message)
        assert vevent["LOCATION"] == vevent["URL"] == join_url(registration)


def test_a_changed_meeting_address_is_announced_with_the_same_personal_link(
    make_event, make_registration, built
):
    event = make_event(online_url=MEETING)
    registration = make_registration(event, language="fr")

    message = built(MessageKind.EVENT_UPDATED, registration, changes=["link"])

    assert (
        "L’adresse de la réunion a changé. Votre lien personnel pour participer reste le même "
        f"et mène à la nouvelle\u00a0: {join_url(registration)}"
    ) in text_of(message)
    assert b"secret-room" not in message.as_bytes()


def test_each_registrant_gets_their_own_link_from_the_shared_body(
    make_event, make_registration, built
):
    event = make_event(online_url=MEETING)
    first, second = make_registration(event), make_registration(event)

    one = text_of(built(MessageKind.CONFIRMATION, first))
    two = text_of(built(MessageKind.CONFIRMATION, second))

    assert join_url(first) in one and join_url(second) not in one
    assert join_url(second) in two and join_url(first) not in two
