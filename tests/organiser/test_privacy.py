"""Erasing one registrant's personal data, and purging past events' registrations."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail import transport
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import AuditEntry, MessageStatus, OutboxMessage, RegistrationStatus
from eventsvc.services import stats
from eventsvc.services.privacy import ERASED_NAME, erase_registration, parse_age
from eventsvc.unit_of_work import unit_of_work

URL = "/organiser/events/gps-launch/registrations"


def pending_for(registration) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.status == MessageStatus.PENDING,
            )
        )
    )


def test_erase_from_the_list_keeps_counts_and_drops_pending_mail(
    signed_in, organiser_account, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    person = make_registration(
        event,
        full_name="Élodie Pérez",
        organisation="OMEP",
        country="FR",
        question_for_speakers="Will slides be shared?",
        interpretation_language="en",
        newsletter=True,
    )
    before = (stats.status_counts(event.id), stats.breakdown(event.id, "country"))
    assert pending_for(person)

    assert signed_in.get(f"{URL}/{person.id}/erase").status_code == 200
    response = signed_in.post(f"{URL}/{person.id}/erase", data={"next": URL})
    assert response.status_code == 303

    db.session.refresh(person)
    assert person.full_name == ERASED_NAME
    assert person.email == f"erased-{person.id}@invalid"
    assert (person.organisation, person.question_for_speakers, person.newsletter) == ("", "", False)
    assert person.anonymised_at is not None
    assert (person.status, person.country, person.language) == (
        RegistrationStatus.CONFIRMED,
        "FR",
        "fr",
    )
    assert person.interpretation_language == "en"
    assert (stats.status_counts(event.id), stats.breakdown(event.id, "country")) == before
    assert not pending_for(person)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration_erased"))
    assert entry.organiser_id == organiser_account.id
    assert entry.details == {"registration_id": person.id}
    assert "Élodie" not in signed_in.get(URL).get_data(as_text=True)


def test_erased_registrant_is_no_longer_found_by_name(signed_in, make_event, make_registration):
    event = make_event(slug="gps-launch")
    person = make_registration(event, full_name="Élodie Pérez")
    with unit_of_work():
        erase_registration(person)
    assert f'id="registration-{person.id}"' not in signed_in.get(
        URL, query_string={"q": "Élodie"}
    ).get_data(as_text=True)


def test_purge_anonymises_only_events_ended_long_enough_ago(
    runner, frozen_clock, make_event, make_registration
):
    old = make_event(start="2026-03-01T10:00", end="2026-03-01T11:00")
    recent = make_event(start="2026-10-01T10:00", end="2026-10-01T11:00")
    upcoming = make_event()
    frozen_clock.set(old.starts_at - timedelta(days=10))
    old_people = [make_registration(old, country="SN") for _ in range(3)]
    frozen_clock.set(recent.starts_at - timedelta(days=10))
    recent_person = make_registration(recent)
    frozen_clock.advance(timedelta(days=60))
    upcoming_person = make_registration(upcoming)

    result = runner.invoke(args=["purge-registrations", "--older-than", "180d"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 3 registration(s)" in result.output

    for person in old_people:
        db.session.refresh(person)
        assert person.full_name == ERASED_NAME
        assert person.email == f"erased-{person.id}@invalid"
        assert person.country == "SN"
        assert person.anonymised_at is not None
    for person in (recent_person, upcoming_person):
        db.session.refresh(person)
        assert person.full_name != ERASED_NAME
        assert person.anonymised_at is None
    assert stats.status_counts(old.id)[RegistrationStatus.CONFIRMED] == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registrations_purged"))
    assert (entry.event_id, entry.details["count"]) == (old.id, 3)

    again = runner.invoke(args=["purge-registrations", "--older-than", "180d"])
    assert "Anonymised 0 registration(s)" in again.output


def test_purge_refuses_a_malformed_age(runner):
    result = runner.invoke(args=["purge-registrations", "--older-than", "soon"])
    assert result.exit_code != 0
    assert "--older-than" in result.output


@pytest.mark.parametrize(("text", "days"), [("180d", 180), ("26w", 182), ("30", 30)])
def test_parse_age(text, days):
    assert parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "0d", "-5d", "3m", "d"])
def test_parse_age_refuses(text):
    with pytest.raises(ValueError):
        parse_age(text)


# --- the instance mail folder -------------------------------------------------------------------


def _mail_files_naming(text: str) -> list[str]:
    folder = transport.mail_folder()
    return sorted(p.name for p in folder.glob("*.eml") if text in p.read_text(errors="replace"))


def test_erasure_removes_the_persons_eml_files_and_no_one_elses(app, make_event, make_registration):
    event = make_event()
    erased = make_registration(event, full_name="Zeynep Kaya", email="zeynep@example.org")
    kept = make_registration(event, full_name="Tomás Ruiz", email="tomas@example.org")
    dispatch_due()  # no MAIL_SERVER: written to instance/mail/
    assert _mail_files_naming("zeynep@example.org")
    assert _mail_files_naming("tomas@example.org")

    with unit_of_work():
        erased_ids = erase_registration(erased)
    transport.remove_copies(erased_ids)

    assert _mail_files_naming("zeynep@example.org") == []
    assert _mail_files_naming("Zeynep") == []
    assert len(_mail_files_naming("tomas@example.org")) == 1
    assert kept.anonymised_at is None


def test_erasing_from_the_list_removes_the_persons_eml_files(
    signed_in, organiser_account, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    erased = make_registration(event, full_name="Zeynep Kaya", email="zeynep@example.org")
    make_registration(event, full_name="Tomás Ruiz", email="tomas@example.org")
    dispatch_due()
    assert _mail_files_naming("zeynep@example.org")

    response = signed_in.post(f"{URL}/{erased.id}/erase", data={"next": URL})

    assert response.status_code in (302, 303)
    assert _mail_files_naming("zeynep@example.org") == []
    assert len(_mail_files_naming("tomas@example.org")) == 1


def test_the_retention_purge_removes_eml_files_of_the_events_it_purges(
    app, runner, make_event, make_registration, frozen_clock
):
    old = make_event(start="2026-11-22T13:30", end="2026-11-22T14:30")
    recent = make_event()
    make_registration(old, email="old@example.org")
    make_registration(recent, email="recent@example.org")
    dispatch_due()
    frozen_clock.advance(timedelta(days=40))

    result = runner.invoke(args=["purge-registrations", "--older-than", "30d"])

    assert result.exit_code == 0, result.output
    assert _mail_files_naming("old@example.org") == []
    assert len(_mail_files_naming("recent@example.org")) == 1
