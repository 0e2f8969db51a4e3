"""The OpenAPI document is valid OpenAPI 3.1, and the API keeps to it: Schemathesis generates
requests from the document (valid and invalid ones, with and without a token) and checks every
answer: no 5xx, status codes, content types, headers and bodies as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from eventsvc.api import spec
from eventsvc.extensions import db
from eventsvc.services import api_tokens
from eventsvc.unit_of_work import unit_of_work


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["servers"] == [{"url": "http://events.test/api/v1"}]


def test_the_served_document_is_the_one_in_spec_py(client):
    served = client.get("/api/v1/openapi.json").get_json()
    assert served["paths"] == spec.DOCUMENT["paths"]
    assert served["components"] == spec.DOCUMENT["components"]


OPERATIONS = [(path, method) for path, item in spec.DOCUMENT["paths"].items() for method in item]


@pytest.fixture
def api_schema(app, make_event, make_partner, make_registration, admin_account):
    """The API of an app with events, registrations and a read-write token, as Schemathesis
    sees it (in-process, through WSGI)."""
    partner = make_partner("OMEP")
    event = make_event("gps-ecce-launch", partners=[partner], capacity=3)
    make_event("full", capacity=0)
    for _ in range(2):
        make_registration(event)
    with unit_of_work():
        _row, token = api_tokens.create(admin_account, "schemathesis", "write")
    db.session.remove()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), token


#: Operations with inputs a request can break (query parameters or a body); the others take any
#: string in their path, so no request to them is "invalid".
BREAKABLE = [
    ("/events", "get"),
    ("/events/{slug}/registrations", "get"),
    ("/events/{slug}/registrations", "post"),
]

CASES = [(path, method, GenerationMode.POSITIVE) for path, method in OPERATIONS] + [
    (path, method, GenerationMode.NEGATIVE) for path, method in BREAKABLE
]


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_the_api_keeps_to_its_document(api_schema, path, method, mode):
    """Generated requests (fitting the document, then breaking it) for each operation; on an
    event that exists for the fitting ones, so that the deeper code runs too.

    One check is left out: "a request the document allows is accepted" (ST202). The document
    cannot say which opaque cursors exist or which country codes and addresses the registration
    rules take, and answers those with 400 and 422, which it documents."""
    schema, token = api_schema
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {token}"} if "security" in operation.definition.raw else {}
    known = (
        {"slug": "gps-ecce-launch"}
        if mode == GenerationMode.POSITIVE and "{slug}" in path
        else None
    )

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known))
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def keeps_to_it(case):
        try:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
        finally:
            db.session.remove()

    keeps_to_it()
