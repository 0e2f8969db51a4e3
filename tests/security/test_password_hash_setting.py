"""Password hashes: scrypt, always in production; a cheap one under TESTING unless asked."""

import pytest

from eventsvc.security import InsecureConfiguration


def test_production_refuses_a_password_hash_other_than_scrypt(app_factory):
    with pytest.raises(InsecureConfiguration, match="PASSWORD_HASH_METHOD"):
        app_factory(PRODUCTION=True, SECRET_KEY="k" * 64, PASSWORD_HASH_METHOD="pbkdf2:sha256:1")


def test_production_hashes_organiser_passwords_with_scrypt(app_factory):
    app = app_factory(PRODUCTION=True, SECRET_KEY="k" * 64)

    with app.app_context():
        from eventsvc.models import Organiser

        organiser = Organiser(email="x@example.org")
        organiser.set_password("a long passphrase here")
    assert organiser.password_hash.startswith("scrypt:")


def _hash_made_by(app) -> str:
    with app.app_context():
        from eventsvc.models import Organiser

        organiser = Organiser(email="x@example.org")
        organiser.set_password("a long passphrase here")
        return organiser.password_hash


def test_outside_testing_an_unset_method_means_scrypt(app_factory):
    assert _hash_made_by(app_factory()).startswith("scrypt:")


def test_under_testing_an_unset_method_means_a_cheap_hash(app_factory):
    """No test has to remember the setting: scrypt costs 0.1 s and 32 MB a hash."""
    assert _hash_made_by(app_factory(TESTING=True)).startswith("pbkdf2:sha256:1000$")


def test_a_test_may_still_ask_for_scrypt(app_factory):
    app = app_factory(TESTING=True, PASSWORD_HASH_METHOD="scrypt")
    assert _hash_made_by(app).startswith("scrypt:")
