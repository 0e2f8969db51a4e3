"""With CSRF protection on, as in production, a post without the form's token is refused."""

import pytest

from tests.public.html import page


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_registration_without_csrf_token_is_refused_and_stores_nothing(
    client, make_event, form_data, count_registrations
):
    make_event(slug="gps")

    response = client.post("/fr/events/gps/register", data=form_data())

    assert response.status_code == 400
    soup = page(response)
    assert soup.html["lang"] == "fr"
    assert soup.find("a", href="/fr/") is not None
    assert count_registrations() == 0


def test_registration_with_the_token_from_the_page_goes_through(
    client, make_event, form_data, count_registrations
):
    make_event(slug="gps")
    token = page(client.get("/fr/events/gps")).find("input", attrs={"name": "csrf_token"})["value"]

    response = client.post("/fr/events/gps/register", data=form_data(csrf_token=token))

    assert response.status_code == 303
    assert count_registrations() == 1


@pytest.mark.parametrize(
    ("locale", "expected"), [("fr", "Ce champ est requis."), ("es", "Este campo es obligatorio.")]
)
def test_the_form_s_own_messages_are_in_the_page_s_language(app, locale, expected):
    """The registration form reads WTForms' catalogue once per process (Flask-WTF reads it on
    every request); its messages are still the page's language."""
    from flask_babel import force_locale

    from eventsvc.public.forms import RegistrationFormBase

    with app.test_request_context(f"/{locale}/"), force_locale(locale):
        meta = RegistrationFormBase.Meta()
        assert meta.get_translations(None).gettext("This field is required.") == expected
