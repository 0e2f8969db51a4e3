"""The organiser account input: address, name, role and password, checked once."""

import pytest
from flask_babel import force_locale

from eventsvc.models import Role
from eventsvc.services import organisers
from eventsvc.services.inputs.account import AccountInputErrors, NewOrganiser


def test_every_problem_is_keyed_by_field(app):
    with pytest.raises(AccountInputErrors) as failure:
        NewOrganiser(
            email="not an address", password="short", name="x" * 201, role="boss"
        ).checked()
    errors = failure.value.errors
    assert set(errors) == {"email", "name", "role", "password"}
    assert str(failure.value.message) == "“not an address” is not a valid email address."
    with force_locale("fr"):
        assert str(errors["role"][0]) == (
            "Rôle inconnu\u00a0: «\u00a0boss\u00a0». Utilisez organiser ou admin."
        )
        assert str(errors["password"][0]) == (
            "Le mot de passe doit comporter au moins 12 caractères."
        )


def test_a_valid_account_comes_back_normalised(app):
    checked = NewOrganiser(email=" Ada@Example.ORG ", name=" Ada ", role="admin").checked()
    assert checked == NewOrganiser(email="ada@example.org", name="Ada", role=Role.ADMIN)


def test_a_common_password_is_refused(app):
    with pytest.raises(AccountInputErrors) as failure:
        NewOrganiser(email="ada@example.org", password="password1234").checked()
    assert "most common" in str(failure.value.errors["password"][0])


def test_the_service_refuses_what_the_input_refuses(app):
    with pytest.raises(AccountInputErrors):
        organisers.create_organiser(NewOrganiser(email="ada@example.org", name="x" * 201))
    with pytest.raises(organisers.AccountError) as weak:
        organisers.check_password_strength("short")
    assert "at least 12 characters" in str(weak.value.message)
