"""The partner input: one set of rules for the partner pages and the importer."""

import json

import pytest
from flask_babel import force_locale

from eventsvc.services import importer
from eventsvc.services.inputs.base import Errors
from eventsvc.services.inputs.partner import PartnerData, check_partner, partner_errors


def test_errors_are_keyed_by_field(app):
    errors = Errors()
    data = PartnerData(
        acronym="O M E P",
        website="ftp://omep.org",
        names={"en": "", "fr": " "},
        descriptions={"fr": "x" * 5001},
    )
    check_partner(data, errors, missing_name_key="name.en")
    assert set(errors.errors) == {"acronym", "website", "name.en", "description.fr"}
    with force_locale("fr"):
        assert str(errors.errors["acronym"][0]) == (
            "32 caractères au maximum, sans espaces ni virgules."
        )
        assert str(errors.errors["name.en"][0]) == (
            "Indiquez le nom du partenaire dans au moins une langue."
        )


def test_an_acronym_in_use_is_refused_but_not_for_the_same_partner(app, make_partner):
    omep = make_partner("OMEP")
    data = PartnerData(acronym="OMEP", names={"en": "OMEP"})
    errors, _logo_type = partner_errors(data, None, missing_name_key="name.en")
    with force_locale("fr"):
        assert [str(m) for m in errors["acronym"]] == [
            "Un autre partenaire utilise déjà «\u00a0OMEP\u00a0»."
        ]
    assert partner_errors(data, omep, missing_name_key="name.en") == ({}, "")


def test_a_logo_that_is_no_image_is_reported_on_the_logo(app):
    data = PartnerData(acronym="OMEP", names={"en": "OMEP"}, logo=b"<svg></svg>")
    errors, logo_type = partner_errors(data, None, missing_name_key="name.en")
    assert list(errors) == ["logo"]
    assert logo_type == ""


@pytest.mark.parametrize(
    ("entry", "path", "field"),
    [
        ({"acronym": "A B", "name": {"en": "A"}}, "partners[0].acronym", "acronym"),
        (
            {"acronym": "AB", "website": "ftp://x.org", "name": {"en": "A"}},
            "partners[0].website",
            "website",
        ),
        ({"acronym": "AB", "name": {"en": "x" * 201}}, "partners[0].name.en", "name.en"),
    ],
)
def test_the_importer_reports_the_same_errors_at_their_place(app, entry, path, field):
    """The importer shows the input's message, under the entry's path in the file."""
    with pytest.raises(importer.ImportFailed) as failure:
        importer.plan(json.dumps({"partners": [entry]}))
    expected = Errors()
    data = PartnerData(
        acronym=entry["acronym"],
        website=entry.get("website", ""),
        names=entry["name"],
    )
    check_partner(data, expected, missing_name_key="name")
    assert [(p.path, str(p.message)) for p in failure.value.problems] == [
        (path, str(expected.errors[field][0]))
    ]
