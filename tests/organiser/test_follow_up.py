"""The organiser's follow-up page (issue 18): write per language and variant, preview, bad
input on its field, slides checked as a real PDF and served to registrants only, scheduling."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Broadcast, MessageKind
from tests.attendee.test_self_service import page_url, parse
from tests.certificate_helpers import mark_attended
from tests.factories import pending

VARIANTS = ("attended", "absent")


@pytest.fixture
def event(make_event):
    return make_event(slug="gps")


@pytest.fixture
def url(event):
    return f"/organiser/events/{event.slug}/follow-up"


@pytest.fixture
def people(event, make_registration, frozen_clock):
    came = make_registration(event, language="fr", full_name="Zoë")
    missed = make_registration(event, language="en", full_name="Sam")
    mark_attended(came, 50)
    frozen_clock.set(event.ends_at + timedelta(hours=1))
    return came, missed


def _form(button="save", **changes):
    data = {button: "1", "recording_url": "video.example.org/gps", "survey_url": ""}
    for locale in ("en", "fr", "es"):
        for variant in VARIANTS:
            data[f"{variant}_{locale}-subject"] = f"{variant} {locale} subject"
            data[f"{variant}_{locale}-body"] = f"{variant} {locale} **body**"
    data.update(changes)
    return data


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Slides")
    return bytes(pdf.output())


def test_saving_shows_a_preview_per_language_and_variant(people, signed_in, url):
    response = signed_in.post(url, data=_form())
    assert response.status_code == 303

    page = parse(signed_in.get(url))
    previews = page.select(".mail-preview")
    assert len(previews) == 6
    texts = [p.get_text(" ", strip=True) for p in previews]
    assert any("absent es subject" in t and "absent es **body**" in t for t in texts)
    assert "https://video.example.org/gps" in texts[0]
    assert page.select_one("#follow-up-counts").get_text(strip=True) == (
        "Now: 1 attended, 1 did not."
    )


def test_a_bad_link_is_shown_on_its_field(people, signed_in, url):
    response = signed_in.post(url, data=_form(survey_url="javascript:alert(1)"))

    assert response.status_code == 422
    page = parse(response)
    assert page.select_one("#survey_url-error").get_text(strip=True) == (
        "Enter a web address starting with https://."
    )


def test_a_subject_without_a_message_is_refused(people, signed_in, url):
    response = signed_in.post(url, data=_form(**{"absent_fr-body": ""}))

    assert response.status_code == 422
    assert parse(response).select_one("#absent_fr-body-error") is not None


def test_scheduling_queues_one_message_each(people, signed_in, url, frozen_clock):
    response = signed_in.post(url, data=_form("schedule"), follow_redirects=True)

    assert "1 attendees, 1 others" in response.get_data(as_text=True)
    # One row for the follow-up, none per registrant, until it is due and the worker expands it.
    [broadcast] = db.session.scalars(
        select(Broadcast).where(Broadcast.kind == MessageKind.FOLLOW_UP)
    ).all()
    assert broadcast.kind == MessageKind.FOLLOW_UP
    assert pending(MessageKind.FOLLOW_UP) == []
    frozen_clock.set(broadcast.due_at)
    assert len(pending(MessageKind.FOLLOW_UP)) == 2


def test_slides_are_checked_stored_and_served_to_registrants_only(
    app, people, signed_in, client, url, event
):
    response = signed_in.post(
        f"{url}/slides",
        data={"upload": "1", "slides": (io.BytesIO(_pdf()), "slides.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The slides have been uploaded." in response.get_data(as_text=True)
    stored = list((Path(app.instance_path) / "follow-ups").rglob("*.pdf"))
    assert len(stored) == 1

    served = client.get(page_url(people[1], suffix="/slides.pdf"))
    assert served.status_code == 200 and served.data.startswith(b"%PDF-")
    assert served.headers["Cache-Control"] == "no-store"
    assert client.get("/en/registrations/not-a-token/slides.pdf").status_code == 404
    assert client.get(f"/en/events/{event.slug}/slides.pdf").status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!doctype html><html><body>Not slides</body></html>", "This file is not a PDF"),
        (b"%PDF-1.7\n% a header and nothing else", "This PDF file cannot be read"),
        (b"", "Choose a PDF file."),
    ],
)
def test_a_file_that_is_not_a_real_pdf_is_refused(people, signed_in, url, content, message):
    response = signed_in.post(
        f"{url}/slides",
        data={"upload": "1", "slides": (io.BytesIO(content), "slides.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert message in response.get_data(as_text=True)
    assert "The slides have been uploaded." not in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused(app, people, signed_in, url):
    app.config["FOLLOW_UP_SLIDES_MAX_BYTES"] = 1000
    big = _pdf() + b"%" + b"x" * 2000

    response = signed_in.post(
        f"{url}/slides",
        data={"upload": "1", "slides": (io.BytesIO(big), "slides.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "The file is too large" in response.get_data(as_text=True)
