"""The public check of a certificate of attendance: its code confirms the name, the event and
the date, and nothing else. An unknown code says only that (codes are random: nothing to guess
from the answer)."""

from flask import render_template

from eventsvc.certificates import certificate_text, format_code
from eventsvc.i18n import current_locale
from eventsvc.public import bp
from eventsvc.services import certificates


@bp.get("/certificates/<code>")
def certificate(code):
    found = certificates.verify(code)
    if found is None:
        response = render_template("public/certificate.html", text=None, code=code[:40])
        return response, 404, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
    text = certificate_text(found, current_locale())
    page = render_template("public/certificate.html", text=text, code=format_code(found.code))
    return page, 200, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
