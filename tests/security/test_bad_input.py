"""Input no browser sends is refused plainly: NUL characters, oversized bodies, long fields."""

import json

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.services import importer
from eventsvc.unit_of_work import unit_of_work
from tests.factories import new_registrant_form as registration_form
from tests.factories import valid_import_document
from tests.security.fuzz import row_counts


def _registrations() -> int:
    return db.session.scalar(select(func.count(Registration.id)))


@pytest.fixture
def event(make_event):
    return make_event(slug="bad-input", capacity=10)


@pytest.mark.parametrize("field", ["full_name", "organisation", "question_for_speakers", "email"])
def test_nul_character_in_a_form_field_is_400_and_stores_nothing(client, event, field):
    response = client.post(
        f"/fr/events/{event.slug}/register", data=registration_form(**{field: "Awa\x00Diop"})
    )
    assert response.status_code == 400
    assert _registrations() == 0


@pytest.mark.parametrize("path", ["/fr/events/gps%00launch", "/fr/?q=%00", "/fr/events/x%00.ics"])
def test_nul_character_in_the_address_is_400(client, path):
    assert client.get(path).status_code == 400


def test_body_over_the_size_limit_is_413_and_stores_nothing(client, event, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    form = registration_form(question_for_speakers="x" * (limit + 1))
    response = client.post(f"/fr/events/{event.slug}/register", data=form)
    assert response.status_code == 413
    assert '<html lang="fr"' in response.get_data(as_text=True)
    assert _registrations() == 0


@pytest.mark.parametrize(
    ("field", "length"),
    [("full_name", 201), ("organisation", 201), ("email", 255), ("question_for_speakers", 2001)],
)
def test_field_over_its_length_limit_is_refused_with_a_field_error(client, event, field, length):
    value = "a" * length
    if field == "email":
        value = "a" * (length - len("@example.org")) + "@example.org"
    response = client.post(
        f"/fr/events/{event.slug}/register", data=registration_form(**{field: value})
    )
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _registrations() == 0


def test_import_file_with_a_nul_character_is_refused_at_its_place(app):
    document = valid_import_document()
    document["events"][0]["title"]["fr"] = "Lancement\x00"
    before = row_counts()
    with pytest.raises(importer.ImportFailed) as refusal, unit_of_work():
        importer.import_events(json.dumps(document))
    assert [problem.path for problem in refusal.value.problems] == ["events[0].title.fr"]
    assert row_counts() == before
