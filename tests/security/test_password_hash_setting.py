"""The cheap password hash that tests use can never reach production."""

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
