"""Registrations through an API token: list and filter, read one, create, cancel.

Creating goes through the same input and service as the public form
(``RegistrationInput.parse`` then ``services.registrations.register``): the same rules, the
same mail. Cancelling is the organisers' cancellation (``registrations.cancel`` with the token's
organiser as actor): the registrant is told, the waitlist moves up, the audit log records it.
"""

from flask import abort, jsonify, request, url_for
from sqlalchemy import select

from eventsvc.api import bp, pagination, representations
from eventsvc.api.auth import current_token, event_or_404, token_required
from eventsvc.api.params import BadParameters
from eventsvc.extensions import db
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.problems import problem
from eventsvc.services import DomainError, registrations
from eventsvc.services import fields as registry
from eventsvc.services.addresses import address_key
from eventsvc.services.inputs.base import Errors, InputErrors
from eventsvc.services.inputs.reader import Reader
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.unit_of_work import unit_of_work

_LIST_PARAMETERS = frozenset({"status", "email", "cursor", "limit"})
_STATUSES = {s.value for s in RegistrationStatus}

#: Registration ids in routes: more than the column holds is a 404, not an overflow.
REGISTRATION_ID = "<int(max=2147483647):registration_id>"


@bp.get("/events/<slug>/registrations")
@token_required()
def registrations_list(slug):
    event = event_or_404(slug)
    problems = BadParameters()
    for name in request.args:
        if name not in _LIST_PARAMETERS:
            problems.add(name, "This query parameter is not known.")
    status = request.args.get("status")
    if status is not None and status not in _STATUSES:
        problems.add("status", f"Give one of: {', '.join(sorted(_STATUSES))}.")
    email = request.args.get("email")
    limit = pagination.read_limit(problems)
    after = pagination.read_cursor("registrations", request.args.get("cursor"), problems)
    after_id = None
    if after is not None:
        if len(after) == 1 and isinstance(after[0], int):
            after_id = after[0]
        else:
            problems.add("cursor", "This cursor is not one this API gave out.")
    problems.abort_if_any()

    query = select(Registration).where(Registration.event_id == event.id)
    if status is not None:
        query = query.where(Registration.status == status)
    if email is not None:
        query = query.where(Registration.email_normalised == address_key(email))
    if after_id is not None:
        query = query.where(Registration.id > after_id)
    rows = db.session.scalars(query.order_by(Registration.id).limit(limit + 1)).all()
    shown, cursor = pagination.page(rows, limit, "registrations", lambda r: [r.id])
    positions = registrations.queue_positions(event)
    return jsonify(
        {
            "data": [representations.registration(r, position=positions.get(r.id)) for r in shown],
            "next_cursor": cursor,
        }
    )


def _registration_or_404(event: Event, registration_id: int) -> Registration:
    found = db.session.get(Registration, registration_id)
    if found is None or found.event_id != event.id:
        abort(problem(404, "This event has no registration with this id.", kind="not-found"))
    return found


@bp.get(f"/events/<slug>/registrations/{REGISTRATION_ID}")
@token_required()
def registration_detail(slug, registration_id):
    event = event_or_404(slug)
    found = _registration_or_404(event, registration_id)
    position = registrations.queue_positions(event).get(found.id)
    return jsonify(representations.registration(found, position=position))


def _input_problem(errors: dict[str, list]):
    return problem(
        422,
        "Some fields are not valid.",
        kind="invalid-input",
        errors=[
            {"pointer": "/" + key.replace(".", "/"), "detail": str(message)}
            for key, messages in errors.items()
            for message in messages
        ],
    )


@bp.post("/events/<slug>/registrations")
@token_required(write=True)
def registration_create(slug):
    event = event_or_404(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(
            problem(
                400,
                "Send a JSON object (Content-Type: application/json).",
                kind="invalid-body",
                errors=[{"pointer": "", "detail": "The body is not a JSON object."}],
            )
        )
    errors = Errors()
    reader = Reader(body, errors.add, allowed={spec.key for spec in registry.fields_for(event)})
    try:
        data = RegistrationInput.parse(
            {k: v for k, v in body.items() if k not in reader.bad_keys}, event
        )
    except InputErrors as invalid:
        reader.report(invalid.errors)
        data = None
    if errors or data is None:
        return _input_problem(errors.errors)
    try:
        with unit_of_work():
            result = registrations.register(event, data)
    except registrations.RegistrationClosed as closed:
        return problem(409, str(closed.message), kind="registration-closed")
    except DomainError as refused:
        return problem(409, str(refused.message), kind="refused")
    found = db.session.get(Registration, result.registration.id)
    shown = representations.registration(found, position=registrations.waitlist_position(found))
    response = jsonify(shown)
    response.status_code = 201 if result.created else 200
    response.headers["Location"] = url_for(
        "api.registration_detail", slug=event.slug, registration_id=shown["id"]
    )
    return response


@bp.post(f"/events/<slug>/registrations/{REGISTRATION_ID}/cancel")
@token_required(write=True)
def registration_cancel(slug, registration_id):
    event = event_or_404(slug)
    found = _registration_or_404(event, registration_id)
    try:
        with unit_of_work():
            registrations.cancel(found, actor=current_token().organiser)
    except DomainError as refused:
        return problem(409, str(refused.message), kind="refused")
    found = db.session.get(Registration, registration_id)
    return jsonify(representations.registration(found, position=None))
