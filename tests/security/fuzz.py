"""Hypothesis strategies and row counts shared by the fuzz tests (SQLite here, PostgreSQL in
``tests/pg``)."""

import json

from hypothesis import strategies as st
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import (
    AuditEntry,
    Event,
    EventContent,
    OutboxMessage,
    Partner,
    Registration,
)
from eventsvc.services import fields
from tests.factories import valid_import_document

#: Every field of the registration form (from the registry), the honeypot and the token.
FORM_FIELDS = [*(spec.key for spec in fields.BUILT_IN), "website", "csrf_token"]

#: Text a browser, a bot or a careless paste could send: any Unicode (NUL and line breaks
#: included), very long strings, and plausible values.
form_values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=150, max_size=2500),
    st.sampled_from(
        [
            "",
            " ",
            "y",
            "fr",
            "en",
            "de",
            "FR",
            "SN",
            "zz",
            "awa@example.org",
            "awa@@example.org",
            "Awa\r\nBcc: victim@example.org",
            "Awa\x00Diop",
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            "\x00",
            "a" * 300,
        ]
    ),
)

form_data = st.dictionaries(
    keys=st.one_of(st.sampled_from(FORM_FIELDS), st.text(max_size=12)),
    values=st.one_of(form_values, st.lists(form_values, min_size=2, max_size=3)),
    max_size=14,
)


#: A few real fields replaced in an otherwise valid form (see :func:`plausible_form`).
field_overrides = st.dictionaries(keys=st.sampled_from(FORM_FIELDS), values=form_values, max_size=4)


def plausible_form(overrides: dict) -> dict:
    """A valid registration with some fields replaced: reaches deeper than random keys alone."""
    base = {
        "full_name": "Awa Diop",
        "email": "awa.diop@example.org",
        "country": "SN",
        "language": "fr",
        "consent": "y",
    }
    return {**base, **overrides}


def row_counts() -> dict[str, int]:
    models = (Registration, OutboxMessage, Event, EventContent, Partner, AuditEntry)
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in models
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["", "2026-12-06T13:30", "2026-03-29T02:30", "Europe/Paris", "fr", "a\x00b"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


#: Values for the per-locale texts (title, summary, description, name).
text_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", " ", "Lancement\x00", "Ligne 1\nLigne 2", "<script>x</script>", "x" * 6000]
    ),
)


@st.composite
def import_documents(draw) -> str:
    """A valid import file with a few values replaced by arbitrary JSON, as text."""
    document = valid_import_document()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        section = draw(st.sampled_from(["partners", "events", "top"]))
        value = draw(json_values)
        if section == "top":
            document[draw(st.sampled_from(["partners", "events", "extra"]))] = value
            continue
        records = document.get(section)
        if not (isinstance(records, list) and records and isinstance(records[0], dict)):
            continue
        record = records[0]
        texts = [key for key, inner in record.items() if isinstance(inner, dict)]
        if texts and draw(st.booleans()):
            record = record[draw(st.sampled_from(texts))]
            value = draw(st.one_of(text_values, st.just(value)))
        keys = st.sampled_from(sorted(record)) if record else st.nothing()
        record[draw(keys | st.text(max_size=8))] = value
    return json.dumps(document, ensure_ascii=draw(st.booleans()))


import_files = st.one_of(
    import_documents(),
    json_values.map(json.dumps),
    st.binary(max_size=200),
)
