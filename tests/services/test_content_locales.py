"""Which locales an event must be published with, and the one fallback rule for texts (§8)."""

import pytest

from eventsvc.extensions import db
from eventsvc.i18n import best_text, default_required_locales
from eventsvc.models import EventStatus, Partner
from eventsvc.services.events import (
    ValidationFailed,
    create_event,
    publish_event,
    update_event,
    validate,
)
from tests.factories import gps_launch_data

SPANISH = {"title": "Lanzamiento", "summary": "En línea.", "description": ""}


@pytest.fixture
def app_config():
    return {"SUPPORTED_LOCALES": ["en", "fr", "es"]}


def _messages(errors) -> dict[str, list[str]]:
    return {key: [str(m) for m in messages] for key, messages in errors.items()}


def test_a_new_event_needs_its_floor_language_and_the_configured_ones(app):
    assert default_required_locales("fr") == ["en", "fr"]
    assert default_required_locales("es") == ["en", "fr", "es"]
    assert default_required_locales("sw") == ["en", "fr"]  # not an interface language
    app.config["REQUIRED_CONTENT_LOCALES"] = []
    assert default_required_locales("es") == ["es"]
    assert default_required_locales("sw") == ["en"]  # DEFAULT_LOCALE: never none at all


def test_a_spanish_floor_event_is_published_only_with_spanish_texts(app):
    data = gps_launch_data(floor_language="es")

    assert _messages(validate(data)) == {
        "title.es": ["A title in Spanish is needed to publish."],
        "summary.es": ["A summary in Spanish is needed to publish."],
    }
    event = create_event(gps_launch_data(floor_language="es", texts={**data.texts, "es": SPANISH}))
    assert event.required_locales == ["en", "fr", "es"]


def test_adding_a_supported_locale_leaves_published_events_editable(app):
    app.config["SUPPORTED_LOCALES"] = ["en", "fr"]
    event = create_event(gps_launch_data())
    assert event.required_locales == ["en", "fr"]

    app.config["SUPPORTED_LOCALES"] = ["en", "fr", "es"]
    texts = gps_launch_data().texts
    changed = {**texts, "en": {**texts["en"], "summary": "Still no Spanish."}}
    summary = update_event(event, gps_launch_data(texts=changed))

    assert summary.fields == ["summary.en"]
    assert event.status == EventStatus.PUBLISHED
    assert event.publish_locales == ["en", "fr"]


def test_an_event_can_name_its_required_locales_among_the_supported_ones(app):
    draft = gps_launch_data(status=EventStatus.DRAFT, required_locales=["fr", "xx"])
    assert _messages(validate(draft)) == {
        "required_locales": ["Texts in “xx” are not supported here (supported: en, fr, es)."]
    }

    only_french = {"fr": gps_launch_data().texts["fr"]}
    event = create_event(
        gps_launch_data(status=EventStatus.DRAFT, texts=only_french, required_locales=["fr"])
    )
    assert publish_event(event).status == EventStatus.PUBLISHED
    assert event.publish_locales == ["fr"]


def test_publishing_a_draft_asks_for_the_texts_it_lacks_in_its_own_required_locales(app):
    event = create_event(
        gps_launch_data(status=EventStatus.DRAFT, texts={"en": gps_launch_data().texts["en"]})
    )
    with pytest.raises(ValidationFailed) as refused:
        publish_event(event)
    assert sorted(refused.value.errors) == ["summary.fr", "title.fr"]


def test_best_text_prefers_the_locale_then_the_given_ones_then_default_then_configured(app):
    texts = {"es": "hola", "fr": "bonjour", "en": "hello", "de": "hallo"}
    assert best_text(texts, "es") == ("hola", "es")
    assert best_text({**texts, "es": ""}, "es", "fr") == ("bonjour", "fr")
    assert best_text({**texts, "es": ""}, "es") == ("hello", "en")
    assert best_text({"de": "hallo", "es": "hola"}, "pt") == ("hola", "es")
    assert best_text({"de": "hallo"}, "pt") == ("hallo", "de")
    assert best_text({}, "pt") == (None, "")


def test_event_and_partner_texts_fall_back_past_empty_ones(app, make_event):
    event = make_event(floor_language="fr", title={"en": "Launch", "fr": "Lancement"})
    event.set_content("es", title="", summary="", description="")
    partner = Partner(acronym="OMEP")
    partner.set_text("en", name="OMEP world", description="")
    partner.set_text("es", name="", description="Solo la descripción.")
    db.session.add(partner)
    db.session.commit()

    assert (event.content("es").locale, event.content("es").title) == ("fr", "Lancement")
    assert event.content("en").locale == "en"
    assert (partner.text("es").locale, partner.text("es").name) == ("en", "OMEP world")
