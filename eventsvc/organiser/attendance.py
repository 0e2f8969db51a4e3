"""Attendance of an event, in the workspace: upload a participant report, match its unmatched
rows by hand or ignore them, the attendance page (rate, breakdowns, arrivals chart, the list
with filters, the rule) and the funder's statistics CSV."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import current_locale
from eventsvc.lookups import event_or_404
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.models.attendance import Attendance, AttendanceRow, ReportFormat
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.exports import CSV_TYPE, csv_delimiter, download
from eventsvc.organiser.forms import ActionForm, timezone_choices
from eventsvc.organiser.stats import labelled_breakdowns
from eventsvc.organiser.stats_chart import Chart, column_chart
from eventsvc.services import DomainError, attendance, exports, stats
from eventsvc.services.attendance_reports import ReportError
from eventsvc.unit_of_work import unit_of_work

UPLOAD_ENDPOINT = "organiser.attendance_upload"
#: The attendance list shows this many people; the exports have everyone.
LIST_LIMIT = 500
FORMAT_LABELS = {
    "": _l("Recognise it from the file"),
    ReportFormat.ZOOM.value: _l("Zoom participants or webinar report"),
    ReportFormat.TEAMS.value: _l("Microsoft Teams attendance report"),
    ReportFormat.BBB.value: _l("BigBlueButton Learning Dashboard"),
    ReportFormat.GENERIC.value: _l("Generic CSV (email, minutes, join, leave)"),
}
ATTENDED_FILTERS = {
    "yes": _l("Attended"),
    "no": _l("Came, but not long enough"),
    "absent": _l("Not in any report"),
}


class UploadForm(FlaskForm):
    report = FileField(
        _l("Participant report"),
        [FileRequired(_l("Choose the report file."))],
        description=_l("As downloaded from the platform, at most %(mb)s MB."),
    )
    format = SelectField(_l("Format"), choices=list(FORMAT_LABELS.items()), default="")
    timezone = SelectField(
        _l("Time zone of the file's times"),
        [DataRequired()],
        description=_l(
            "Zoom, Teams and BigBlueButton write times in the zone of the account or browser "
            "that downloaded the report, without saying which."
        ),
    )


class RuleForm(FlaskForm):
    minutes = IntegerField(
        _l("At least this many minutes"),
        [Optional(), NumberRange(min=1, max=attendance.MAX_ATTENDED_MINUTES)],
        description=_l("Leave empty to use a share of the event's duration instead."),
    )
    percent = IntegerField(
        _l("Or at least this share of the duration (%)"),
        [Optional(), NumberRange(min=1, max=100)],
        description=_l("Default: 50 %."),
    )


class MatchForm(FlaskForm):
    registration = SelectField(_l("Registration"), [DataRequired()], coerce=int)


#: The upload reads bodies up to this many times the report cap, so that a file somewhat over
#: the cap (the issue's 50 MB against 10) gets the service's message with its size; beyond,
#: the site's 413 page.
UPLOAD_CEILING = 6


@bp.url_value_preprocessor
def _allow_reports(endpoint, values):
    """Reports are larger than the site's other forms (MAX_CONTENT_LENGTH): the upload alone
    reads larger bodies. This runs before the CSRF check reads the form (which it still does)."""
    if endpoint == UPLOAD_ENDPOINT:
        cap = current_app.config["ATTENDANCE_REPORT_MAX_BYTES"]
        request.max_content_length = cap * UPLOAD_CEILING + 65536


def _upload_form(event: Event) -> UploadForm:
    form = UploadForm()
    form.timezone.choices = timezone_choices()
    if not form.timezone.data:
        form.timezone.data = event.timezone
    form.report.description = _(
        "As downloaded from the platform, at most %(mb)s MB.",
        mb=f"{current_app.config['ATTENDANCE_REPORT_MAX_BYTES'] / 1_000_000:g}",
    )
    return form


@bp.route("/events/<slug>/attendance/upload", methods=["GET", "POST"])
def attendance_upload(slug):
    event = event_or_404(slug)
    form = _upload_form(event)
    problems = []
    if form.validate_on_submit():
        upload = form.report.data
        try:
            with unit_of_work():
                result = attendance.import_report(
                    event,
                    upload.read(),
                    filename=upload.filename or "",
                    format=ReportFormat(form.format.data) if form.format.data else None,
                    timezone=form.timezone.data,
                    by=current_organiser(),
                )
                matched, unmatched = len(result.matched), len(result.unmatched)
                ignored = len(result.ignored) + result.absent
                already = result.already_imported
        except ReportError as error:
            problems = [error.message, *(str(problem) for problem in error.problems)]
        except DomainError as error:
            problems = [error.message]
        else:
            if already:
                flash(_("This report had been imported already; nothing changed."), "info")
            else:
                flash(
                    _(
                        "Report imported: %(matched)d rows matched, %(unmatched)d unmatched, "
                        "%(ignored)d ignored.",
                        matched=matched,
                        unmatched=unmatched,
                        ignored=ignored,
                    ),
                    "success",
                )
            if unmatched and not already:
                return redirect(url_for("organiser.attendance_unmatched", slug=slug), 303)
            return redirect(url_for("organiser.attendance", slug=slug), 303)
    status = 422 if (form.errors or problems) else 200
    return _upload_page(event, form, problems, status)


def _upload_page(event, form, problems, status):
    return render_template(
        "organiser/attendance_upload.html", event=event, form=form, problems=problems
    ), status


@bp.get("/events/<slug>/attendance/unmatched")
def attendance_unmatched(slug):
    event = event_or_404(slug)
    rows = attendance.unmatched_rows(event)
    people = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.anonymised_at.is_(None))
        .order_by(Registration.full_name, Registration.id)
    ).all()
    choices = [(r.id, f"{r.full_name} <{r.email}>") for r in people]
    forms = {}
    for row in rows:
        form = MatchForm(prefix=f"row{row.id}")
        form.registration.choices = [(0, _("Choose a registration…")), *choices]
        forms[row.id] = form
    return render_template(
        "organiser/attendance_unmatched.html",
        event=event,
        rows=rows,
        forms=forms,
    )


def _row_or_404(event: Event, row_id: int) -> AttendanceRow:
    row = db.session.get(AttendanceRow, row_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


@bp.post("/events/<slug>/attendance/rows/<int(max=2147483647):row_id>/match")
def attendance_match(slug, row_id):
    event = event_or_404(slug)
    row = _row_or_404(event, row_id)
    form = MatchForm(prefix=f"row{row.id}")
    form.registration.choices = None  # any id; checked below against the event
    form.registration.validate_choice = False
    registration = None
    if form.validate_on_submit() and form.registration.data:
        registration = db.session.get(Registration, form.registration.data)
    if registration is None or registration.event_id != event.id:
        flash(_("Choose the registration this row belongs to."), "error")
        return redirect(url_for("organiser.attendance_unmatched", slug=slug), 303)
    try:
        with unit_of_work():
            count = attendance.match_row(row, registration)
            name = registration.full_name
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(
            ngettext(
                "%(num)d row now counts for %(name)s.",
                "%(num)d rows now count for %(name)s.",
                count,
                name=name,
            ),
            "success",
        )
    return redirect(url_for("organiser.attendance_unmatched", slug=slug), 303)


@bp.post("/events/<slug>/attendance/rows/<int(max=2147483647):row_id>/ignore")
def attendance_ignore(slug, row_id):
    event = event_or_404(slug)
    row = _row_or_404(event, row_id)
    if ActionForm().validate_on_submit():
        with unit_of_work():
            attendance.ignore_row(row)
        flash(_("The row is set aside and will not count."), "success")
    return redirect(url_for("organiser.attendance_unmatched", slug=slug), 303)


@bp.post("/events/<slug>/attendance/rule")
def attendance_rule(slug):
    event = event_or_404(slug)
    form = RuleForm()
    if form.validate_on_submit():
        with unit_of_work():
            attendance.set_rule(event, minutes=form.minutes.data, percent=form.percent.data)
        flash(_("The attendance rule is saved; attendance was counted again."), "success")
        return redirect(url_for("organiser.attendance", slug=slug), 303)
    return _attendance_page(event, form, 422)


@bp.get("/events/<slug>/attendance", endpoint="attendance")
def attendance_page(slug):
    event = event_or_404(slug)
    form = RuleForm(formdata=None, minutes=event.attended_minutes, percent=event.attended_percent)
    return _attendance_page(event, form, 200)


def _attendance_page(event: Event, rule_form: RuleForm, status: int):
    locale = current_locale()
    summary = attendance.attendance_summary(event)
    breakdowns = labelled_breakdowns(
        attendance.BY_FIELDS, lambda field: attendance.attendance_by(event, field), locale
    )
    series = attendance.arrivals(event)
    filters = {
        "attended": request.args.get("attended", ""),
        "country": request.args.get("country", "").upper()[:2],
        "language": request.args.get("language", "")[:8],
        "interpretation": request.args.get("interpretation", "")[:8],
    }
    people, total = _attendance_list(event, filters)
    return render_template(
        "organiser/attendance.html",
        event=event,
        summary=summary,
        breakdowns=breakdowns,
        chart=arrivals_chart(series, event.timezone),
        series=series,
        people=people,
        total=total,
        filters=filters,
        attended_filters=ATTENDED_FILTERS,
        countries=[item.value for item in attendance.attendance_by(event, "country")],
        languages=[item.value for item in attendance.attendance_by(event, "language")],
        interpretations=[
            (item.value, stats.label("interpretation", item.value, locale))
            for item in attendance.attendance_by(event, "interpretation")
            if item.value
        ],
        rule_form=rule_form,
        list_limit=LIST_LIMIT,
    ), status


def _attendance_list(event: Event, filters: dict) -> tuple[list, int]:
    """(registration, attendance or None) for the event's confirmed and waitlisted people (and
    anyone the reports show), filtered; the first :data:`LIST_LIMIT`, and how many match."""
    query = (
        select(Registration, Attendance)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(
            Registration.event_id == event.id,
            (Registration.status != RegistrationStatus.CANCELLED) | Attendance.id.is_not(None),
        )
    )
    if filters["attended"] == "yes":
        query = query.where(Attendance.attended.is_(True))
    elif filters["attended"] == "no":
        query = query.where(Attendance.id.is_not(None), Attendance.attended.is_(False))
    elif filters["attended"] == "absent":
        query = query.where(Attendance.id.is_(None))
    if filters["country"]:
        query = query.where(Registration.country == filters["country"])
    if filters["language"]:
        query = query.where(Registration.language == filters["language"])
    if filters["interpretation"]:
        query = query.where(Registration.interpretation_language == filters["interpretation"])
    rows = db.session.execute(
        query.order_by(Registration.full_name, Registration.id).limit(LIST_LIMIT + 1)
    ).all()
    total = len(rows)
    if total > LIST_LIMIT:
        total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    return [tuple(row) for row in rows[:LIST_LIMIT]], total


def arrivals_chart(series, zone_name: str) -> Chart | None:
    """Bars of the arrivals per five minutes (wall times in the event's zone), drawn like the
    statistics page's chart."""
    if not series:
        return None
    labels = [format_time(clock.to_wall(moment, zone_name), "short") for moment, _count in series]
    return column_chart([count for _moment, count in series], labels, labels)


@bp.get("/events/<slug>/attendance.csv")
def attendance_csv(slug):
    """The funder's statistics: totals and per country, language, interpretation language."""
    event = event_or_404(slug)
    rows = attendance.statistics_rows(event, current_locale())
    filename = exports.download_name(
        event.slug, "csv", clock.now().date(), what="attendance-statistics"
    )
    return download(exports.csv_chunks(rows, csv_delimiter()), CSV_TYPE, filename)
