"""After the event, on the personal page: the certificate of attendance and the follow-up's
slides, both behind the registrant's personal link only."""

from flask import Response, abort, send_file

from eventsvc import certificates as certificate_pdf
from eventsvc.attendee import bp
from eventsvc.attendee.views import _registration_or_404
from eventsvc.models import RegistrationStatus
from eventsvc.services import DomainError, certificates, follow_ups
from eventsvc.unit_of_work import unit_of_work


@bp.get("/<token>/certificate.pdf")
def certificate(token):
    registration = _registration_or_404(token)
    try:
        with unit_of_work():
            issued = certificates.issue(registration)
            data = certificate_pdf.render(issued)
    except DomainError:
        abort(404)
    response = Response(data, mimetype="application/pdf")
    filename = f"certificate-{registration.event.slug}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/<token>/slides.pdf")
def slides(token):
    registration = _registration_or_404(token)
    if registration.status == RegistrationStatus.CANCELLED:
        abort(404)
    path = follow_ups.slides_file(follow_ups.follow_up_for(registration.event))
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"{registration.event.slug}-slides.pdf",
        max_age=0,
    )
