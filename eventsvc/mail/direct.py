"""Mail sent at once, outside the outbox: an organiser's test copy of an announcement.

Nothing about registrants is stored or changed, so there is no row to write; the copy is built
like the real messages (:func:`eventsvc.mail.messages.build_test_announcement`) and delivered
while the organiser waits.
"""

from flask_babel import lazy_gettext as _l

from eventsvc.mail import messages, transport
from eventsvc.models import Event, Organiser
from eventsvc.services import DomainError
from eventsvc.services.announcements import texts_to_test


def send_announcement_test(
    event: Event, texts: dict[str, dict[str, str]], actor: Organiser
) -> list[str]:
    """Send ``actor`` one copy per written language, as registrants will get it. Returns the
    locales sent; raises :class:`DomainError` when nothing is written or the mail server
    refuses."""
    texts = texts_to_test(texts)
    name = actor.name or actor.email
    batch = {
        number: messages.build_test_announcement(event, text, locale, name, actor.email)
        for number, (locale, text) in enumerate(texts.items())
    }
    with transport.open_session() as session:
        results = {number: session.send(number, email) for number, email in batch.items()}
    if any(result.outcome != transport.Outcome.SENT for result in results.values()):
        details = "; ".join(r.detail for r in results.values() if r.detail)
        raise DomainError(
            _l("The test could not be sent: %(detail)s", detail=details or "mail server")
        )
    return list(texts)
