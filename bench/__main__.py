"""``python -m bench [--quick] [--only NAME ...]``: run the benchmarks, print one table.

Raw figures of every round go to ``bench/results/latest.json`` (git-ignored).
"""

import argparse
import importlib
import json
import sys
import time
import traceback

from bench.common import RESULTS_DIR, Row, Settings, log, machine
from bench.load_generator import wrk_available

MODULES = (
    "registration",
    "event_page",
    "mail_fanout",
    "exports",
    "invites",
    "attendance",
    "certificates",
    "broadcast_cost",
    "scaling",
    "launch",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, small counts")
    parser.add_argument("--only", nargs="+", choices=MODULES, help="run only these benchmarks")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 on a MISS")
    arguments = parser.parse_args(argv)
    settings = Settings.quick_run() if arguments.quick else Settings.full()
    selected = arguments.only or MODULES
    if {"registration", "event_page", "scaling", "launch"} & set(selected) and not wrk_available():
        print(
            "wrk is needed for the HTTP benchmarks: apt-get install wrk (Debian/Ubuntu), "
            "brew install wrk (macOS), or build it from https://github.com/wg/wrk",
            file=sys.stderr,
        )
        return 2

    started = time.monotonic()
    rows: list[Row] = []
    raw: dict = {"machine": machine(), "quick": settings.quick}
    for name in selected:
        module = importlib.import_module(f"bench.{name}")
        log(f"{module.TITLE}: starting")
        try:
            module_rows, raw[name] = module.run(settings)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failure = f"{type(exc).__name__}: {exc}"
            module_rows = [Row(module.TITLE, "error", "", None, passed=False, note=failure)]
        rows += module_rows
        _write_results(raw, rows, settings, finished=False)
    raw["seconds"] = time.monotonic() - started
    raw["machine"]["load_after"] = machine()["load"]

    print(render_table(rows, raw["machine"], settings, raw["seconds"]))
    _write_results(raw, rows, settings, finished=True)
    missed = any(row.verdict == "MISS" for row in rows)
    return 1 if missed and arguments.strict else 0


def _write_results(raw: dict, rows: list[Row], settings: Settings, *, finished: bool) -> None:
    """The raw figures to ``latest.json``, after each benchmark too (``"finished": false``), so
    that a long run stopped part-way keeps what it measured."""
    RESULTS_DIR.mkdir(exist_ok=True)
    raw.update(rows=[row.as_dict() for row in rows], finished=finished)
    name = "latest-quick.json" if settings.quick else "latest.json"
    (RESULTS_DIR / name).write_text(json.dumps(raw, indent=2, default=str))


def _figure(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render_table(rows: list[Row], host: dict, settings: Settings, seconds: float) -> str:
    header = ("benchmark", "figure", "unit", "eventsvc", "baseline", "ratio", "target", "result")
    lines = [
        (
            row.benchmark,
            row.figure,
            row.unit,
            _figure(row.eventsvc),
            _figure(row.baseline),
            f"{row.ratio:.2f}" if row.ratio is not None else "—",
            row.target,
            row.verdict,
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    numeric = {3, 4, 5}

    def format_line(cells) -> str:
        return (
            "| "
            + " | ".join(
                str(cell).rjust(width) if index in numeric else str(cell).ljust(width)
                for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    out = [
        f"eventsvc benchmarks{' (--quick)' if settings.quick else ''}: {host['date']}, "
        f"{host['nproc']} CPU ({host['cpu']}), Python {host['python']}, {seconds:.0f} s, "
        f"load average {host['load']} at the start, {host.get('load_after', '?')} at the end",
        "",
        format_line(header),
        "|" + "|".join("-" * (width + 2) for width in widths) + "|",
        *(format_line(line) for line in lines),
    ]
    notes = [f"- {row.benchmark} / {row.figure}: {row.note}" for row in rows if row.note]
    if notes:
        out += ["", "Notes:", *notes]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
