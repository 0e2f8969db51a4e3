"""Who has a certificate, issuing it once, and checking a code (issue 18)."""

from datetime import timedelta

import pytest

from eventsvc.extensions import db
from eventsvc.models import Certificate
from eventsvc.services import DomainError, certificates, privacy, registrations
from eventsvc.unit_of_work import unit_of_work
from tests.certificate_helpers import mark_attended


@pytest.fixture
def event(make_event):
    return make_event(slug="gps")


@pytest.fixture
def people(event, make_registration, frozen_clock):
    came = make_registration(event, language="fr", full_name="Zoë Ñúñez")
    briefly = make_registration(event, language="es", full_name="Brief Visitor")
    stayed_home = make_registration(event, language="en", full_name="Absent Person")
    left = make_registration(event, language="en", full_name="Came Then Cancelled")
    mark_attended(came, 58)
    mark_attended(briefly, 5, attended=False)
    mark_attended(left, 58)
    with unit_of_work():
        registrations.cancel(left)
    frozen_clock.set(event.ends_at + timedelta(hours=1))
    return came, briefly, stayed_home, left


def test_only_those_who_attended_by_the_rule_get_one(app, people):
    came, briefly, stayed_home, left = people

    with unit_of_work():
        issued = certificates.issue(came)
    assert issued.full_name == "Zoë Ñúñez" and issued.minutes == 58
    for person in (briefly, stayed_home, left):
        with pytest.raises(DomainError), unit_of_work():
            certificates.issue(person)
    assert db.session.query(Certificate).count() == 1


def test_nobody_has_one_before_the_event_is_over(app, event, make_registration):
    person = make_registration(event)
    mark_attended(person)

    assert not certificates.attended(person)


def test_issuing_again_gives_the_same_certificate(app, people):
    came = people[0]
    with unit_of_work():
        first = certificates.issue(came).code
    with unit_of_work():
        second = certificates.issue(came).code

    assert first == second and len(first) == 16


def test_a_code_is_found_however_it_is_typed(app, people):
    with unit_of_work():
        code = certificates.issue(people[0]).code
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:12]}-{code[12:]} "

    assert certificates.verify(typed).code == code
    assert certificates.verify(code[:-1]) is None
    assert certificates.verify(code[:-1] + ("A" if code[-1] != "A" else "B")) is None
    assert certificates.verify("") is None


def test_codes_are_random(app, event, make_registration, frozen_clock):
    people = [make_registration(event) for _ in range(5)]
    for person in people:
        mark_attended(person)
    frozen_clock.set(event.ends_at + timedelta(hours=1))
    with unit_of_work():
        codes = [certificates.issue(person).code for person in people]

    assert len(set(codes)) == 5
    assert len({code[:6] for code in codes}) == 5  # no shared prefix, no counter


def test_an_erased_registration_no_longer_verifies(app, people):
    with unit_of_work():
        code = certificates.issue(people[0]).code
    with unit_of_work():
        privacy.erase_registration(people[0])

    assert certificates.verify(code) is None
    assert db.session.query(Certificate).count() == 0  # the name as issued is gone too
