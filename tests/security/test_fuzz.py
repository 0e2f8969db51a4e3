"""Arbitrary form posts and import files: never a server error, nothing stored when refused."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventsvc.services import importer
from eventsvc.unit_of_work import unit_of_work
from tests.security.fuzz import (
    field_overrides,
    form_data,
    import_files,
    plausible_form,
    row_counts,
)

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def small_event(make_event):
    """An event with two seats, so that fuzzed registrations reach the waitlist too."""
    return make_event(slug="fuzz-target", capacity=2)


@FUZZ
@given(data=st.one_of(form_data, field_overrides.map(plausible_form)))
def test_arbitrary_registration_posts_never_cause_a_server_error(client, small_event, data):
    before = row_counts()
    response = client.post(f"/fr/events/{small_event.slug}/register", data=data)
    assert response.status_code < 500
    if response.status_code != 303:
        assert row_counts() == before


@FUZZ
@given(text=import_files)
def test_arbitrary_import_files_are_imported_or_refused_whole(app, text):
    before = row_counts()
    try:
        with unit_of_work():
            importer.import_events(text)
    except importer.ImportFailed as refusal:
        assert refusal.problems
        assert row_counts() == before
