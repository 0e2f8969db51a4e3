"""Messages to organiser accounts (invitation, new-password link, failed sign-ins), built from
the outbox in the organiser's language, parsed as a mail client would."""

import re

import pytest

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.models import MessageKind
from eventsvc.models.outbox import ORGANISER_KINDS
from eventsvc.services import organisers, outbox
from eventsvc.unit_of_work import unit_of_work
from tests.mail.reading import html_of, parse, text_of

SUBJECTS = {
    ("en", MessageKind.INVITATION): "Your invitation to the organiser workspace",
    ("fr", MessageKind.INVITATION): "Votre invitation à l’espace organisateur",
    ("en", MessageKind.PASSWORD_RESET): "Choose a new password",
    ("fr", MessageKind.PASSWORD_RESET): "Choisir un nouveau mot de passe",
    ("en", MessageKind.SIGN_IN_FAILURES): "Failed sign-ins on your organiser account",
    ("fr", MessageKind.SIGN_IN_FAILURES): "Connexions échouées sur votre compte d’organisateur",
    ("es", MessageKind.INVITATION): "Su invitación al espacio de organización",
    ("es", MessageKind.PASSWORD_RESET): "Elegir una nueva contraseña",
    ("es", MessageKind.SIGN_IN_FAILURES): "Inicios de sesión fallidos en su cuenta de organizador",
}


@pytest.mark.parametrize("kind", sorted(ORGANISER_KINDS))
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_organiser_messages_are_complete_and_in_their_language(app, kind, language):
    with unit_of_work():
        account = organisers.create_organiser(
            organisers.NewOrganiser(
                email="zoe@example.org", name="Zoé", password="a long passphrase"
            )
        )
    account.locale = language
    row = outbox.enqueue_for_organiser(kind, account, payload={"failures": 11})
    db.session.commit()

    mail = parse(messages.build(row).as_bytes())

    assert mail["To"].addresses[0].addr_spec == "zoe@example.org"
    assert mail["Subject"] == SUBJECTS[(language, kind)]
    assert mail["Content-Language"] == language
    # no out-of-office reply to a password link, as to every other message we send
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "All"
    assert "Zoé" in text_of(mail) and "Zoé" in html_of(mail)
    if kind == MessageKind.SIGN_IN_FAILURES:
        assert "11" in text_of(mail)
    else:
        [path] = re.findall(r"http://events\.test(/organiser/password/choose/\S+)", text_of(mail))
        assert f'href="http://events.test{path}"' in html_of(mail)
        assert organisers.organiser_for_token(path.rsplit("/", 1)[1]) == account
