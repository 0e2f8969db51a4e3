"""The OpenAPI 3.1 document of ``/api/v1/``: the one description of the API, served at
``/api/v1/openapi.json``, rendered at ``/api/v1/docs`` and the source of the spec-based tests
(``tests/api/test_openapi.py``). A change to a route or a shape changes this file too: the
Schemathesis test fails on any answer the document does not describe."""

from copy import deepcopy

from eventsvc.api.pagination import DEFAULT_LIMIT, MAX_LIMIT


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema_type: str, **more) -> dict:
    return {"type": [schema_type, "null"], **more}


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_TIME = {"type": "string", "format": "date-time"}

_SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "An RFC 9457 problem. `errors` names each part of the request at fault.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["detail"],
                    "properties": {
                        "pointer": {
                            "type": "string",
                            "description": "JSON Pointer (RFC 6901) into the request body.",
                        },
                        "parameter": {"type": "string", "description": "A query parameter."},
                        "header": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                },
            },
        },
    },
    "Partner": {
        "type": "object",
        "required": ["acronym", "website", "names"],
        "properties": {
            "acronym": {"type": "string"},
            "website": _nullable("string"),
            "names": {
                "type": "object",
                "description": "The partner's name by language code.",
                "additionalProperties": {"type": "string"},
            },
        },
    },
    "EventText": {
        "type": "object",
        "required": ["title", "summary"],
        "properties": {
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "description": {
                "type": "string",
                "description": "Markdown (CommonMark); in the single event's answer only.",
            },
        },
    },
    "RegistrationState": {
        "type": "object",
        "required": ["state", "closed_because", "closes_at", "page_urls", "calendar_url"],
        "properties": {
            "state": {
                "type": "string",
                "enum": ["open", "waitlist", "closed"],
                "description": "`waitlist`: open, but a new registration joins the waitlist.",
            },
            "closed_because": {
                "type": ["string", "null"],
                "enum": ["cancelled", "postponed", "not_published", "started", "deadline", None],
            },
            "closes_at": _nullable("string", format="date-time"),
            "page_urls": {
                "type": "object",
                "description": "The event's page with its registration form, by language.",
                "additionalProperties": {"type": "string", "format": "uri"},
            },
            "calendar_url": {"type": "string", "format": "uri"},
        },
    },
    "Event": {
        "type": "object",
        "required": [
            "slug",
            "status",
            "timezone",
            "starts_at",
            "ends_at",
            "floor_language",
            "languages",
            "interpretation_languages",
            "texts",
            "partners",
            "capacity",
            "seats_left",
            "registration",
            "url",
            "updated_at",
        ],
        "properties": {
            "slug": {"type": "string"},
            "status": {"type": "string", "enum": ["published", "cancelled", "postponed"]},
            "timezone": {
                "type": "string",
                "description": "The IANA zone the event was set in, e.g. Europe/Paris.",
            },
            "starts_at": {
                **_TIME,
                "description": "ISO 8601 with the offset of the event's zone at that time.",
            },
            "ends_at": _TIME,
            "floor_language": {"type": "string"},
            "languages": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Spoken at the event: the floor language, then interpretation.",
            },
            "interpretation_languages": {"type": "array", "items": {"type": "string"}},
            "texts": {
                "type": "object",
                "description": "Title, summary (and description) by language code.",
                "additionalProperties": _ref("EventText"),
            },
            "partners": {"type": "array", "items": _ref("Partner")},
            "capacity": _nullable("integer"),
            "seats_left": _nullable("integer", description="null: no capacity set."),
            "registration": _ref("RegistrationState"),
            "url": {"type": "string", "format": "uri"},
            "updated_at": _TIME,
        },
    },
    "EventList": {
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {
            "data": {"type": "array", "items": _ref("Event")},
            "next_cursor": _nullable("string", description="null on the last page."),
        },
    },
    "Registration": {
        "type": "object",
        "required": [
            "id",
            "event",
            "status",
            "waitlist_position",
            "awaits_address_confirmation",
            "fields",
            "answers",
            "attendance",
            "created_at",
            "promoted_at",
            "cancelled_at",
            "erased",
        ],
        "properties": {
            "id": {"type": "integer"},
            "event": {"type": "string", "description": "The event's slug."},
            "status": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
            "waitlist_position": _nullable("integer", description="1 is next."),
            "awaits_address_confirmation": {"type": "boolean"},
            "fields": {
                "type": "object",
                "description": "The registration form's built-in fields; null once erased.",
                "properties": {
                    "full_name": _nullable("string"),
                    "email": _nullable("string"),
                    "organisation": _nullable("string"),
                    "country": _nullable("string"),
                    "language": _nullable("string"),
                    "interpretation_language": _nullable("string"),
                    "question_for_speakers": _nullable("string"),
                    "newsletter": _nullable("boolean"),
                    "timezone": _nullable("string"),
                },
            },
            "answers": {
                "type": "object",
                "description": "Answers to the event's own questions, by question key.",
            },
            "attendance": {
                "type": ["object", "null"],
                "description": "From the imported attendance reports; null before any.",
                "properties": {
                    "attended": {"type": "boolean"},
                    "minutes": {"type": "integer"},
                },
            },
            "created_at": _TIME,
            "promoted_at": _nullable("string", format="date-time"),
            "cancelled_at": _nullable("string", format="date-time"),
            "erased": {"type": "boolean"},
        },
    },
    "RegistrationList": {
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {
            "data": {"type": "array", "items": _ref("Registration")},
            "next_cursor": _nullable("string"),
        },
    },
    "NewRegistration": {
        "type": "object",
        "description": (
            "The registration form's fields. `consent: true` states that the person agreed "
            "to the privacy notice. The event's own questions are asked by their keys."
        ),
        "required": ["full_name", "email", "language", "country", "consent"],
        "properties": {
            "full_name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "language": {"type": "string", "description": "For the mail: en, fr, es…"},
            "country": {
                "type": "string",
                "pattern": "^[A-Z]{2}$",
                "description": "ISO 3166-1 alpha-2.",
            },
            "organisation": {"type": "string"},
            "interpretation_language": {"type": "string"},
            "question_for_speakers": {"type": "string"},
            "newsletter": {"type": "boolean"},
            "consent": {"const": True},
            "timezone": {"type": "string"},
        },
    },
}

_CURSOR = {
    "name": "cursor",
    "in": "query",
    "required": False,
    "description": "The `next_cursor` of the previous page, with the same filters.",
    "schema": {"type": "string"},
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
}
_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "example": "gps-ecce-launch",
}
_REGISTRATION_ID = {
    "name": "registration_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}

_ERRORS_PUBLIC = {
    "400": _problem("A query parameter is not valid (see `errors`)."),
    "429": _problem("Too many calls: wait for `Retry-After` seconds."),
}
_ERRORS_TOKEN = {
    "401": _problem("No API token, or one not valid."),
    "404": _problem("No event (or registration) the token's organiser may see."),
    "429": _problem("Too many calls for this token."),
}
_TOKEN = [{"token": []}]

_PATHS = {
    "/events": {
        "get": {
            "operationId": "listEvents",
            "summary": "Published events, by start time",
            "description": (
                "Published events, and cancelled or postponed ones (their `status` says so). "
                "Without `from`, the events not over yet."
            ),
            "parameters": [
                {
                    "name": "language",
                    "in": "query",
                    "description": "Events spoken in this language (floor or interpretation).",
                    "schema": {"type": "string"},
                },
                {
                    "name": "from",
                    "in": "query",
                    "description": "Events starting at or after this time (ISO 8601, offset).",
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "to",
                    "in": "query",
                    "description": "Events starting before this time.",
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "partner",
                    "in": "query",
                    "description": "Events with this partner (its acronym).",
                    "schema": {"type": "string"},
                },
                {
                    "name": "open",
                    "in": "query",
                    "description": "true: open for registration now; false: not.",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                },
                _CURSOR,
                _LIMIT,
            ],
            "responses": {"200": _json(_ref("EventList"), "A page of events."), **_ERRORS_PUBLIC},
        }
    },
    "/events/{slug}": {
        "get": {
            "operationId": "getEvent",
            "summary": "One event, with its texts in every language",
            "parameters": [_SLUG],
            "responses": {
                "200": _json(_ref("Event"), "The event."),
                "404": _problem("No published event has this slug."),
                **_ERRORS_PUBLIC,
            },
        }
    },
    "/partners": {
        "get": {
            "operationId": "listPartners",
            "summary": "The partner networks",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": {"type": "array", "items": _ref("Partner")}},
                    },
                    "Every partner.",
                ),
                **_ERRORS_PUBLIC,
            },
        }
    },
    "/languages": {
        "get": {
            "operationId": "listLanguages",
            "summary": "The languages the site is read in",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": {"type": "array", "items": {"type": "string"}}},
                    },
                    "Language codes.",
                ),
                "429": _ERRORS_PUBLIC["429"],
            },
        }
    },
    "/events/{slug}/registrations": {
        "get": {
            "operationId": "listRegistrations",
            "summary": "The event's registrations, oldest first",
            "security": _TOKEN,
            "parameters": [
                _SLUG,
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["confirmed", "waitlisted", "cancelled"]},
                },
                {
                    "name": "email",
                    "in": "query",
                    "description": "The registration of this address (as the form compares it).",
                    "schema": {"type": "string"},
                },
                _CURSOR,
                _LIMIT,
            ],
            "responses": {
                "200": _json(_ref("RegistrationList"), "A page of registrations."),
                "400": _ERRORS_PUBLIC["400"],
                **_ERRORS_TOKEN,
            },
        },
        "post": {
            "operationId": "createRegistration",
            "summary": "Register someone (same rules and mail as the public form)",
            "security": _TOKEN,
            "parameters": [_SLUG],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NewRegistration")}},
            },
            "responses": {
                "201": _json(_ref("Registration"), "Registered (confirmed or waitlisted)."),
                "200": _json(_ref("Registration"), "Already registered: the mail is sent again."),
                "400": _problem("The body is not a JSON object."),
                "403": _problem("A read-only token."),
                "409": _problem("The event takes no registration now."),
                "422": _problem("Some fields are not valid (see `errors`, by JSON pointer)."),
                **_ERRORS_TOKEN,
            },
        },
    },
    "/events/{slug}/registrations/{registration_id}": {
        "get": {
            "operationId": "getRegistration",
            "summary": "One registration",
            "security": _TOKEN,
            "parameters": [_SLUG, _REGISTRATION_ID],
            "responses": {"200": _json(_ref("Registration"), "The registration."), **_ERRORS_TOKEN},
        }
    },
    "/events/{slug}/registrations/{registration_id}/cancel": {
        "post": {
            "operationId": "cancelRegistration",
            "summary": "Cancel a registration as the organisers",
            "description": "The registrant is told, and the waitlist moves up.",
            "security": _TOKEN,
            "parameters": [_SLUG, _REGISTRATION_ID],
            "responses": {
                "200": _json(_ref("Registration"), "Cancelled (or already cancelled)."),
                "403": _problem("A read-only token."),
                "409": _problem("Refused."),
                **_ERRORS_TOKEN,
            },
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "eventsvc API",
        "version": "1.0.0",
        "description": (
            "Published events for anyone (no key, CORS open); registrations with an "
            "organiser's API token (`Authorization: Bearer evs_…`, made in the workspace "
            "under Account, or `flask --app eventsvc api-token create EMAIL --scope read`). "
            "Times are ISO 8601 with the offset of the event's IANA zone, given beside them. "
            "Lists are paged by an opaque `next_cursor`. Errors are RFC 9457 problem details "
            "(`application/problem+json`)."
        ),
    },
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer", "description": "An API token, evs_…"}
        },
    },
}


def document(server_url: str) -> dict:
    """The document, with this installation's address as its server."""
    doc = deepcopy(DOCUMENT)
    doc["servers"] = [{"url": server_url}]
    return doc
