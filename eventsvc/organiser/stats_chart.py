"""The statistics page's chart: the running total of registrations per day, as coordinates for
the template's SVG (drawn on the server: no script, and the same in every browser)."""

import math
from dataclasses import dataclass

from flask_babel import format_date

from eventsvc.models.question import CHOICE_TYPES, QuestionType
from eventsvc.services import stats

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 32


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    """Coordinates for the template's SVG (a viewBox of ``width`` × ``height``).

    ``x_labels`` are (x, text, text-anchor): the first label starts at its bar and the last
    ends at its bar, so neither runs off the drawing.
    """

    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str, str]]
    baseline: float
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT


def nice_step(largest: int, steps: int = 4) -> int:
    """A round tick interval (1, 2, 5, 10, 20, 50…) giving about ``steps`` ticks."""
    raw = max(largest / steps, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def column_chart(values: list[int], labels: list[str], axis_labels: list[str]) -> Chart:
    """Vertical bars of ``values`` (``labels`` name each bar), round ticks up the side and three of
    ``axis_labels`` under it (the first, middle and last bar's): the statistics page's running
    total and the attendance page's arrivals are drawn by this one function."""
    largest = max(values)
    step = nice_step(largest)
    top_value = max(step, step * math.ceil(largest / step))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(values)
    baseline = TOP + plot_height
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = plot_height * value / top_value
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.1, 2),
                y=round(baseline - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
                label=label,
                value=value,
            )
        )
    ticks = [
        (round(baseline - plot_height * value / top_value, 2), value)
        for value in range(0, top_value + 1, step)
    ]
    last = len(values) - 1
    x_labels = [
        (
            round(LEFT + index * slot if index == 0 else LEFT + (index + 1) * slot, 2)
            if index in (0, last)
            else round(LEFT + (index + 0.5) * slot, 2),
            axis_labels[index],
            "start" if index == 0 else "end" if index == last else "middle",
        )
        for index in sorted({0, last // 2, last})
    ]
    return Chart(WIDTH, HEIGHT, bars, ticks, x_labels, baseline)


def cumulative_chart(series: list[stats.DailyCount]) -> Chart | None:
    """Bars of the running total per day, with ticks and a few day labels."""
    if not series:
        return None
    return column_chart(
        [item.cumulative for item in series],
        [format_date(item.day, "medium") for item in series],
        [format_date(item.day, "d MMM") for item in series],
    )


# --- One chart per choice question (issue 16) --------------------------------------------------

#: The questions drawn as bars: choices, and yes/no questions (two bars, yes and no), whose
#: counts have the same shape (``stats.question_counts``).
CHARTED_TYPES = CHOICE_TYPES | {QuestionType.BOOLEAN}

OPTION_WIDTH, OPTION_ROW, OPTION_LABEL, OPTION_TOP = 480, 28, 180, 8


@dataclass(frozen=True)
class OptionBar:
    """One option's row: its confirmed people, then those on the waitlist, side by side."""

    label: str
    y: float
    confirmed_width: float
    waitlisted_width: float
    confirmed: int
    waitlisted: int
    places: int | None


@dataclass(frozen=True)
class OptionChart:
    """Horizontal bars, one row per option, for the template's SVG (``width`` × ``height``)."""

    width: int
    height: int
    label_width: int
    bar_height: float
    bars: list[OptionBar]
    largest: int


def option_chart(items) -> OptionChart | None:
    """Bars of ``stats.question_counts`` rows (confirmed, and waitlisted after them); ``None``
    when no one has answered yet."""
    items = list(items)
    largest = max((item.confirmed + item.waitlisted for item in items), default=0)
    if not largest:
        return None
    scale = (OPTION_WIDTH - OPTION_LABEL - 40) / largest
    bars = [
        OptionBar(
            label=item.label,
            y=OPTION_TOP + index * OPTION_ROW,
            confirmed_width=round(item.confirmed * scale, 2),
            waitlisted_width=round(item.waitlisted * scale, 2),
            confirmed=item.confirmed,
            waitlisted=item.waitlisted,
            places=item.places,
        )
        for index, item in enumerate(items)
    ]
    height = OPTION_TOP * 2 + OPTION_ROW * len(items)
    return OptionChart(OPTION_WIDTH, height, OPTION_LABEL, OPTION_ROW * 0.7, bars, largest)
