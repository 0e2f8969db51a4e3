"""Sign-in throttling that an outsider cannot turn against the account's owner.

Failures are counted per (typed address, client address) and per client address, in the
database, so that every worker sees them; the owner at another address is never locked out.
"""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, OutboxMessage, SignInFailure
from eventsvc.unit_of_work import unit_of_work
from tests.factories import PASSWORD

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def sign_in_from(client, source, email, password=PASSWORD):
    return client.post(
        "/organiser/login",
        data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": source},
    )


def test_failures_elsewhere_never_lock_the_owner_out(app, client, organiser_account):
    for _ in range(12):
        sign_in_from(client, ATTACKER, organiser_account.email, "wrong")

    throttled = sign_in_from(client, ATTACKER, organiser_account.email)
    assert "Too many attempts" in throttled.text  # even the right password, from there

    owner = app.test_client()
    assert sign_in_from(owner, OWNER, organiser_account.email).status_code == 302


def test_throttle_lifts_after_the_window(client, organiser_account, frozen_clock):
    for _ in range(5):
        assert "not right" in sign_in_from(client, ATTACKER, organiser_account.email, "x").text
    assert "try again in 15 minutes" in sign_in_from(client, ATTACKER, organiser_account.email).text

    frozen_clock.advance(timedelta(minutes=10))
    assert "try again in 5 minutes" in sign_in_from(client, ATTACKER, organiser_account.email).text
    frozen_clock.advance(timedelta(minutes=5, seconds=1))
    assert sign_in_from(client, ATTACKER, organiser_account.email).status_code == 302


def test_one_source_trying_many_addresses_is_throttled(app, client, organiser_account):
    app.config["SIGN_IN_FAILURES_PER_SOURCE"] = 8
    for n in range(8):
        sign_in_from(client, ATTACKER, f"guess{n}@example.org", "wrong")

    assert "Too many attempts" in sign_in_from(client, ATTACKER, organiser_account.email).text
    assert sign_in_from(app.test_client(), OWNER, organiser_account.email).status_code == 302


def test_failures_are_stored_in_the_database_for_every_worker(client, organiser_account):
    sign_in_from(client, ATTACKER, "Olga@Example.org", "wrong")

    failure = db.session.scalar(select(SignInFailure))
    assert (failure.account, failure.source) == ("olga@example.org", ATTACKER)


def test_success_forgets_the_failures_from_that_source(client, organiser_account):
    for _ in range(4):
        sign_in_from(client, OWNER, organiser_account.email, "typo")
    assert sign_in_from(client, OWNER, organiser_account.email).status_code == 302
    client.post("/organiser/logout")

    for _ in range(4):
        assert "not right" in sign_in_from(client, OWNER, organiser_account.email, "typo").text


def test_admin_lifts_the_limits(app, admin, organiser_account):
    attacker = app.test_client()
    for _ in range(5):
        sign_in_from(attacker, ATTACKER, organiser_account.email, "wrong")
    page = admin.get("/organiser/organisers").text
    assert "5 recent failed sign-ins" in page

    admin.post(f"/organiser/organisers/{organiser_account.id}/unlock")

    assert sign_in_from(attacker, ATTACKER, organiser_account.email).status_code == 302


@pytest.mark.parametrize("throttled", [False, True])
def test_known_and_unknown_addresses_take_the_same_time(app, client, organiser_account, throttled):
    """The hash is checked in every case: an unknown address is no faster, throttled or not."""
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    from eventsvc.services import organisers

    with unit_of_work():
        organisers.update_account(organiser_account, password=PASSWORD)
    if throttled:
        for email in (organiser_account.email, "ghost@example.org"):
            for _ in range(5):
                sign_in_from(client, ATTACKER, email, "wrong")

    def timing(email):
        started = time.perf_counter()
        sign_in_from(client, ATTACKER, email, "wrong")
        return time.perf_counter() - started

    known = min(timing(organiser_account.email) for _ in range(5))
    unknown = min(timing("ghost@example.org") for _ in range(5))
    assert unknown > 0.03  # scrypt ran for the address without an account
    assert abs(known - unknown) < 0.5 * max(known, unknown)


def test_owner_is_mailed_once_about_repeated_failures(
    app, smtp_app, smtp, client, organiser_account
):
    app.config["SIGN_IN_NOTICE_AFTER"] = 6
    for n in range(3):
        for _ in range(4):
            sign_in_from(client, f"203.0.113.{n}", organiser_account.email, "wrong")

    notices = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.SIGN_IN_FAILURES)
    ).all()
    assert len(notices) == 1
    assert notices[0].organiser_id == organiser_account.id
    dispatch_due(batch_size=10)

    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"].addresses[0].addr_spec == organiser_account.email
    assert mail["Subject"] == "Failed sign-ins on your organiser account"
    text = mail.get_body(("plain",)).get_content()
    assert "6 failed attempts" in text
    assert "http://events.test/organiser/account" in text


def test_unknown_addresses_mail_nobody(client, organiser_account):
    for _ in range(12):
        sign_in_from(client, ATTACKER, "ghost@example.org", "wrong")

    assert db.session.scalar(select(OutboxMessage.id)) is None
