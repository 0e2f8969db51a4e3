"""The attendee list: search, filters, pagination, and promote / cancel from the list."""

import re

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage, RegistrationStatus

URL = "/organiser/events/gps-launch/registrations"


def listed_ids(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="registration-(\d+)"', response.get_data(as_text=True))]


def queued(registration, kind) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.kind == kind,
                OutboxMessage.status == MessageStatus.PENDING,
            )
        )
    )


@pytest.fixture
def event(make_event):
    return make_event(slug="gps-launch", capacity=2, interpretation_languages=("en", "es"))


@pytest.fixture
def people(event, make_registration):
    return {
        "elodie": make_registration(
            event, full_name="Élodie Pérez", organisation="OMEP France", country="FR"
        ),
        "juergen": make_registration(
            event,
            full_name="Jürgen Müller",
            email="JM@Example.org",
            language="en",
            country="DE",
            interpretation_language="en",
        ),
        "anna": make_registration(
            event,
            full_name="Анна Кузнецова",
            organisation="UNESCO",
            country="RU",
            interpretation_language="es",
        ),
    }


def test_list_shows_everyone_oldest_first(signed_in, people):
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert listed_ids(response) == [p.id for p in people.values()]
    assert "Анна Кузнецова" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pérez", ["elodie"]),
        ("PÉREZ", ["elodie"]),
        ("müller", ["juergen"]),
        ("jm@example", ["juergen"]),
        ("unesco", ["anna"]),
        ("кузнецова", ["anna"]),
        ("omep", ["elodie"]),
        ("50%", []),
    ],
)
def test_search_matches_name_email_or_organisation_ignoring_case(
    signed_in, people, query, expected
):
    response = signed_in.get(URL, query_string={"q": query})
    assert listed_ids(response) == [people[key].id for key in expected]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"status": "waitlisted"}, ["anna"]),
        ({"status": "confirmed"}, ["elodie", "juergen"]),
        ({"language": "en"}, ["juergen"]),
        ({"interpretation": "es"}, ["anna"]),
        ({"interpretation": "no-preference"}, ["elodie"]),
        ({"country": "DE"}, ["juergen"]),
        ({"country": "FR", "status": "waitlisted"}, []),
        ({"status": "bogus"}, ["elodie", "juergen", "anna"]),
    ],
)
def test_filters(signed_in, people, args, expected):
    response = signed_in.get(URL, query_string=args)
    assert response.status_code == 200
    assert listed_ids(response) == [people[key].id for key in expected]


def test_pages_of_fifty_keep_the_filters_in_their_links(signed_in, event, make_registration):
    event.capacity = None
    db.session.commit()
    ids = [make_registration(event, language="en").id for _ in range(120)]
    first = signed_in.get(URL, query_string={"language": "en"})
    assert listed_ids(first) == ids[:50]
    html = first.get_data(as_text=True)
    assert 'href="/organiser/events/gps-launch/registrations?page=2&amp;language=en"' in html
    third = signed_in.get(URL, query_string={"language": "en", "page": 3})
    assert listed_ids(third) == ids[100:]
    assert signed_in.get(URL, query_string={"page": 99}).status_code == 200


def test_promote_from_the_list_confirms_and_queues_the_promotion_mail(signed_in, people):
    anna = people["anna"]
    response = signed_in.post(f"{URL}/{anna.id}/promote", data={"next": URL + "?status=waitlisted"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/registrations?status=waitlisted")
    db.session.refresh(anna)
    assert anna.status == RegistrationStatus.CONFIRMED
    assert len(queued(anna, MessageKind.PROMOTED)) == 1
    assert queued(anna, MessageKind.REMINDER)


def test_promoting_a_confirmed_person_is_refused_with_a_message(signed_in, people):
    response = signed_in.post(f"{URL}/{people['elodie'].id}/promote", follow_redirects=True)
    assert "Only a registration on the waitlist can be promoted." in response.get_data(as_text=True)


def test_cancel_asks_for_confirmation_first(signed_in, people):
    elodie = people["elodie"]
    page = signed_in.get(f"{URL}/{elodie.id}/cancel")
    assert page.status_code == 200
    assert "Cancel this registration" in page.get_data(as_text=True)
    db.session.refresh(elodie)
    assert elodie.status == RegistrationStatus.CONFIRMED


def test_cancel_sends_the_cancellation_and_promotes_the_waitlist(signed_in, people):
    elodie, anna = people["elodie"], people["anna"]
    response = signed_in.post(f"{URL}/{elodie.id}/cancel", data={"next": URL})
    assert response.status_code == 303
    db.session.refresh(elodie)
    db.session.refresh(anna)
    assert elodie.status == RegistrationStatus.CANCELLED
    assert len(queued(elodie, MessageKind.REGISTRATION_CANCELLED)) == 1
    assert not queued(elodie, MessageKind.REMINDER)
    assert anna.status == RegistrationStatus.CONFIRMED
    assert len(queued(anna, MessageKind.PROMOTED)) == 1


def test_a_registration_of_another_event_is_not_found(
    signed_in, people, make_event, make_registration
):
    other = make_registration(make_event(slug="other"))
    assert signed_in.post(f"{URL}/{other.id}/cancel").status_code == 404
    assert signed_in.get(f"{URL}/{other.id}/erase").status_code == 404


def test_next_pointing_elsewhere_returns_to_the_list(signed_in, people):
    response = signed_in.post(
        f"{URL}/{people['anna'].id}/promote", data={"next": "https://evil.test/"}
    )
    assert response.headers["Location"].endswith(URL)


def test_list_answers_in_a_fixed_number_of_queries(signed_in, event, make_registration, app):
    from sqlalchemy import event as sa_event

    event.capacity = None
    db.session.commit()
    for _ in range(30):
        make_registration(event)
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        signed_in.get(URL)
        few = len(statements)
        for _ in range(30):
            make_registration(event)
        statements.clear()
        signed_in.get(URL)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == few
