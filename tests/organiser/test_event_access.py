"""Per-event access: admins see every event; other organisers only those assigned to them
(the creator is assigned), with their attendees, exports, erasure and announcements. Every
export and erasure is in the audit log with who, when and which event."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, EventAssignment
from eventsvc.services import organisers
from eventsvc.unit_of_work import unit_of_work
from tests.factories import PASSWORD, sign_in


@pytest.fixture
def colleague(app):
    """A second plain organiser, signed in; not assigned to anything."""
    with unit_of_work():
        account = organisers.create_organiser(
            organisers.NewOrganiser(email="cleo@example.org", password=PASSWORD, name="Cléo")
        )
    client = app.test_client()
    assert sign_in(client, account.email).status_code == 302
    client.account = account
    return client


@pytest.fixture
def theirs(organiser, make_event, make_registration):
    """An event assigned to Olga (the ``organiser`` fixture), with one registration."""
    event = make_event(slug="olgas-event")
    registration = make_registration(event, email="ana@example.org")
    return event, registration


def urls(event, registration):
    base = f"/organiser/events/{event.slug}"
    return [
        base,
        f"{base}/edit",
        f"{base}/registrations",
        f"{base}/registrations.csv",
        f"{base}/registrations.xlsx",
        f"{base}/stats",
        f"{base}/announce",
        f"{base}/registrations/{registration.id}/erase",
    ]


def test_an_unassigned_organiser_sees_nothing_of_the_event(colleague, theirs):
    event, registration = theirs

    for url in urls(event, registration):
        assert colleague.get(url).status_code == 404, url
    erase = colleague.post(f"/organiser/events/{event.slug}/registrations/{registration.id}/erase")
    assert erase.status_code == 404
    assert event.slug not in colleague.get("/organiser/events").text
    assert event.slug not in colleague.get("/organiser/").text


def test_the_assigned_organiser_and_admins_see_it(organiser, admin, theirs):
    event, registration = theirs

    for client in (organiser, admin):
        for url in urls(event, registration):
            assert client.get(url).status_code == 200, url
        assert event.slug in client.get("/organiser/events").text


def test_the_creator_is_assigned(colleague):
    from tests.organiser.test_events import event_form

    colleague.post("/organiser/events/new", data=event_form())

    assigned = db.session.scalars(select(EventAssignment)).all()
    assert [(a.organiser_id) for a in assigned] == [colleague.account.id]
    assert colleague.get("/organiser/events/gps-launch").status_code == 200


def test_assignment_on_the_event_page_opens_the_event(organiser, colleague, theirs):
    event, _registration = theirs
    page = organiser.get(f"/organiser/events/{event.slug}").text
    assert "Organisers of this event" in page
    assert "cleo@example.org" in page  # offered

    organiser.post(
        f"/organiser/events/{event.slug}/assignees", data={"organiser_id": colleague.account.id}
    )
    assert colleague.get(f"/organiser/events/{event.slug}/registrations").status_code == 200

    organiser.post(
        f"/organiser/events/{event.slug}/assignees/remove",
        data={"organiser_id": colleague.account.id},
    )
    assert colleague.get(f"/organiser/events/{event.slug}/registrations").status_code == 404


def test_an_unassigned_organiser_cannot_assign_themselves(colleague, theirs):
    event, _registration = theirs

    response = colleague.post(
        f"/organiser/events/{event.slug}/assignees", data={"organiser_id": colleague.account.id}
    )

    assert response.status_code == 404
    assert colleague.get(f"/organiser/events/{event.slug}").status_code == 404


def audit_entries(event, action):
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.event_id == event.id, AuditEntry.action == action)
        .order_by(AuditEntry.id)  # PostgreSQL returns rows in no set order without it
    ).all()


def test_every_export_is_in_the_audit_log(organiser, organiser_account, theirs, frozen_clock):
    event, _registration = theirs

    organiser.get(f"/organiser/events/{event.slug}/registrations.csv")
    organiser.get(f"/organiser/events/{event.slug}/registrations.xlsx")

    entries = audit_entries(event, "registrations_exported")
    assert [entry.details["format"] for entry in entries] == ["csv", "xlsx"]
    assert {entry.organiser_id for entry in entries} == {organiser_account.id}
    assert {entry.created_at for entry in entries} == {frozen_clock.now}
    assert "Registrations exported" in organiser.get(f"/organiser/events/{event.slug}").text


def test_every_erasure_is_in_the_audit_log(organiser, organiser_account, theirs):
    event, registration = theirs

    organiser.post(f"/organiser/events/{event.slug}/registrations/{registration.id}/erase")

    [entry] = audit_entries(event, "registration_erased")
    assert entry.organiser_id == organiser_account.id
    assert entry.details["registration_id"] == registration.id


def test_assigning_twice_changes_nothing(admin, admin_account, organiser_account, theirs):
    event, _registration = theirs

    for _ in range(2):
        response = admin.post(
            f"/organiser/events/{event.slug}/assignees", data={"organiser_id": admin_account.id}
        )
        assert response.status_code == 302

    assigned = db.session.scalars(select(EventAssignment.organiser_id)).all()
    assert sorted(assigned) == sorted([admin_account.id, organiser_account.id])


def test_mail_failures_on_the_dashboard_follow_the_assignment(
    smtp_app, smtp, organiser, colleague, admin, theirs
):
    from eventsvc.mail.dispatcher import dispatch_due

    smtp.refuse("ana@example.org")
    dispatch_due(batch_size=10)

    assert "ana@example.org" in organiser.get("/organiser/").text
    assert "ana@example.org" in admin.get("/organiser/").text
    assert "ana@example.org" not in colleague.get("/organiser/").text


@pytest.mark.parametrize("organiser_id", ["", "x", "²", "1" * 30])
def test_a_bad_organiser_id_is_a_bad_request_not_a_500(admin, theirs, organiser_id):
    event, _registration = theirs
    for action in ("assignees", "assignees/remove"):
        response = admin.post(
            f"/organiser/events/{event.slug}/{action}", data={"organiser_id": organiser_id}
        )
        assert response.status_code == 400
