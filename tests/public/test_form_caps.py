"""The public form cannot be turned into a way of mailing someone's inbox: beyond a number of
messages an hour to one mailbox (sub-addresses folded) or of new registrations an hour from one
address, registrations are stored but their mail is held until an organiser lets it go."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due, expand_all
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage, Registration
from eventsvc.models.rate_limit import RateLimitCounter
from eventsvc.models.registration import mailbox_of as mailbox
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.clients import IsolatedClient


@pytest.fixture
def app_config():
    return {"MAILBOX_MESSAGES_PER_HOUR": 3, "REGISTRATIONS_PER_SOURCE_PER_HOUR": 4}


def _post(client, event, form_data, email, address="192.0.2.10"):
    return client.post(
        f"/en/events/{event.slug}/register",
        data=form_data(email=email, full_name="Click here: https://evil.example"),
        environ_base={"REMOTE_ADDR": address},
    )


def _welcome_statuses() -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.status)
            .where(OutboxMessage.kind == MessageKind.CONFIRMATION)
            .order_by(OutboxMessage.id)
        )
    )


def test_sub_addresses_are_folded_into_one_mailbox():
    assert mailbox("victim+7@example.org") == "victim@example.org"
    assert mailbox("victim@example.org") == "victim@example.org"
    assert mailbox("a+b+c@example.org") == "a@example.org"


def test_one_mailbox_gets_at_most_the_cap_an_hour_the_rest_is_stored_and_held(
    smtp_app, client, make_event, form_data, count_registrations, smtp
):
    event = make_event()
    answers = [
        _post(client, event, form_data, f"victim+{n}@example.org", address=f"192.0.2.{n}")
        for n in range(5)
    ]

    assert [answer.status_code for answer in answers] == [303] * 5
    assert count_registrations() == 5
    assert _welcome_statuses() == ["pending"] * 3 + ["held"] * 2
    dispatch_due()
    assert len(smtp.messages) == 3


def test_a_sub_address_lookalike_of_another_mailbox_is_not_counted(client, make_event, form_data):
    event = make_event()
    for n in range(3):
        _post(client, event, form_data, f"victim+{n}@example.org", address=f"192.0.2.{n}")
    _post(client, event, form_data, "victim2@example.org", address="192.0.2.9")
    _post(client, event, form_data, "victim+x@example.net", address="192.0.2.8")
    assert _welcome_statuses() == ["pending"] * 5


def test_the_mailbox_count_starts_again_after_an_hour(client, make_event, form_data, frozen_clock):
    event = make_event()
    for n in range(4):
        _post(client, event, form_data, f"victim+{n}@example.org", address=f"192.0.2.{n}")
    frozen_clock.advance(timedelta(minutes=61))
    _post(client, event, form_data, "victim+late@example.org", address="192.0.2.50")
    assert _welcome_statuses() == ["pending"] * 3 + ["held", "pending"]


def test_reminders_of_a_held_registration_are_held_too(client, make_event, form_data, frozen_clock):
    """The confirmation is held; the event's reminders leave out whoever has mail held."""
    event = make_event()
    for n in range(4):
        _post(client, event, form_data, f"victim+{n}@example.org", address=f"192.0.2.{n}")
    held = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.status == MessageStatus.HELD)
    ).all()
    assert sorted(held) == ["confirmation"]

    frozen_clock.set(event.starts_at - timedelta(minutes=59))
    expand_all()
    reminded = db.session.scalars(
        select(Registration.email)
        .join(OutboxMessage, OutboxMessage.registration_id == Registration.id)
        .where(OutboxMessage.kind == MessageKind.REMINDER)
    ).all()
    assert sorted(reminded) == [f"victim+{n}@example.org" for n in range(3)]


def test_one_source_beyond_its_new_registrations_an_hour_has_its_mail_held(
    client, make_event, form_data, count_registrations
):
    event = make_event()
    for n in range(6):
        assert _post(client, event, form_data, f"person{n}@example.org").status_code == 303
    assert count_registrations() == 6
    assert _welcome_statuses() == ["pending"] * 4 + ["held"] * 2
    _post(client, event, form_data, "someone.else@example.org", address="198.51.100.7")
    assert _welcome_statuses()[-1] == "pending"


def test_the_source_count_is_shared_by_every_worker_process(
    app, client, make_event, form_data, database_uri
):
    """A second app on the same database stands for another gunicorn worker."""
    event = make_event()
    for n in range(3):
        _post(client, event, form_data, f"person{n}@example.org")
    other = create_app(
        {
            **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "PUBLIC_BASE_URL")},
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "REGISTRATIONS_PER_SOURCE_PER_HOUR": 4,
        }
    )
    other.test_client_class = IsolatedClient
    try:
        with other.app_context():
            for n in range(3, 5):
                _post(other.test_client(), event, form_data, f"person{n}@example.org")
    finally:
        with other.app_context():
            db.engine.dispose()
    assert _welcome_statuses() == ["pending"] * 4 + ["held"]


def test_organiser_registrations_and_imports_are_not_capped(make_event, make_registration):
    event = make_event()
    for n in range(6):
        make_registration(event, email=f"victim+{n}@example.org")
    assert (
        db.session.scalar(select(func.count()).where(OutboxMessage.status == MessageStatus.HELD))
        == 0
    )


def test_a_registration_that_is_not_stored_is_not_counted_against_its_source(
    client, make_event, form_data, count_registrations
):
    """The source's count is written in the registration's own transaction: a registration
    refused under the lock (its option filled up) rolls the count back with it."""
    event = make_event()
    room = {
        "key": "room",
        "type": "single_choice",
        "label": {"en": "Room", "fr": "Salle"},
        "required": True,
        "choices": [{"key": "a", "label": {"en": "A", "fr": "A"}, "places": 1}],
    }
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [room])
    first = form_data(email="first@example.org", **{"q-room": "a"})
    assert client.post(f"/en/events/{event.slug}/register", data=first).status_code == 303
    for n in range(5):  # the option is full: each refused with 409, nothing stored
        data = form_data(email=f"late{n}@example.org", **{"q-room": "a"})
        assert client.post(f"/en/events/{event.slug}/register", data=data).status_code in (
            400,
            409,
        )
    assert count_registrations() == 1
    counted = db.session.scalar(
        select(RateLimitCounter.count).where(RateLimitCounter.key.like("new-registrations/%"))
    )
    assert counted == 1


@pytest.mark.parametrize(
    "app_config",
    [{"REGISTRATIONS_PER_SOURCE_PER_HOUR": 2, "RATELIMIT_STORAGE_URI": "memory://"}],
)
def test_the_source_count_is_kept_in_the_database_whatever_the_limits_storage(
    client, make_event, form_data
):
    """Request limits may live in Redis or a process's memory; the per-source cap is the
    registration service's rule and is counted with the registration, in its database."""
    event = make_event()
    for n in range(3):
        _post(client, event, form_data, f"person{n}@example.org")
    assert _welcome_statuses() == ["pending"] * 2 + ["held"]
    assert db.session.scalar(select(RateLimitCounter.count)) == 3
