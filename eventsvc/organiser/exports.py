"""Downloads of an event's registrations as CSV and XLSX, streamed."""

from flask import Response, request, stream_with_context

from eventsvc import clock
from eventsvc.i18n import current_locale
from eventsvc.lookups import event_or_404
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.services import assignments, audit, exports
from eventsvc.unit_of_work import unit_of_work

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_delimiter() -> str:
    """``?sep=semicolon`` (or ``;``) for spreadsheets set to a French locale."""
    return ";" if request.args.get("sep") in ("semicolon", ";") else ","


def download(chunks, mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = exports.content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def include_sensitive(event) -> bool:
    """``?sensitive=1``: the answers to sensitive questions too, an explicit choice of the
    event's own organisers and admins (the export is audited as such)."""
    return request.args.get("sensitive") == "1" and assignments.may_access(
        current_organiser(), event.id
    )


@bp.get("/events/<slug>/registrations.csv")
def export_csv(slug):
    event = event_or_404(slug)
    sensitive = include_sensitive(event)
    with unit_of_work():  # logged before anything is sent
        audit.record_export(event, current_organiser(), "csv", sensitive=sensitive)
    rows = exports.registration_rows(event.id, current_locale(), include_sensitive=sensitive)
    delimiter = csv_delimiter()
    variant = "semicolons" if delimiter == ";" else ""
    filename = exports.download_name(event.slug, "csv", clock.now().date(), variant=variant)
    return download(exports.csv_chunks(rows, delimiter), CSV_TYPE, filename)


@bp.get("/events/<slug>/registrations.xlsx")
def export_xlsx(slug):
    event = event_or_404(slug)
    sensitive = include_sensitive(event)
    with unit_of_work():  # logged before anything is sent
        audit.record_export(event, current_organiser(), "xlsx", sensitive=sensitive)
    rows = exports.registration_rows(
        event.id, current_locale(), zone=event.timezone, include_sensitive=sensitive
    )
    filename = exports.download_name(event.slug, "xlsx", clock.now().date())
    return download(exports.xlsx_chunks(rows), XLSX_TYPE, filename)
