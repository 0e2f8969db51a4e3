"""Partners and their logos, managed in the workspace and shown on the event page."""

import io

from PIL import Image
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Partner


def png(width=120, height=60) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (31, 78, 121)).save(buffer, format="PNG")
    return buffer.getvalue()


def partner_form(**changes) -> dict:
    form = {
        "acronym": "ISSA",
        "website": "issa.nl",
        "en-name": "International Step by Step Association",
        "en-description": "A network of early childhood organisations.",
        "fr-name": "Association internationale Step by Step",
        "fr-description": "Un réseau d’organisations de la petite enfance.",
    }
    form.update(changes)
    return form


def stored(acronym: str) -> Partner | None:
    db.session.expire_all()
    return db.session.scalar(select(Partner).where(Partner.acronym == acronym))


def test_a_partner_is_created_with_its_logo_and_texts_in_each_language(organiser):
    response = organiser.post(
        "/organiser/partners/new",
        data={**partner_form(), "logo": (io.BytesIO(png()), "issa.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    partner = stored("ISSA")
    assert partner.website == "https://issa.nl"
    assert partner.text("fr").name == "Association internationale Step by Step"
    assert partner.logo_type == "image/png"
    logo = organiser.get(f"/en/partners/{partner.id}/logo")
    assert logo.mimetype == "image/png"
    assert Image.open(io.BytesIO(logo.data)).size == (120, 60)


def test_a_logo_that_is_not_a_small_raster_image_is_refused_with_the_reason(organiser):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = organiser.post(
        "/organiser/partners/new",
        data={**partner_form(), "logo": (io.BytesIO(svg), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "The logo must be a PNG, JPEG or WebP image." in refused.text
    huge = organiser.post(
        "/organiser/partners/new",
        data={**partner_form(), "logo": (io.BytesIO(png(5000, 10)), "wide.png")},
        content_type="multipart/form-data",
    )
    assert "at most 4000 pixels" in huge.text
    assert stored("ISSA") is None


def test_a_partner_is_edited_and_its_logo_shown_on_the_event_page(
    organiser, client, make_partner, make_event
):
    partner = make_partner("OMEP")
    make_event(slug="gps-launch", partners=[partner])
    response = organiser.post(
        f"/organiser/partners/{partner.id}/edit",
        data={
            **partner_form(acronym="OMEP", website="https://omep.org"),
            "logo": (io.BytesIO(png()), "omep.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get("/en/events/gps-launch").get_data(as_text=True)
    assert f'src="/en/partners/{partner.id}/logo"' in page
    assert "International Step by Step Association" in page


def test_an_acronym_already_used_is_refused(organiser, make_partner):
    make_partner("ISSA")
    response = organiser.post("/organiser/partners/new", data=partner_form())
    assert response.status_code == 422
    assert "Another partner already uses “ISSA”." in response.text


def test_a_logo_over_the_size_limit_is_refused_with_the_limit(organiser):
    import os

    noisy = io.BytesIO()
    Image.frombytes("RGB", (270, 270), os.urandom(270 * 270 * 3)).save(noisy, format="PNG")
    assert 200 * 1024 < len(noisy.getvalue()) < 250 * 1024
    response = organiser.post(
        "/organiser/partners/new",
        data={**partner_form(), "logo": (io.BytesIO(noisy.getvalue()), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The logo may be at most 200 KB." in response.text


def test_a_bad_website_is_shown_beside_the_website_in_french(organiser):
    organiser.get("/locale/fr", query_string={"next": "/organiser/"})
    response = organiser.post("/organiser/partners/new", data=partner_form(website="ftp://issa.nl"))
    assert response.status_code == 422
    html = response.text
    start = html.index('id="website-error"')
    assert (
        "Doit être une adresse web commençant par https://."
        in html[start : html.index("</ul>", start)]
    )
