"""The registry of registration fields is what the form, the export, erasure, the statistics
and the personal page are built from: adding an entry reaches all of them."""

from eventsvc.models import Registration
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import exports, fields, privacy, stats


def test_every_stored_field_names_a_column_of_the_model():
    columns = set(Registration.__table__.columns.keys())
    assert {spec.column for spec in fields.BUILT_IN if spec.column} <= columns


def test_the_form_asks_every_field_in_the_registrys_order(app, make_event):
    event = make_event(interpretation_languages=["en"])
    with app.test_request_context("/en/"):
        form = RegistrationForm(event, formdata=None)
        asked = [spec.key for spec, _field in form.asked()]
        in_form = [field.name for field in form if field.name in fields.BY_KEY]
    assert asked == in_form == [spec.key for spec in fields.BUILT_IN]


def test_the_export_has_the_registrys_columns_in_order(app):
    titles = exports.header("en")
    expected = [str(column.title) for spec in fields.BUILT_IN for column in spec.exports]
    assert list(titles[2 : 2 + len(expected)]) == expected
    assert len(exports.XLSX_WIDTHS) == len(titles)


def test_erasure_writes_over_every_personal_field_and_nothing_else(app):
    erased = privacy._erasure("erased-1@invalid")
    personal = {spec.column for spec in fields.BUILT_IN if spec.erased is not None}
    assert personal | {"email_normalised", "mailbox", "newsletter_confirmed_at"} == set(erased)
    assert {"country", "language", "interpretation_language"}.isdisjoint(erased)
    assert erased["email"] == erased["email_normalised"] == "erased-1@invalid"


def test_the_statistics_count_the_fields_marked_for_it():
    assert list(stats.BREAKDOWN_FIELDS) == ["country", "language", "interpretation"]


def test_a_label_is_a_catalogue_string_or_one_text_per_locale(app):
    """Built-in fields' texts come from the catalogue; organiser-defined questions (issue 16)
    will carry one text per locale, read the same way."""
    assert fields.text_in(fields.BY_KEY["country"].title, "fr") == "Pays"
    role = {"en": "Your role", "fr": "Votre fonction"}
    assert fields.text_in(role, "fr") == "Votre fonction"
    assert fields.text_in(role, "es") == "Your role"
