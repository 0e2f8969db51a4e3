"""The demo's past webinar, after the fact: its registrants, the Zoom participants report the
meeting would have produced for them, imported through the attendance service, and a
follow-up written and sent, so that a fresh ``make run`` shows attendance rates, arrivals,
unmatched rows and the follow-up's sent state.

The registrations are made through the real service at times before the webinar (the clock is
set back for each, then restored), the report is a CSV written with :mod:`csv` in the shape of
Zoom's meeting participants report (the format the attendance service reads), and the follow-up
is saved and scheduled by the follow-up service and expanded by the broadcast service as a mail
worker would. Nothing is delivered: nobody exists behind these example.org addresses, so the
follow-up's deliveries are marked sent instead of being handed to a mail server (the other demo
mail is withdrawn, see :mod:`eventsvc.demo.registrations`).
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from eventsvc.models.attendance import ReportFormat
from eventsvc.models.follow_up import Variant
from eventsvc.services import attendance, broadcasts, follow_ups
from eventsvc.services.inputs.follow_up import FollowUpData
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import RegistrationClosed, register

#: The demo's past webinar (events.json) and how many of the demo people registered for it.
PAST_WEBINAR = "right-to-care-latin-america-2026"
PAST_REGISTRANTS = 16
#: How long before the webinar the first of them registered (then one a day or so).
FIRST_REGISTRATION = timedelta(days=24)

ZOOM_TIME = "%m/%d/%Y %I:%M:%S %p"
ZOOM_HEADER = (
    "Name (original name)",
    "User email",
    "Join time",
    "Leave time",
    "Duration (minutes)",
    "Guest",
    "Recording disclaimer response",
    "In waiting room",
)


@dataclass(frozen=True)
class Stay:
    """One row of the report: minutes after the start when someone joined and left."""

    joined: int
    left: int


def stays_of(index: int, length: int) -> list[Stay]:
    """What the ``index``-th registrant did during a webinar of ``length`` minutes: most stayed
    (a few late or leaving early), some came back after losing the connection (overlapping
    rows, counted once), a few left early (not attended by the default 50 % rule), some never
    came."""
    if index % 5 == 4:
        return []  # registered, never came
    if index % 7 == 3:
        return [Stay(3, 3 + length // 4)]  # looked in, left early
    if index % 6 == 1:
        return [Stay(2, length // 2), Stay(length // 2 - 3, length - 4)]  # dropped, rejoined
    return [Stay(index % 5, length - (index % 4) * 6)]


#: Rows no registration matches: the host's own account, a guest on a tablet, a colleague who
#: was sent the link. They wait on the "unmatched" page, to match by hand or ignore.
UNMATCHED = (
    ("OMEP Events", "events@omep.example", Stay(-10, 95)),
    ("iPad de Lucía", "", Stay(8, 70)),
    ("Samuel Osei", "samuel.osei@mail.example", Stay(15, 80)),
)

FOLLOW_UP_TEXTS = {
    "en": {
        Variant.ATTENDED: (
            "Thank you for joining “The right to care and education in early childhood”",
            "Thank you for taking part. The recording and the survey are below; your answers "
            "shape the next regional dialogue.",
        ),
        Variant.ABSENT: (
            "Missed “The right to care and education in early childhood”? The recording",
            "We missed you. The whole session is recorded: the link is below, with a two-minute "
            "survey.",
        ),
    },
    "fr": {
        Variant.ATTENDED: (
            "Merci d’avoir participé à « Le droit à l’éducation et à la protection de la "
            "petite enfance »",
            "Merci de votre participation. L’enregistrement et le questionnaire sont ci-dessous "
            ": vos réponses orientent le prochain dialogue régional.",
        ),
        Variant.ABSENT: (
            "Vous n’avez pas pu venir ? L’enregistrement de « Le droit à l’éducation et à la "
            "protection de la petite enfance »",
            "Vous nous avez manqué. Toute la séance est enregistrée : le lien est ci-dessous, "
            "avec un questionnaire de deux minutes.",
        ),
    },
    "es": {
        Variant.ATTENDED: (
            "Gracias por participar en «El derecho a la educación y al cuidado en la primera "
            "infancia»",
            "Gracias por su participación. La grabación y la encuesta están a continuación: "
            "sus respuestas orientan el próximo diálogo regional.",
        ),
        Variant.ABSENT: (
            "¿No pudo asistir? La grabación de «El derecho a la educación y al cuidado en la "
            "primera infancia»",
            "Lo extrañamos. Toda la sesión quedó grabada: el enlace está a continuación, junto "
            "con una encuesta de dos minutos.",
        ),
    },
}


def seed_past_webinar(people: list, make_input: Callable[..., RegistrationInput]) -> int:
    """Registers ``people`` (the demo's, first :data:`PAST_REGISTRANTS`) for the past webinar
    as they would have before it, imports its generated Zoom report and sends its follow-up;
    returns how many registered. Nothing when the webinar is not in the demo or not over."""
    event = db.session.scalar(select(Event).where(Event.slug == PAST_WEBINAR))
    if event is None or not event.is_past():
        return 0
    registered = _register_beforehand(event, people[:PAST_REGISTRANTS], make_input)
    if not registered:
        return 0
    attendance.import_report(
        event,
        zoom_report(event),
        filename=f"zoom-participants-{event.slug}.csv",
        format=ReportFormat.ZOOM,
        timezone=event.timezone,
    )
    _send_follow_up(event)
    return registered


def _register_beforehand(event: Event, people: list, make_input) -> int:
    was_frozen = clock.now() if clock.is_frozen() else None
    opened = event.starts_at - FIRST_REGISTRATION
    step = FIRST_REGISTRATION / (len(people) + 1)
    count = 0
    try:
        for index, person in enumerate(people):
            clock.freeze(opened + step * index + timedelta(minutes=37 * index))
            try:
                register(event, make_input(index, person, event))
            except RegistrationClosed:
                break
            count += 1
    finally:
        clock.freeze(was_frozen)
    return count


def zoom_report(event: Event) -> bytes:
    """Zoom's meeting participants report for the webinar's confirmed registrants (times in the
    event's zone, as Zoom writes them for a host in that zone), with a BOM as Zoom's has."""
    length = int((event.ends_at - event.starts_at).total_seconds() // 60)
    start = clock.to_wall(event.starts_at, event.timezone).replace(tzinfo=None)
    people = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ZOOM_HEADER)

    def row(name: str, email: str, stay: Stay) -> None:
        joined = start + timedelta(minutes=stay.joined, seconds=17)
        left = start + timedelta(minutes=stay.left, seconds=4)
        minutes = round((left - joined).total_seconds() / 60)
        writer.writerow(
            (name, email, _zoom_time(joined), _zoom_time(left), minutes, "No", "OK", "No")
        )

    for index, registration in enumerate(people):
        for stay in stays_of(index, length):
            # Zoom shows the address as typed when signing in: not always as registered; one
            # in six joined without signing in, found by name.
            email = "" if index % 6 == 5 else registration.email
            row(registration.full_name, email.upper() if index % 4 == 2 else email, stay)
    for name, email, stay in UNMATCHED:
        row(name, email, stay)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _zoom_time(moment: datetime) -> str:
    return moment.strftime(ZOOM_TIME)


def _send_follow_up(event: Event) -> None:
    supported = current_app.config["SUPPORTED_LOCALES"]
    texts = {
        locale: {
            str(variant): {"subject": subject, "body": body}
            for variant, (subject, body) in by_variant.items()
        }
        for locale, by_variant in FOLLOW_UP_TEXTS.items()
        if locale in supported
    }
    data = FollowUpData.parse(
        texts,
        recording_url="https://video.example.org/clade/right-to-care-2026",
        survey_url="https://survey.example.org/right-to-care-2026",
    )
    follow_ups.save(event, data)
    follow_ups.schedule(event)
    # What a mail worker does when the follow-up is due (it is: the morning after is past).
    now = clock.now()
    while broadcasts.expand_next(now, chunk=500) is not None:
        pass
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.kind == MessageKind.FOLLOW_UP,
            OutboxMessage.status == MessageStatus.PENDING,
        )
        .values(status=MessageStatus.SENT, sent_at=now)
    )
