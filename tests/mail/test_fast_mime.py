"""The mail policy writes headers without ``Header`` where that changes nothing: the bytes
are what compat32 writes."""

from email.policy import compat32

import pytest

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.mail.fast_mime import POLICY
from eventsvc.models import MessageKind
from eventsvc.services import outbox


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_built_message_is_written_as_compat32_writes_it(
    app, make_event, make_registration, language
):
    registration = make_registration(make_event(), full_name="Zoë Ngũgĩ", language=language)
    row = outbox.enqueue(MessageKind.CONFIRMATION, registration, payload={})
    db.session.commit()
    message = messages.build(row)

    ours = message.as_bytes(policy=POLICY.clone(linesep="\r\n"))

    assert ours == message.as_bytes(policy=compat32.clone(linesep="\r\n"))
    assert b"\n" not in ours.replace(b"\r\n", b"")
