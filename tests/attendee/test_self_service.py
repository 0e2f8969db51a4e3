"""The registrant's own page: see, change languages, download the invite, cancel."""

import threading

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage, Registration
from eventsvc.services.tokens import make_token
from eventsvc.urls import join_url


def page_url(registration, lang="en", suffix=""):
    return f"/{lang}/registrations/{make_token(registration)}{suffix}"


def queued(registration, kind):
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == MessageStatus.PENDING,
        )
    ).all()


def fresh(registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def status_text(doc) -> str:
    return doc.select_one("dd[data-status]").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("lang", "start", "heading", "status"),
    [("en", "13:30", "Your registration", "Confirmed"), ("fr", "13:30", None, None)],
)
def test_manage_page_shows_the_registration_in_each_locale(
    client, make_event, make_registration, lang, start, heading, status
):
    event = make_event(title={"en": "GPS launch", "fr": "Lancement de la SMP"})
    registration = make_registration(event, full_name="Amina Diallo")

    response = client.get(page_url(registration, lang))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    doc = parse(response)
    assert doc.html["lang"] == lang
    assert "Amina Diallo" in doc.get_text()
    title = {"en": "GPS launch", "fr": "Lancement de la SMP"}[lang]
    assert title in doc.select_one("dl.registration-summary").get_text()
    (time,) = doc.select("time[data-localtime]")
    assert time["datetime"] == "2026-12-06T12:30:00Z"
    assert start in time.get_text() and "CET" in time.get_text()
    assert doc.select("a[href$='invite.ics']")
    assert doc.select_one(f"form[action$='{page_url(registration, lang, '/preferences')}']")
    if heading:
        assert doc.h1.get_text(strip=True) == heading
        assert status_text(doc) == status


def test_waitlisted_registration_shows_its_position_and_no_invite(
    client, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    make_registration(event)
    third = make_registration(event)

    doc = parse(client.get(page_url(third)))

    assert "position 2" in status_text(doc)
    assert not doc.select("a[href$='invite.ics']")
    assert client.get(page_url(third, suffix="/invite.ics")).status_code == 404


@pytest.mark.parametrize(
    "token",
    ["nonsense", "MQ.tampered-signature", None],
    ids=["unknown", "tampered", "other-secret"],
)
def test_unknown_or_tampered_token_is_a_plain_404(
    app, client, make_event, make_registration, token
):
    registration = make_registration(make_event())
    if token is None:
        from itsdangerous import URLSafeSerializer

        token = URLSafeSerializer("another-secret", salt="eventsvc.registration").dumps(
            registration.id
        )
    for suffix in ("", "/invite.ics", "/cancel", "/cancelled"):
        assert client.get(f"/en/registrations/{token}{suffix}").status_code == 404
    assert client.post(f"/en/registrations/{token}/cancel").status_code == 404
    assert registration.status == "confirmed"


def test_erased_registration_is_a_404(client, make_event, make_registration):
    from eventsvc import clock

    registration = make_registration(make_event())
    registration.anonymised_at = clock.now()
    db.session.commit()

    assert client.get(page_url(registration)).status_code == 404


def test_change_preferences_saves_both_languages(client, make_event, make_registration):
    event = make_event(floor_language="fr", interpretation_languages=("en", "fr"))
    registration = make_registration(event, language="fr")

    response = client.post(
        page_url(registration, "en", "/preferences"),
        data={"language": "en", "interpretation_language": "en"},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(page_url(registration, "en"))
    saved = fresh(registration)
    assert (saved.language, saved.interpretation_language) == ("en", "en")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your preferences have been saved." in page


def test_change_preferences_can_clear_the_interpretation_language(
    client, make_event, make_registration
):
    registration = make_registration(make_event(), interpretation_language="en")

    client.post(
        page_url(registration, suffix="/preferences"),
        data={"language": "fr", "interpretation_language": ""},
    )

    assert fresh(registration).interpretation_language is None


def test_change_preferences_refuses_a_language_not_offered(client, make_event, make_registration):
    registration = make_registration(make_event(interpretation_languages=("fr",)), language="fr")

    response = client.post(
        page_url(registration, suffix="/preferences"),
        data={"language": "de", "interpretation_language": "es"},
    )

    assert response.status_code == 400
    doc = parse(response)
    assert doc.select(".error-message")
    assert fresh(registration).language == "fr"


def test_pending_messages_follow_the_new_language(app, client, make_event, make_registration):
    """Messages are built when sent, so a queued message goes out in the new language."""
    registration = make_registration(make_event(), language="fr")
    client.post(page_url(registration, suffix="/preferences"), data={"language": "en"})

    (confirmation,) = queued(registration, MessageKind.CONFIRMATION)
    assert confirmation.registration.language == "en"
    assert "Registration confirmed" in str(messages.build(confirmation)["Subject"])


def test_invite_download_is_a_personal_request_invitation(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event, email="amina@example.org")

    response = client.get(page_url(registration, suffix="/invite.ics"))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["ATTENDEE"]).lower() == "mailto:amina@example.org"
    assert join_url(registration) in str(vevent["DESCRIPTION"])
    assert vevent["LOCATION"] == join_url(registration)
    assert b"meet.example.org" not in response.data


def test_cancel_asks_for_confirmation_first(client, make_event, make_registration):
    registration = make_registration(make_event())

    response = client.get(page_url(registration, suffix="/cancel"))

    assert response.status_code == 200
    doc = parse(response)
    (form,) = doc.select("form[method=post]")
    assert form["action"].endswith(page_url(registration, suffix="/cancel"))
    assert fresh(registration).status == "confirmed"


def test_cancel_frees_the_place_for_the_first_on_the_waitlist(
    client, make_event, make_registration
):
    event = make_event(capacity=1)
    leaving = make_registration(event)
    first_waiting = make_registration(event)
    second_waiting = make_registration(event)

    response = client.post(page_url(leaving, suffix="/cancel"))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(page_url(leaving, suffix="/cancelled"))
    assert fresh(leaving).status == "cancelled"
    assert queued(leaving, MessageKind.REGISTRATION_CANCELLED)
    assert not queued(leaving, MessageKind.REMINDER)
    assert fresh(first_waiting).status == "confirmed"
    assert queued(first_waiting, MessageKind.PROMOTED)
    assert fresh(second_waiting).status == "waitlisted"
    done = parse(client.get(response.headers["Location"]))
    assert done.h1.get_text(strip=True) == "Your registration is cancelled"


def test_cancelled_registration_page_says_so_and_offers_to_register_again(
    client, make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    client.post(page_url(registration, suffix="/cancel"))

    doc = parse(client.get(page_url(registration)))

    assert status_text(doc) == "Cancelled"
    again_links = [a for a in doc.select(f"a[href*='/en/events/{event.slug}']")]
    assert any("Register again" in a.get_text() for a in again_links)
    assert not doc.select("a[href$='/cancel']")
    assert client.get(page_url(registration, suffix="/invite.ics")).status_code == 404
    again = client.post(page_url(registration, suffix="/cancel"))
    assert again.status_code == 303 and again.headers["Location"].endswith(page_url(registration))


def test_cancel_without_csrf_token_is_refused(app, client, make_event, make_registration):
    registration = make_registration(make_event())
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post(page_url(registration, suffix="/cancel"))

    assert response.status_code == 400
    assert fresh(registration).status == "confirmed"


def test_cancel_with_csrf_token_from_the_confirmation_page(
    app, client, make_event, make_registration
):
    registration = make_registration(make_event())
    app.config["WTF_CSRF_ENABLED"] = True
    doc = parse(client.get(page_url(registration, suffix="/cancel")))
    token = doc.select_one("input[name=csrf_token]")["value"]

    response = client.post(page_url(registration, suffix="/cancel"), data={"csrf_token": token})

    assert response.status_code == 303
    assert fresh(registration).status == "cancelled"


def test_two_simultaneous_cancellations_promote_exactly_two(app, make_event, make_registration):
    event = make_event(capacity=2)
    leaving = [make_registration(event) for _ in range(2)]
    waiting = [make_registration(event) for _ in range(3)]
    urls = [page_url(registration, suffix="/cancel") for registration in leaving]
    start = threading.Barrier(len(urls))
    statuses = []

    def cancel(url):
        with app.test_client() as own_client:
            start.wait()
            statuses.append(own_client.post(url).status_code)

    threads = [threading.Thread(target=cancel, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [303, 303]
    after = [fresh(registration).status for registration in waiting]
    assert after == ["confirmed", "confirmed", "waitlisted"]
    promoted = [r for r in waiting if queued(r, MessageKind.PROMOTED)]
    assert len(promoted) == 2
