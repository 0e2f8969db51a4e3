"""Partner logos, as uploaded in the workspace (checked raster images), for the event pages."""

from flask import Response, abort
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Partner
from eventsvc.public import bp


@bp.get("/partners/<int:partner_id>/logo")
def partner_logo(partner_id):
    row = db.session.execute(
        select(Partner.logo, Partner.logo_type).where(Partner.id == partner_id)
    ).first()
    if row is None or not row.logo:
        abort(404)
    response = Response(row.logo, mimetype=row.logo_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
