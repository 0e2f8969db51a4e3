"""The event editor as a newcomer meets it (issue 13, point 14): a slug made from the title,
join links completed with https://, every error in one round, any number of partners."""

import re

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event
from tests.organiser.test_events import event_form

NEW = "/organiser/events/new"


def stored(slug: str) -> Event | None:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_the_slug_is_made_from_the_title_when_left_empty(organiser):
    response = organiser.post(NEW, data=event_form(slug=""))
    assert response.status_code == 302
    assert stored("launch-of-the-global-partnership-strategy") is not None


def test_the_slug_checker_suggests_and_checks(organiser, make_event):
    make_event(slug="gps-launch")
    made = organiser.get("/organiser/events/slug-check", query_string={"title": "Стратегия 2026!"})
    assert made.json["slug"] == "strategiia-2026"
    assert made.json["available"] is True
    taken = organiser.get("/organiser/events/slug-check", query_string={"slug": "gps-launch"})
    assert taken.json["available"] is False
    assert "already uses" in taken.json["message"]
    own = organiser.get(
        "/organiser/events/slug-check", query_string={"slug": "gps-launch", "event": "gps-launch"}
    )
    assert own.json["available"] is True


def test_a_join_link_without_https_is_completed(organiser):
    response = organiser.post(NEW, data=event_form(online_url="zoom.us/j/123"))
    assert response.status_code == 302
    assert stored("gps-launch").online_url == "https://zoom.us/j/123"


def test_every_error_comes_in_one_round_with_a_linked_summary(organiser):
    form = event_form(capacity="0", start="2026-12-06T15:00", end="2026-12-06T14:00")
    form["fr-title"] = "x" * 300
    response = organiser.post(NEW, data=form)
    assert response.status_code == 422
    html = response.text
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))
    ]
    links = re.findall(r'<a href="#([\w-]+)">', summary)
    assert "capacity" in links  # the event input's check, on the field
    assert "end" in links  # the service's check, in the same round
    assert "fr-title" in links
    assert stored("gps-launch") is None


def test_any_number_of_partners(organiser, make_partner):
    acronyms = ["OMEP", "UNESCO", "ECDAN", "UNICEF", "ISSA"]
    for acronym in acronyms:
        make_partner(acronym)
    form = event_form(**{f"partners-{i}": a for i, a in enumerate(acronyms[:3])})
    page = organiser.post(NEW, data={**form, "add_partner": "1"})
    assert page.status_code == 200
    assert 'id="partners-3"' in page.text
    assert 'value="2026-12-06T13:30"' in page.text  # what was typed is kept
    form.update({f"partners-{i}": a for i, a in enumerate(acronyms)})
    assert organiser.post(NEW, data=form).status_code == 302
    assert [p.acronym for p in stored("gps-launch").partners] == acronyms


def test_the_inputs_slug_rule_is_shown_beside_the_slug_in_french(organiser):
    """The form has no slug pattern of its own: the event input's message is the one shown."""
    organiser.get("/locale/fr", query_string={"next": "/organiser/"})
    response = organiser.post(NEW, data=event_form(slug="Not A Slug", online_url="ftp://x.org"))
    assert response.status_code == 422
    html = response.text
    slug_errors = html[
        html.index('id="slug-error"') : html.index("</ul>", html.index('id="slug-error"'))
    ]
    assert "L’identifiant ne peut contenir que des lettres minuscules" in slug_errors
    link_errors = html[
        html.index('id="online_url-error"') : html.index(
            "</ul>", html.index('id="online_url-error"')
        )
    ]
    assert "Le lien de connexion doit être une adresse web commençant par https://." in link_errors
    assert 'maxlength="' in html[html.index('id="slug"') - 200 : html.index('id="slug"') + 200]
    assert stored("Not A Slug") is None


def test_the_slug_is_checked_as_typed_until_the_event_is_published(organiser, make_event):
    """The new-event page wires the slug to its checker (with the input's length as a hint);
    a published event's slug is read-only and not checked."""
    new = organiser.get(NEW).text
    slug_input = new[new.index('id="slug"') - 300 : new.index(">", new.index('id="slug"'))]
    assert "data-slug-check=" in slug_input
    assert 'maxlength="100"' in slug_input
    assert 'id="slug-status"' in new
    make_event(slug="gps-launch")  # published
    edit = organiser.get("/organiser/events/gps-launch/edit").text
    slug_input = edit[edit.index('id="slug"') - 300 : edit.index(">", edit.index('id="slug"'))]
    assert "readonly" in slug_input
    assert "data-slug-check=" not in slug_input
    assert 'id="slug-status"' not in edit
