"""The follow-up after an event (issue 18), through the outbox to a real SMTP sink: two variants
in three languages, each registrant once, never the cancelled, the certificate attached to the
attendees' variant, the default time the morning after at 09:00 in each registrant's zone."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due, expand_all
from eventsvc.models import LIVE, Broadcast, MessageKind, MessageStatus, OutboxMessage
from eventsvc.services import DomainError, follow_ups, registrations
from eventsvc.services.inputs.follow_up import FollowUpData
from eventsvc.unit_of_work import unit_of_work
from tests.certificate_helpers import mark_attended, pdf_text
from tests.mail.reading import html_of, parse, text_of

TEXTS = {
    "en": {
        "attended": {"subject": "Thank you for coming", "body": "Dear participant,\n\n**Thanks**"},
        "absent": {"subject": "Sorry we missed you", "body": "Dear registrant,\n\nWe missed you."},
    },
    "fr": {
        "attended": {"subject": "Merci d’être venu·e", "body": "Bonjour,\n\n**Merci**"},
        "absent": {"subject": "Vous nous avez manqué", "body": "Bonjour,\n\nDommage."},
    },
    "es": {
        "attended": {"subject": "Gracias por venir", "body": "Estimado participante:\n\nGracias."},
        "absent": {"subject": "Lo extrañamos", "body": "Estimado inscrito:\n\nLo extrañamos."},
    },
}


@pytest.fixture
def event(make_event):
    """Sunday 6 December 2026, 13:30–14:30 in Paris."""
    return make_event(slug="gps")


@pytest.fixture
def people(event, make_registration, frozen_clock):
    people = {
        "zoe": make_registration(event, language="fr", full_name="Zoë Ñúñez"),
        "eleni": make_registration(
            event, language="es", full_name="Ἑλένη Ἀθανασίου", timezone="America/Bogota"
        ),
        "anna": make_registration(
            event, language="en", full_name="Анна Каренина", timezone="Asia/Tokyo"
        ),
        "pablo": make_registration(event, language="es", full_name="Pablo Ausente"),
        "cancelled": make_registration(event, language="en", full_name="Changed Mind"),
    }
    mark_attended(people["zoe"], 58)
    mark_attended(people["eleni"], 47)
    mark_attended(people["anna"], 4, attended=False)
    mark_attended(people["cancelled"], 58)
    with unit_of_work():
        registrations.cancel(people["cancelled"])
    frozen_clock.set(event.ends_at + timedelta(hours=3))
    return people


def _write(event, **changes):
    data = FollowUpData.parse(
        changes.pop("texts", TEXTS),
        recording_url="https://video.example.org/gps",
        survey_url="survey.example.org/gps",
        attach_certificate=changes.pop("attach_certificate", True),
        **changes,
    )
    with unit_of_work():
        follow_ups.save(event, data)


def _schedule(event):
    with unit_of_work():
        return follow_ups.schedule(event)


def _follow_ups(registration=None):
    """The follow-up's deliveries, once the worker has expanded it: at the broadcast's due
    time (the earliest recipient's), the clock put back where it was."""
    db.session.expire_all()
    due = db.session.scalars(
        select(Broadcast.due_at).where(
            Broadcast.kind == MessageKind.FOLLOW_UP, Broadcast.status.in_(LIVE)
        )
    ).all()
    if due:
        now = clock.now()
        clock.freeze(max(max(due), now))
        expand_all()
        clock.freeze(now)
        db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == MessageKind.FOLLOW_UP)
    if registration is not None:
        query = query.where(OutboxMessage.registration_id == registration.id)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


_FOLLOW_UP = OutboxMessage.kind == MessageKind.FOLLOW_UP


def _received(smtp, address):
    return [parse(raw.as_bytes()) for raw in smtp.to(address)]


def test_each_registrant_gets_their_variant_in_their_language_once(
    smtp_app, smtp, event, people, frozen_clock
):
    dispatch_due()  # the confirmations and reminders, sent long ago
    smtp.clear()
    _write(event)
    scheduled = _schedule(event)
    assert (scheduled.attended, scheduled.absent) == (2, 2)

    frozen_clock.set(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))  # every default time passed
    dispatch_due()

    (zoe,) = _received(smtp, people["zoe"].email)
    assert str(zoe["Subject"]) == "Merci d’être venu·e"
    assert "<strong>Merci</strong>" in html_of(zoe)
    assert "https://video.example.org/gps" in text_of(zoe)
    assert "https://survey.example.org/gps" in text_of(zoe)
    attachment = next(part for part in zoe.walk() if part.get_content_type() == "application/pdf")
    certificate = pdf_text(attachment.get_content())
    assert "Zoë Ñúñez" in certificate and "Certificat de présence" in certificate

    (eleni,) = _received(smtp, people["eleni"].email)
    assert str(eleni["Subject"]) == "Gracias por venir"
    attachment = next(part for part in eleni.walk() if part.get_content_type() == "application/pdf")
    assert "Ἑλένη Ἀθανασίου" in pdf_text(attachment.get_content())

    (anna,) = _received(smtp, people["anna"].email)
    assert str(anna["Subject"]) == "Sorry we missed you"
    assert not any(part.get_content_type() == "application/pdf" for part in anna.walk())
    (pablo,) = _received(smtp, people["pablo"].email)
    assert str(pablo["Subject"]) == "Lo extrañamos"
    assert "Lo extrañamos." in text_of(pablo)

    assert _received(smtp, people["cancelled"].email) == []

    again = _schedule(event)
    dispatch_due()
    assert (again.attended, again.absent) == (0, 0)
    assert len(smtp.messages) == 4


def test_by_default_it_goes_the_morning_after_at_nine_in_each_registrants_zone(app, event, people):
    _write(event)
    _schedule(event)

    due = {message.registration_id: message.due_at for message in _follow_ups()}
    # Paris (the event's zone, for those whose zone is unknown): 7 December, 09:00 CET.
    assert due[people["zoe"].id] == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert due[people["pablo"].id] == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    # Bogotá (UTC−5): the event ended at 08:30 there on the 6th: 7 December, 09:00 local.
    assert due[people["eleni"].id] == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    # Tokyo (UTC+9): the event ended at 22:30 on the 6th there: 7 December, 09:00 local.
    assert due[people["anna"].id] == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert people["cancelled"].id not in due


def test_a_chosen_time_applies_to_its_variant(app, event, people):
    at = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
    _write(event, send_at={"absent": at})
    _schedule(event)

    assert _follow_ups(people["pablo"])[0].due_at == at
    assert _follow_ups(people["zoe"])[0].due_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_cancelling_after_scheduling_withdraws_it(app, event, people):
    _write(event)
    _schedule(event)

    with unit_of_work():  # before the worker expands the follow-up: nothing is written for her
        registrations.cancel(people["pablo"])
    assert _follow_ups(people["pablo"]) == []
    assert len(_follow_ups()) == 3

    with unit_of_work():  # after: her delivery is withdrawn
        registrations.cancel(people["zoe"])
    assert [m.status for m in _follow_ups(people["zoe"])] == [MessageStatus.CANCELLED]


def test_rescheduling_moves_the_one_row_and_the_worker_writes_each_once(
    app, event, people, frozen_clock
):
    _write(event)
    _schedule(event)
    at = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
    _write(event, send_at={"absent": at, "attended": at})
    _schedule(event)

    [broadcast] = db.session.scalars(
        select(Broadcast).where(Broadcast.kind == MessageKind.FOLLOW_UP)
    ).all()
    assert (broadcast.due_at, broadcast.status) == (at, "scheduled")  # moved, not doubled
    frozen_clock.set(at - timedelta(minutes=1))
    assert expand_all() == 0  # not due yet: nothing written
    assert db.session.scalars(select(OutboxMessage).where(_FOLLOW_UP)).all() == []
    frozen_clock.set(at)
    rows = _follow_ups()
    assert sorted(m.registration_id for m in rows) == sorted(
        people[name].id for name in ("zoe", "eleni", "anna", "pablo")
    )
    assert {m.due_at for m in rows} == {at}
    variants = {m.registration_id: m.payload["variant"] for m in rows}
    assert variants[people["zoe"].id] == "attended" and variants[people["anna"].id] == "absent"


def test_a_language_a_variants_recipients_read_must_be_written(app, event, people):
    texts = {locale: dict(variants) for locale, variants in TEXTS.items()}
    del texts["es"]["absent"]
    _write(event, texts=texts)

    with pytest.raises(DomainError, match="absent/es"):
        _schedule(event)
    assert _follow_ups() == []


def test_not_before_the_event_is_over(app, event, make_registration, frozen_clock):
    make_registration(event)
    _write(event)

    frozen_clock.set(event.ends_at - timedelta(minutes=5))
    with pytest.raises(DomainError):
        _schedule(event)


def test_the_personal_page_shows_it_once_sent(smtp_app, smtp, client, event, people, frozen_clock):
    from tests.attendee.test_self_service import page_url
    from tests.attendee.test_self_service import parse as parse_page

    _write(event)
    _schedule(event)
    before = parse_page(client.get(page_url(people["pablo"], "es")))
    assert before.select_one(".follow-up") is None

    frozen_clock.set(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))
    dispatch_due()

    page = parse_page(client.get(page_url(people["pablo"], "es")))
    section = page.select_one(".follow-up").get_text(" ", strip=True)
    assert "Lo extrañamos" in section and "Ver la grabación" in section
    zoe = parse_page(client.get(page_url(people["zoe"], "fr"))).select_one(".follow-up")
    assert "Merci" in zoe.get_text(" ", strip=True)
    assert zoe.select_one("a.button")["href"].endswith("/certificate.pdf")


def test_the_slides_are_linked_through_the_personal_page(app, built, event, people):
    from fpdf import FPDF

    from eventsvc.models import FollowUp
    from eventsvc.urls import manage_url

    pdf = FPDF()
    pdf.add_page()
    _write(event, attach_certificate=False)
    with unit_of_work():
        follow_ups.store_slides(event, bytes(pdf.output()))
    follow_up = db.session.scalar(select(FollowUp))

    message = built(
        MessageKind.FOLLOW_UP, people["pablo"], follow_up_id=follow_up.id, variant="absent"
    )

    link = manage_url(people["pablo"]) + "/slides.pdf"
    assert f"Diapositivas (PDF): {link}" in text_of(message)
    assert f'href="{link}"' in html_of(message)
    assert not any(part.get_content_type() == "application/pdf" for part in message.walk())


def test_scheduling_again_leaves_a_message_a_worker_holds(app, event, people, frozen_clock):
    _write(event)
    _schedule(event)
    held = _follow_ups(people["zoe"])[0]
    held.claimed_until = frozen_clock.now + timedelta(minutes=5)
    held.claimed_by = "worker-1"
    db.session.commit()

    _schedule(event)

    zoe = _follow_ups(people["zoe"])
    assert [(m.id, m.status) for m in zoe] == [(held.id, MessageStatus.PENDING)]
    pablo = [m.status for m in _follow_ups(people["pablo"])]
    assert pablo == [MessageStatus.CANCELLED, MessageStatus.PENDING]  # planned afresh
