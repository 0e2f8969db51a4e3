"""``Event.content_version`` goes up with every change to what the event's page shows, and only
then: the page cache of every worker is keyed by it. The services that change a page raise it
(``services.page_version``); no flush hook does, so each service is checked here."""

import json

import pytest

from eventsvc.extensions import db
from eventsvc.services import importer
from eventsvc.services.events import (
    EventData,
    cancel_event,
    postpone_event,
    publish_event,
    reopen_event,
    update_event,
)
from eventsvc.services.partners import PartnerData, save_partner
from eventsvc.services.registrations import cancel
from eventsvc.unit_of_work import unit_of_work


def version(event) -> int:
    db.session.refresh(event)
    return event.content_version


def _update(event, **changes):
    data = EventData.from_event(event)
    for name, value in changes.items():
        setattr(data, name, value)
    with unit_of_work():
        return update_event(event, data)


def test_a_new_event_starts_at_one(make_event):
    assert version(make_event()) == 1


def test_each_change_to_the_event_or_its_texts_counts(make_event):
    event = make_event()

    _update(event, capacity=40)
    assert version(event) == 2

    texts = EventData.from_event(event).texts
    texts["en"]["summary"] = "A new summary"
    _update(event, texts=texts)
    assert version(event) == 3


def test_saving_unchanged_data_leaves_it_alone(make_event):
    event = make_event()
    summary = _update(event)
    assert not summary.changed
    assert version(event) == 1


def test_publishing_postponing_cancelling_and_reopening_each_count(make_event):
    event = make_event(status="draft")
    with unit_of_work():
        publish_event(event)
    assert version(event) == 2
    with unit_of_work():
        postpone_event(event)
    assert version(event) == 3
    with unit_of_work():
        cancel_event(event)
    assert version(event) == 4
    with unit_of_work():
        reopen_event(event)
    assert version(event) == 5


def test_registrations_leave_it_alone(make_event, make_registration):
    event = make_event(capacity=1)
    first = make_registration(event)
    make_registration(event)
    with unit_of_work():
        cancel(first)  # the waitlisted person moves up

    assert version(event) == 1


def test_a_partner_change_counts_for_its_events_only(make_event, make_partner):
    omep, unesco = make_partner("OMEP"), make_partner("UNESCO")
    with_omep = make_event(partners=[omep])
    without = make_event(partners=[unesco])

    with unit_of_work():
        save_partner(
            PartnerData(
                acronym="OMEP",
                website="https://omep.org.uk",
                names={"en": "OMEP", "fr": "Organisation mondiale pour l'éducation préscolaire"},
            ),
            omep,
        )

    assert version(with_omep) == 2
    assert version(without) == 1


def test_an_import_that_changes_a_partner_counts_for_its_events(make_event, make_partner):
    omep = make_partner("OMEP")
    event = make_event(partners=[omep])
    document = {
        "partners": [
            {
                "acronym": "OMEP",
                "website": "https://omep.org.uk",
                "name": {"en": "OMEP", "fr": "OMEP"},
            }
        ],
        "events": [],
    }
    with unit_of_work():
        importer.import_events(json.dumps(document))

    assert version(event) == 2


def test_a_change_rolled_back_leaves_it_alone(make_event):
    event = make_event()
    data = EventData.from_event(event)
    data.capacity = 40
    with pytest.raises(RuntimeError), unit_of_work():
        update_event(event, data)
        raise RuntimeError("the request failed after the change")
    assert version(event) == 1
    assert event.capacity is None
