"""Creating, editing, publishing, cancelling and previewing events from the workspace."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import expand_all
from eventsvc.models import (
    AuditEntry,
    Event,
    EventStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
)
from eventsvc.services import broadcasts


def event_form(**changes) -> dict:
    """The new-event form as an organiser fills it: the GPS launch in both languages."""
    form = {
        "slug": "gps-launch",
        "en-title": "Launch of the Global Partnership Strategy",
        "en-summary": "An online launch with UNESCO and ECDAN.",
        "en-description": "Five **strategies**.",
        "fr-title": "Lancement de la Stratégie de partenariat mondial",
        "fr-summary": "Un lancement en ligne avec l’UNESCO et l’ECDAN.",
        "fr-description": "Cinq **stratégies**.",
        "timezone": "Europe/Paris",
        "start": "2026-12-06T13:30",
        "end": "2026-12-06T14:30",
        "floor_language": "fr",
        "interpretation_languages": ["en", "fr"],
        "capacity": "",
        "registration_closes": "",
        "online_url": "https://meet.example.org/gps",
        "partners-0": "",
        "partners-1": "",
        "partners-2": "",
    }
    form.update(changes)
    return form


def stored(slug: str) -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def queued(kind: MessageKind) -> list[OutboxMessage]:
    expand_all()  # the rows the worker writes for messages to many that are due
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.status == MessageStatus.PENDING
            )
        )
    )


def test_new_event_form_shows_both_languages_side_by_side(organiser):
    page = organiser.get("/organiser/events/new")

    assert page.status_code == 200
    for name in ("en-title", "fr-title", "en-summary", "fr-summary", "en-description"):
        assert f'name="{name}"' in page.text
    assert 'type="datetime-local"' in page.text
    assert 'class="locale-columns"' in page.text


def test_create_event_in_both_languages_as_a_draft(organiser, make_partner):
    make_partner("UNESCO")
    make_partner("ECDAN")

    response = organiser.post(
        "/organiser/events/new", data=event_form(**{"partners-0": "UNESCO", "partners-1": "ECDAN"})
    )

    assert response.status_code == 302
    event = stored("gps-launch")
    assert event.status == EventStatus.DRAFT
    assert event.content("en").title == "Launch of the Global Partnership Strategy"
    assert event.content("fr").summary == "Un lancement en ligne avec l’UNESCO et l’ECDAN."
    assert event.starts_at.isoformat() == "2026-12-06T12:30:00+00:00"
    assert [p.acronym for p in event.partners] == ["UNESCO", "ECDAN"]
    assert event.interpretation_languages == ["en", "fr"]


def test_partner_order_is_kept_as_chosen(organiser, make_partner):
    for acronym in ("OMEP", "UNESCO", "ECDAN"):
        make_partner(acronym)

    organiser.post(
        "/organiser/events/new",
        data=event_form(**{"partners-0": "ECDAN", "partners-1": "OMEP", "partners-2": "UNESCO"}),
    )

    assert [p.acronym for p in stored("gps-launch").partners] == ["ECDAN", "OMEP", "UNESCO"]


def test_start_in_the_spring_forward_gap_is_refused_beside_the_field(organiser):
    response = organiser.post(
        "/organiser/events/new",
        data=event_form(start="2027-03-28T02:30", end="2027-03-28T04:00"),
    )

    assert response.status_code == 422
    assert "does not exist in Europe/Paris" in response.text
    assert 'id="start-error"' in response.text
    assert stored("gps-launch") is None


def test_start_in_the_autumn_fold_is_refused_beside_the_field(organiser):
    response = organiser.post(
        "/organiser/events/new",
        data=event_form(start="2026-10-25T02:30", end="2026-10-25T04:00"),
    )

    assert response.status_code == 422
    assert "happens twice in Europe/Paris" in response.text


def test_any_iana_zone_can_be_chosen_and_unknown_ones_are_refused(organiser):
    kolkata = organiser.post("/organiser/events/new", data=event_form(timezone="Asia/Kathmandu"))
    assert kolkata.status_code == 302
    assert stored("gps-launch").timezone == "Asia/Kathmandu"

    unknown = organiser.post(
        "/organiser/events/new", data=event_form(slug="other", timezone="Mars/Olympus")
    )
    assert unknown.status_code == 422
    assert stored("other") is None


def test_duplicate_slug_is_shown_beside_the_slug(organiser, make_event):
    make_event(slug="gps-launch")

    response = organiser.post("/organiser/events/new", data=event_form())

    assert response.status_code == 422
    assert 'id="slug-error"' in response.text


def test_publish_requires_title_and_summary_in_every_language(organiser):
    organiser.post("/organiser/events/new", data=event_form(**{"fr-title": "", "fr-summary": ""}))

    response = organiser.post("/organiser/events/gps-launch/publish")

    assert response.status_code == 422
    assert "A title in French is needed to publish." in response.text
    assert "A summary in French is needed to publish." in response.text
    assert 'value="Launch of the Global Partnership Strategy"' in response.text
    assert 'id="fr-title-error"' in response.text
    assert stored("gps-launch").status == EventStatus.DRAFT


def test_publish_a_complete_draft(organiser):
    organiser.post("/organiser/events/new", data=event_form())

    response = organiser.post("/organiser/events/gps-launch/publish")

    assert response.status_code == 302
    assert stored("gps-launch").status == EventStatus.PUBLISHED


def edit_form_of(event: Event, **changes) -> dict:
    return event_form(
        slug=event.slug,
        **{
            "en-title": event.content("en").title,
            "fr-title": event.content("fr").title,
            "en-summary": event.content("en").summary,
            "fr-summary": event.content("fr").summary,
            "en-description": event.content("en").description,
            "fr-description": event.content("fr").description,
            "online_url": event.online_url,
            **changes,
        },
    )


def test_edit_form_is_filled_with_the_event(organiser, make_event):
    event = make_event(slug="gps-launch")

    page = organiser.get("/organiser/events/gps-launch/edit")

    assert page.status_code == 200
    assert 'value="2026-12-06T13:30"' in page.text
    assert event.content("fr").title in page.text


def test_moving_an_event_with_registrants_asks_for_confirmation_first(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    for _ in range(3):
        make_registration(event)
    form = edit_form_of(event, start="2026-12-06T15:00", end="2026-12-06T16:00")

    confirm_page = organiser.post("/organiser/events/gps-launch/edit", data=form)

    assert confirm_page.status_code == 200
    assert "Tell the 3 registrants by email" in confirm_page.text
    assert 'name="notify" value="1" aria-describedby="notify-hint" checked' in confirm_page.text
    assert 'name="confirmed" value="1"' in confirm_page.text
    assert stored("gps-launch").starts_at.hour == 12  # not saved yet
    assert queued(MessageKind.EVENT_UPDATED) == []


def test_confirming_a_move_saves_it_and_queues_updates(organiser, make_event, make_registration):
    event = make_event(slug="gps-launch")
    people = [make_registration(event) for _ in range(3)]
    form = edit_form_of(event, start="2026-12-06T15:00", end="2026-12-06T16:00")

    response = organiser.post(
        "/organiser/events/gps-launch/edit", data={**form, "confirmed": "1", "notify": "1"}
    )

    assert response.status_code == 302
    moved = stored("gps-launch")
    assert moved.starts_at.isoformat() == "2026-12-06T14:00:00+00:00"
    assert moved.sequence == 1
    updates = queued(MessageKind.EVENT_UPDATED)
    assert sorted(m.registration_id for m in updates) == sorted(p.id for p in people)
    assert updates[0].payload["old_start"] == "2026-12-06T12:30:00+00:00"
    assert "time" in updates[0].payload["changes"]


def test_the_confirmation_page_carries_the_form_through(organiser, make_event, make_registration):
    event = make_event(slug="gps-launch")
    make_registration(event)
    form = edit_form_of(event, start="2026-12-06T15:00", end="2026-12-06T16:00")

    confirm_page = organiser.post("/organiser/events/gps-launch/edit", data=form)

    assert 'name="start" value="2026-12-06T15:00"' in confirm_page.text
    assert 'name="interpretation_languages" value="en"' in confirm_page.text
    assert 'name="interpretation_languages" value="fr"' in confirm_page.text


def test_edit_without_registrants_saves_straight_away(organiser, make_event):
    event = make_event(slug="gps-launch")

    response = organiser.post(
        "/organiser/events/gps-launch/edit", data=edit_form_of(event, capacity="80")
    )

    assert response.status_code == 302
    assert stored("gps-launch").capacity == 80


def test_cancel_shows_how_many_people_will_be_told(organiser, make_event, make_registration):
    event = make_event(slug="gps-launch", capacity=1)
    make_registration(event)
    make_registration(event)  # waitlisted

    page = organiser.get("/organiser/events/gps-launch/cancel")

    assert page.status_code == 200
    assert "2 people will be told" in page.text
    assert stored("gps-launch").status == EventStatus.PUBLISHED


def test_cancel_tells_everyone_registered(organiser, make_event, make_registration):
    event = make_event(slug="gps-launch", capacity=1)
    people = [make_registration(event), make_registration(event)]

    response = organiser.post("/organiser/events/gps-launch/cancel")

    assert response.status_code == 302
    assert stored("gps-launch").status == EventStatus.CANCELLED
    cancellations = queued(MessageKind.EVENT_CANCELLED)
    assert sorted(m.registration_id for m in cancellations) == sorted(p.id for p in people)
    assert queued(MessageKind.REMINDER) == []
    assert broadcasts.live(stored("gps-launch"), (MessageKind.REMINDER,)) == []


def test_audit_entries_appear_on_the_event_page(organiser, make_registration):
    organiser.post("/organiser/events/new", data=event_form())
    organiser.post("/organiser/events/gps-launch/publish")
    event = stored("gps-launch")
    organiser.post(
        "/organiser/events/gps-launch/edit",
        data=edit_form_of(event, start="2026-12-06T15:00", end="2026-12-06T16:00"),
    )

    page = organiser.get("/organiser/events/gps-launch")

    actions = [
        entry.action
        for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id)
        )
    ]
    assert actions == ["created", "published", "updated"]
    assert page.text.count("Olga Organiser") == 3 + 1  # three entries, and she is assigned
    for label in ("Created", "Published", "Changed"):
        assert f">{label}</td>" in page.text
    assert "Fields: Start, End" in page.text


def test_event_page_shows_counts_and_links_to_attendees(organiser, make_event, make_registration):
    event = make_event(slug="gps-launch", capacity=2)
    for _ in range(3):
        make_registration(event)

    page = organiser.get("/organiser/events/gps-launch")

    assert '<dd id="count-confirmed">2</dd>' in page.text
    assert '<dd id="count-waitlisted">1</dd>' in page.text
    assert "/organiser/events/gps-launch/registrations" in page.text


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Launch of the Global Partnership Strategy"), ("fr", "Lancement de la Stratégie")],
)
def test_preview_shows_the_public_page_of_a_draft_in_each_language(organiser, lang, title):
    organiser.post("/organiser/events/new", data=event_form())

    page = organiser.get(f"/organiser/events/gps-launch/preview/{lang}")

    assert page.status_code == 200
    assert title in page.text
    assert f'<html lang="{lang}" dir="ltr">' in page.text
    assert "meet.example.org" not in page.text


def test_preview_in_an_unsupported_language_is_not_found(organiser, make_event):
    make_event(slug="gps-launch")

    assert organiser.get("/organiser/events/gps-launch/preview/de").status_code == 404


def test_cancelled_event_cannot_be_edited(organiser, make_event):
    make_event(slug="gps-launch", status=EventStatus.CANCELLED)

    response = organiser.get("/organiser/events/gps-launch/edit")

    assert response.status_code == 302


def test_event_in_a_language_outside_the_usual_list_stays_editable(organiser, make_event):
    event = make_event(slug="gps-launch", floor_language="sw", interpretation_languages=["sw"])

    page = organiser.get("/organiser/events/gps-launch/edit")
    assert '<option selected value="sw">' in page.text
    response = organiser.post(
        "/organiser/events/gps-launch/edit",
        data=edit_form_of(
            event, floor_language="sw", interpretation_languages=["sw", "en"], capacity="50"
        ),
    )

    assert response.status_code == 302
    assert stored("gps-launch").interpretation_languages == ["sw", "en"]
