"""``Event.content_version`` goes up with every change to what the event's page shows, and only
then: the page cache of every worker is keyed by it."""

from eventsvc.extensions import db
from eventsvc.services.events import EventData, update_event


def version(event) -> int:
    db.session.refresh(event)
    return event.content_version


def test_a_new_event_starts_at_one(make_event):
    assert version(make_event()) == 1


def test_each_change_to_the_event_or_its_texts_counts(make_event):
    event = make_event()

    event.capacity = 40
    db.session.commit()
    assert version(event) == 2

    event.set_content("en", summary="A new summary")
    db.session.commit()
    assert version(event) == 3

    data = EventData.from_event(event)
    data.texts["fr"]["title"] = "Lancement de la stratégie"
    update_event(event, data)
    assert version(event) > 3


def test_registrations_leave_it_alone(make_event, make_registration):
    event = make_event(capacity=10)
    make_registration(event)
    make_registration(event)

    assert version(event) == 1


def test_a_partner_change_counts_for_its_events_only(make_event, make_partner):
    omep, unesco = make_partner("OMEP"), make_partner("UNESCO")
    with_omep = make_event(partners=[omep])
    without = make_event(partners=[unesco])

    omep.website = "https://omep.org.uk"
    db.session.commit()
    omep.set_text("fr", name="Organisation mondiale pour l'éducation préscolaire")
    db.session.commit()

    assert version(with_omep) == 3
    assert version(without) == 1
