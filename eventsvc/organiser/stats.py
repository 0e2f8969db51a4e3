"""The statistics page of an event (its chart: :mod:`eventsvc.organiser.stats_chart`) and its CSV
files."""

from flask import abort, render_template, request

from eventsvc import clock
from eventsvc.i18n import current_locale
from eventsvc.lookups import event_or_404
from eventsvc.organiser import bp
from eventsvc.organiser.exports import CSV_TYPE, csv_delimiter, download
from eventsvc.organiser.stats_chart import CHARTED_TYPES, cumulative_chart, option_chart
from eventsvc.services import exports, questions, stats

#: The CSV tables of the statistics page: ``?table=…``.
CSV_TABLES = ("daily", *stats.BREAKDOWN_FIELDS)


def labelled_breakdowns(fields, counts, locale: str) -> list[tuple]:
    """``(field, title, [(item, label), …])`` for each field: the breakdown tables of the
    statistics and attendance pages. ``counts(field)`` gives the items (each with a ``value``)."""
    return [
        (
            field,
            stats.BREAKDOWN_TITLES[field],
            [(item, stats.label(field, item.value, locale)) for item in counts(field)],
        )
        for field in fields
    ]


@bp.get("/events/<slug>/stats", endpoint="stats")
def stats_page(slug):
    event = event_or_404(slug)
    locale = current_locale()
    series = stats.registrations_per_day(event.id)
    breakdowns = labelled_breakdowns(
        stats.BREAKDOWN_FIELDS, lambda field: stats.breakdown_for(event, field), locale
    )
    question_stats = [
        (question, stats.question_counts(question, locale))
        for question in stats.counted_questions(event)
    ]
    return render_template(
        "organiser/stats.html",
        question_stats=question_stats,
        option_charts={
            question.key: option_chart(items)
            for question, items in question_stats
            if question.type in CHARTED_TYPES
        },
        question_label=lambda question: questions.label(question, locale),
        event=event,
        series=series,
        chart=cumulative_chart(series),
        breakdowns=breakdowns,
        status_counts=stats.status_counts(event.id),
    )


@bp.get("/events/<slug>/stats.csv")
def stats_csv(slug):
    event = event_or_404(slug)
    table = request.args.get("table", "daily")
    locale = current_locale()
    if table.startswith("q-"):  # one of the event's own questions (issue 16)
        question = next((q for q in stats.counted_questions(event) if f"q-{q.key}" == table), None)
        if question is None:
            abort(404)
        rows = stats.question_rows(question, locale)
        filename = exports.download_name(
            event.slug, "csv", clock.now().date(), what=f"stats-{table}"
        )
        return download(exports.csv_chunks(rows, csv_delimiter()), CSV_TYPE, filename)
    if table not in CSV_TABLES:
        abort(404)
    if table == "daily":
        rows = stats.daily_rows(event.id, locale)
    else:
        rows = stats.breakdown_rows(event, table, locale)
    filename = exports.download_name(event.slug, "csv", clock.now().date(), what=f"stats-{table}")
    return download(exports.csv_chunks(rows, csv_delimiter()), CSV_TYPE, filename)
