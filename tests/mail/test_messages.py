"""Built messages, parsed as a mail client would: structure, headers, language, invite."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from eventsvc.extensions import db
from eventsvc.i18n import format_event_span
from eventsvc.mail import messages
from eventsvc.models import Announcement, FollowUp, MessageKind, RegistrationStatus
from eventsvc.models.outbox import ORGANISER_KINDS, SUBSCRIPTION_KINDS
from eventsvc.services import outbox, registrations
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import join_url
from tests.mail.reading import (
    attachment_part,
    calendar_of,
    calendar_part,
    html_of,
    parse,
    text_of,
    tree,
    vevent_of,
)

WITH_INVITE = [
    [
        "multipart/mixed",
        [
            ["multipart/alternative", ["text/plain", "text/html", "text/calendar"]],
            "text/calendar",
        ],
    ]
]


def payload_for(kind, registration, event) -> dict:
    """A payload as the services queue it for ``kind``."""
    if kind == MessageKind.REMINDER:
        return {"offset": 60}
    if kind == MessageKind.EVENT_UPDATED:
        return {
            "old_start": event.starts_at.isoformat(),
            "old_end": event.ends_at.isoformat(),
            "changes": ["title"],
        }
    if kind in (MessageKind.EVENT_CANCELLED, MessageKind.REGISTRATION_CANCELLED):
        return {"sequence": event.sequence + 1}
    if kind == MessageKind.ANNOUNCEMENT:
        announcement = Announcement(
            event_id=event.id, texts={"en": {"subject": "News", "body": "Hello"}}
        )
        db.session.add(announcement)
        db.session.flush()
        return {"announcement_id": announcement.id}
    if kind == MessageKind.FOLLOW_UP:
        follow_up = FollowUp(
            event_id=event.id,
            texts={"en": {"absent": {"subject": "Sorry", "body": "We missed you"}}},
        )
        db.session.add(follow_up)
        db.session.flush()
        return {"follow_up_id": follow_up.id, "variant": "absent"}
    return {}


@pytest.mark.parametrize(
    "kind", [kind for kind in MessageKind if kind not in ORGANISER_KINDS | SUBSCRIPTION_KINDS]
)
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_kind_builds_a_complete_message(make_event, make_registration, built, kind, language):
    event = make_event()
    registration = make_registration(event, language=language, full_name="Kofi Mensah")
    message = built(kind, registration, **payload_for(kind, registration, event))

    assert message["From"] == "OMEP events <events@events.test>"
    assert message["To"].addresses[0].addr_spec == registration.email
    # The newsletter and address confirmations carry no text from the form, not even the name.
    blind = (MessageKind.NEWSLETTER_CONFIRM, MessageKind.ADDRESS_CONFIRM)
    name = "" if kind in blind else "Kofi Mensah"
    assert message["To"].addresses[0].display_name == name
    assert message["Subject"]
    assert message["Date"].datetime == datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert message["Message-ID"].endswith("@events.test>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == language
    assert "List-Unsubscribe" not in message
    if kind in (MessageKind.ANNOUNCEMENT, MessageKind.FOLLOW_UP):  # their own greeting
        assert "Kofi Mensah" not in text_of(message)
        return
    assert ("Kofi Mensah" in text_of(message)) == bool(name)
    assert ("Kofi Mensah" in html_of(message)) == bool(name)


@pytest.mark.parametrize(
    ("kind", "method", "filename"),
    [
        (MessageKind.CONFIRMATION, "REQUEST", "gps-launch.ics"),
        (MessageKind.PROMOTED, "REQUEST", "gps-launch.ics"),
        (MessageKind.REMINDER, "REQUEST", "gps-launch.ics"),
        (MessageKind.EVENT_UPDATED, "REQUEST", "gps-launch.ics"),
        (MessageKind.EVENT_CANCELLED, "CANCEL", "gps-launch-cancelled.ics"),
        (MessageKind.REGISTRATION_CANCELLED, "CANCEL", "gps-launch-cancelled.ics"),
    ],
)
def test_calendar_messages_carry_the_file_inline_and_attached_with_one_method(
    make_event, make_registration, built, kind, method, filename
):
    """The file is named after the event: every invite was "invite.ics" before."""
    event = make_event(slug="gps-launch")
    registration = make_registration(event)
    message = built(kind, registration, **payload_for(kind, registration, event))

    assert [tree(message)] == WITH_INVITE
    inline = calendar_part(message)
    assert inline.get_param("method") == method
    assert inline.get_content_charset() == "utf-8"
    attachment = attachment_part(message)
    assert attachment.get_filename() == filename
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") is None
    assert attachment.get_content() == inline.get_content()
    assert calendar_of(message)["METHOD"] == method
    assert Calendar.from_ical(attachment.get_content())["METHOD"] == method


@pytest.mark.parametrize("kind", [MessageKind.WAITLISTED, MessageKind.ANNOUNCEMENT])
def test_messages_without_calendar_are_text_and_html(make_event, make_registration, built, kind):
    event = make_event()
    registration = make_registration(event)
    message = built(kind, registration, **payload_for(kind, registration, event))

    assert tree(message) == ["multipart/alternative", ["text/plain", "text/html"]]


def test_confirmation_in_french_formats_the_time_in_the_event_zone(
    make_event, make_registration, built
):
    event = make_event(online_url="https://meet.example.org/gps-launch")
    registration = make_registration(event, language="fr", interpretation_language="en")
    message = built(MessageKind.CONFIRMATION, registration)

    assert "https://meet.example.org/gps-launch" not in message.as_string()
    for body in (text_of(message), html_of(message)):
        assert "dimanche 6 décembre 2026, 13:30–14:30 CET (UTC+01:00)" in body
        assert join_url(registration) in body
        assert join_url(registration).startswith("http://events.test/fr/join/")
        assert "http://events.test/fr/registrations/" in body
        assert "anglais" in body
    assert message["Subject"] == f"Inscription confirmée\u00a0: Lancement de {event.slug}"
    assert text_of(message).startswith(f"Bonjour {registration.full_name},")
    assert '<html lang="fr" dir="ltr">' in html_of(message)


def test_confirmation_in_english_for_a_summer_event_shows_cest(
    make_event, make_registration, built
):
    event = make_event(start="2027-06-18T10:00", end="2027-06-18T11:30")
    message = built(MessageKind.CONFIRMATION, make_registration(event, language="en"))

    assert format_event_span(event.starts_at, event.ends_at, event.timezone, "en") in text_of(
        message
    )
    assert "18 June 2027" in text_of(message)
    assert "CEST (UTC+02:00)" in text_of(message)
    assert f"Launch of {event.slug}" in message["Subject"]
    assert "http://events.test/en/registrations/" in text_of(message)


def test_message_is_rendered_in_the_registrants_locale_whatever_the_current_one(
    app, make_event, make_registration
):
    registration = make_registration(make_event(), language="fr")
    message = outbox.enqueue(MessageKind.CONFIRMATION, registration)
    db.session.commit()

    with app.test_request_context("/en/"):
        built = parse(messages.build(message).as_bytes())

    assert "décembre" in text_of(built)
    assert "December" not in text_of(built)


def test_invite_in_the_mail_names_the_right_instant(make_event, make_registration, built):
    event = make_event(start="2026-12-06T13:30", end="2026-12-06T14:30")
    message = built(MessageKind.CONFIRMATION, make_registration(event))
    vevent = vevent_of(message)

    assert vevent.start.astimezone(UTC) == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert vevent.end.astimezone(UTC) == datetime(2026, 12, 6, 13, 30, tzinfo=UTC)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert [tz.tz_name for tz in calendar_of(message).timezones] == ["Europe/Paris"]


def test_waitlist_notice_gives_the_position_and_no_join_link(make_event, make_registration, built):
    event = make_event(capacity=1, online_url="https://meet.example.org/private")
    make_registration(event)
    make_registration(event)
    third = make_registration(event, language="en")
    assert third.status == RegistrationStatus.WAITLISTED

    message = built(MessageKind.WAITLISTED, third)

    assert "You are number 2 on the waitlist." in text_of(message)
    assert "https://meet.example.org/private" not in message.as_string()
    assert "http://events.test/en/registrations/" in text_of(message)


def test_reminder_has_join_link_interpretation_and_current_invite(
    make_event, make_registration, built, frozen_clock
):
    event = make_event(online_url="https://meet.example.org/gps-launch")
    registration = make_registration(event, language="en", interpretation_language="fr")
    event.online_url = "https://meet.example.org/new-room"
    event.sequence = 2
    db.session.commit()
    frozen_clock.set(event.starts_at - timedelta(minutes=60))

    message = built(MessageKind.REMINDER, registration, offset=60)

    body = text_of(message)
    assert "starts in 1 hour" in message["Subject"]
    assert join_url(registration) in body
    assert "https://meet.example.org/" not in message.as_string()
    assert "French" in body
    assert "Interpretation" in body
    assert format_event_span(event.starts_at, event.ends_at, event.timezone, "en") in body
    assert "CET (UTC+01:00)" in body
    vevent = vevent_of(message)
    assert vevent["SEQUENCE"] == 2
    assert vevent["URL"] == join_url(registration)


def test_update_says_old_and_new_time_with_a_newer_invite(make_event, make_registration, built):
    event = make_event()
    registration = make_registration(event, language="en")
    first_invite = vevent_of(built(MessageKind.CONFIRMATION, registration))
    old_start, old_end = event.starts_at, event.ends_at
    event.starts_at = old_start + timedelta(hours=1)
    event.ends_at = old_end + timedelta(hours=1)
    event.sequence += 1
    db.session.commit()

    message = built(
        MessageKind.EVENT_UPDATED,
        registration,
        old_start=old_start.isoformat(),
        old_end=old_end.isoformat(),
        changes=["time"],
    )

    body = text_of(message)
    assert format_event_span(old_start, old_end, "Europe/Paris", "en") in body
    assert format_event_span(event.starts_at, event.ends_at, "Europe/Paris", "en") in body
    assert calendar_part(message).get_param("method") == "REQUEST"
    vevent = vevent_of(message)
    assert vevent["UID"] == first_invite["UID"]
    assert vevent["SEQUENCE"] > first_invite["SEQUENCE"]
    assert vevent.start.astimezone(UTC) == datetime(2026, 12, 6, 13, 30, tzinfo=UTC)


def test_event_cancellation_cancels_the_calendar_entry(make_event, make_registration, built):
    event = make_event()
    registration = make_registration(event)
    first_invite = vevent_of(built(MessageKind.CONFIRMATION, registration))
    event.sequence += 1
    db.session.commit()

    message = built(MessageKind.EVENT_CANCELLED, registration, sequence=event.sequence)

    vevent = vevent_of(message)
    assert calendar_part(message).get_param("method") == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == first_invite["UID"]
    assert vevent["SEQUENCE"] > first_invite["SEQUENCE"]


def test_registrant_cancelling_gets_a_cancel_newer_than_their_invite(
    make_event, make_registration, built
):
    event = make_event()
    registration = make_registration(event)
    invite = vevent_of(built(MessageKind.CONFIRMATION, registration))

    with unit_of_work():
        registrations.cancel(registration)
    queued = next(
        m
        for m in db.session.scalars(db.select(outbox.OutboxMessage))
        if m.kind == MessageKind.REGISTRATION_CANCELLED
    )
    message = parse(messages.build(queued).as_bytes())

    vevent = vevent_of(message)
    assert calendar_of(message)["METHOD"] == "CANCEL"
    assert vevent["UID"] == invite["UID"]
    assert vevent["SEQUENCE"] > invite["SEQUENCE"]
    assert vevent["ATTENDEE"] == f"mailto:{registration.email}"


def test_announcement_in_the_registrants_language_with_fallback(
    make_event, make_registration, built
):
    event = make_event()
    announcement = Announcement(
        event_id=event.id,
        texts={
            "fr": {"subject": "Nouvelles, важно", "body": "Bonjour <b>à tous</b>\n\nDeux"},
            "en": {"subject": "News", "body": "Hello"},
        },
    )
    only_english = Announcement(event_id=event.id, texts={"en": {"subject": "News", "body": "Hi"}})
    db.session.add_all([announcement, only_english])
    db.session.commit()
    registration = make_registration(event, language="fr")

    french = built(MessageKind.ANNOUNCEMENT, registration, announcement_id=announcement.id)
    fallback = built(MessageKind.ANNOUNCEMENT, registration, announcement_id=only_english.id)

    assert french["Subject"] == "Nouvelles, важно"
    assert "Bonjour <b>à tous</b>" in text_of(french)
    assert "Bonjour &lt;b&gt;à tous&lt;/b&gt;" in html_of(french)
    assert "<b>" not in html_of(french)
    assert fallback["Subject"] == "News"


def test_name_with_line_breaks_cannot_inject_headers(make_event, make_registration, built):
    registration = make_registration(
        make_event(), full_name="Mallory\r\nBcc: victim@example.org\r\nX-Evil: 1"
    )

    message = built(MessageKind.CONFIRMATION, registration)

    assert "Bcc" not in message
    assert "X-Evil" not in message
    assert [address.addr_spec for address in message["To"].addresses] == [registration.email]
    assert message["To"].addresses[0].display_name == ("Mallory Bcc: victim@example.org X-Evil: 1")


def test_non_latin_name_and_title_are_encoded_and_round_trip(make_event, make_registration, built):
    title = "Стратегия, شراكة; 2026 — a title long enough to need folding in the header"
    event = make_event(title={"en": title, "fr": title})
    registration = make_registration(event, full_name="Јована Петровић")

    message = built(MessageKind.CONFIRMATION, registration)

    assert message["To"].addresses[0].display_name == "Јована Петровић"
    assert title in message["Subject"]
    assert vevent_of(message)["SUMMARY"] == title
    assert message.as_bytes().isascii()


def test_subject_keeps_every_character_of_the_title(make_event, make_registration, built):
    title = "Bilan\u202f2026\u00a0: «\u202fÉcoles\u202f» et  réseaux"
    event = make_event(title={"en": title, "fr": title})

    message = built(MessageKind.CONFIRMATION, make_registration(event, language="fr"))

    assert message["Subject"] == f"Inscription confirmée\u00a0: {title}"


@pytest.mark.parametrize("kind", [MessageKind.CONFIRMATION, MessageKind.WAITLISTED])
def test_text_parts_are_in_canonical_crlf_form(make_event, make_registration, built, kind):
    event = make_event(capacity=0 if kind == MessageKind.WAITLISTED else None)
    message = built(kind, make_registration(event))
    for subtype in ("plain", "html"):
        raw = message.get_body((subtype,)).get_payload(decode=True)
        assert b"\r\n" in raw
        assert b"\n" not in raw.replace(b"\r\n", b"")


def test_message_id_is_the_outbox_rows_and_stable_across_builds(
    make_event, make_registration, frozen_clock
):
    registration = make_registration(make_event())
    row = outbox.enqueue(MessageKind.CONFIRMATION, registration)
    db.session.commit()

    first = messages.build(row)
    frozen_clock.advance(timedelta(minutes=5))
    second = messages.build(row)

    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert second["Date"] != first["Date"]


def test_no_line_is_longer_than_smtp_allows(make_event, make_registration, built):
    event = make_event()
    announcement = Announcement(
        event_id=event.id, texts={"fr": {"subject": "Long", "body": "mot " * 2000}}
    )
    db.session.add(announcement)
    db.session.commit()
    registration = make_registration(event)

    message = built(MessageKind.ANNOUNCEMENT, registration, announcement_id=announcement.id)

    assert max(len(line) for line in message.as_bytes().splitlines()) <= 998


def test_name_is_escaped_in_html_and_kept_in_text(make_event, make_registration, built):
    registration = make_registration(make_event(), full_name="<b>Bob</b> & Co")

    message = built(MessageKind.CONFIRMATION, registration)

    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in html_of(message)
    assert "<b>Bob</b>" not in html_of(message)
    assert "<b>Bob</b> & Co," in text_of(message)


def test_confirmation_sent_over_smtp_arrives_in_french_with_its_invite(
    smtp_app, smtp, make_event, make_registration
):
    from eventsvc.mail.dispatcher import dispatch_due

    event = make_event()
    registration = make_registration(event, language="fr", email="awa@example.org")

    dispatch_due()

    (message,) = smtp.to("awa@example.org")
    assert [tree(message)] == WITH_INVITE
    assert "6 décembre 2026" in text_of(message)
    assert "CET" in text_of(message)
    assert calendar_part(message).get_param("method") == "REQUEST"
    vevent = vevent_of(message)
    assert vevent.start.astimezone(UTC) == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert vevent["ATTENDEE"] == f"mailto:{registration.email}"


def test_french_reminder_names_the_interpretation_languages_as_french_writes_them(
    make_event, make_registration, built
):
    event = make_event(interpretation_languages=("en", "fr"))
    registration = make_registration(event, language="fr")
    body = text_of(built(MessageKind.REMINDER, registration, offset=60))
    assert "anglais et français" in body
