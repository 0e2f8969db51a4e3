"""The certificate of attendance as a PDF (issue 18): text read back with pypdf, in the
registrant's language and script, the page size, the partners' logos."""

import io
from datetime import timedelta

import pytest
from PIL import Image

from eventsvc import certificates as certificate_pdf
from eventsvc.services import certificates
from eventsvc.unit_of_work import unit_of_work
from tests.certificate_helpers import mark_attended, pdf_reader, pdf_text


def _png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def event(make_event, make_partner):
    omep = make_partner("OMEP", name="Organisation mondiale pour l’éducation préscolaire")
    unesco = make_partner("UNESCO", name="UNESCO")
    omep.logo, omep.logo_type = _png("navy"), "image/png"
    from eventsvc.extensions import db

    db.session.commit()
    return make_event(
        slug="gps",
        partners=(omep, unesco),
        title={
            "en": "Launch of the Global Partnership Strategy",
            "fr": "Lancement de la Stratégie de partenariat mondial",
            "es": "Presentación de la Estrategia de Alianzas Mundiales",
        },
    )


@pytest.fixture
def attendee(event, make_registration, frozen_clock):
    """Someone registered who attended 52 minutes, two hours after the event."""

    def make(name, language):
        registration = make_registration(event, language=language, full_name=name)
        mark_attended(registration, 52)
        frozen_clock.set(event.ends_at + timedelta(hours=2))
        return registration

    return make


def _render(registration) -> bytes:
    with unit_of_work():
        issued = certificates.issue(registration)
        return certificate_pdf.render(issued), issued.code


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        (
            "Zoë Ñúñez-Åkesson",
            "fr",
            [
                "Certificat de présence",
                "Lancement de la Stratégie de partenariat mondial",
                "dimanche 6 décembre 2026",
                "52 minutes",
            ],
        ),
        (
            "Ἀλέξανδρος Παπαδόπουλος",
            "es",
            [
                "Certificado de asistencia",
                "Presentación de la Estrategia de Alianzas Mundiales",
                "domingo, 6 de diciembre de 2026",
            ],
        ),
        (
            "Анна Сергеевна Каренина",
            "en",
            ["Certificate of attendance", "Launch of the Global Partnership Strategy", "Sunday"],
        ),
    ],
)
def test_the_text_reads_back_in_the_registrants_language_and_script(
    app, attendee, name, language, expected
):
    registration = attendee(name, language)

    data, code = _render(registration)

    text = pdf_text(data)
    assert name in text
    for words in expected:
        assert words in text
    assert certificate_pdf.format_code(code) in text
    assert f"/certificates/{code}" in text
    assert "OMEP" in text and "UNESCO" in text


def test_the_font_is_embedded_and_the_page_is_a4_landscape(app, attendee):
    registration = attendee("Amina Dialo", "en")

    data, _code = _render(registration)

    page = pdf_reader(data).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    fonts = page["/Resources"]["/Font"]
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object() for font in fonts.values()]
    assert all("/FontFile2" in d["/FontDescriptor"] for d in descriptors)
    assert any("FiraSans" in str(d["/BaseFont"]) for d in descriptors)


def test_letter_is_a_setting(app, attendee):
    app.config["CERTIFICATE_PAGE_FORMAT"] = "letter"
    registration = attendee("Amina Dialo", "en")

    data, _code = _render(registration)

    page = pdf_reader(data).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)


def test_a_partner_logo_is_drawn(app, attendee):
    registration = attendee("Amina Dialo", "en")

    data, _code = _render(registration)

    images = pdf_reader(data).pages[0].images
    assert len(images) == 1  # OMEP has a logo, UNESCO has none


def test_a_long_name_stays_whole(app, attendee):
    name = "María de los Ángeles Fernández-Villaverde y Gutiérrez de la Concha Ολυμπία"
    registration = attendee(name, "es")

    data, _code = _render(registration)

    assert name in " ".join(pdf_text(data).split())
