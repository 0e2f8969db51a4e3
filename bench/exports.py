"""4. Export: CSV and XLSX of 10,000 and 100,000 registrations, seconds and peak memory.

Each export runs in a fresh process (:mod:`bench.export_child`), so its peak RSS is its own.
eventsvc's CSV is measured against the csv module writing the same columns straight from a
sqlite3 cursor. Its XLSX (XlsxWriter) is measured against the writer it replaced, openpyxl's
write-only workbook, fed the same rows and doing the same job (every text a string cell, never
a formula): the issue's "at least halves it". openpyxl fed straight from the cursor, with no
such care, is shown too: what openpyxl costs at the least.
"""

import json
import subprocess
from pathlib import Path

from bench import fixtures
from bench.common import PROJECT_ROOT, PYTHON, Row, Settings, log, median, scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri

NAME = "exports"
TITLE = "4. Export"
MAX_CSV_RATIO = 3.0
MAX_PEAK_MB = 150.0
#: XLSX takes seconds per 10,000 rows: one round per size of eventsvc's XlsxWriter (constant
#: memory), of the same export with openpyxl's write-only mode, the writer it replaced (issue 20:
#: at least twice as fast at 100,000 rows, under 150 MB), and of openpyxl from the cursor.
XLSX_ROUNDS = 1
MODES = ("csv", "baseline-csv", "xlsx", "openpyxl", "baseline-xlsx")


def run(settings: Settings) -> tuple[list[Row], dict]:
    with scratch_dir("exports") as name:
        folder = Path(name)
        database = folder / "exports.sqlite3"
        events = _seed(folder, database, settings.export_sizes)
        rows, raw = [], {}
        for size, event_id in events.items():
            runs = {mode: [] for mode in MODES}
            for round_number in range(settings.export_rounds):
                pair = ("baseline-csv", "csv") if round_number % 2 == 0 else ("csv", "baseline-csv")
                for mode in pair:
                    runs[mode].append(_export(mode, database, event_id, folder))
            for _ in range(XLSX_ROUNDS):
                for mode in ("openpyxl", "xlsx", "baseline-xlsx"):
                    runs[mode].append(_export(mode, database, event_id, folder))
            for mode, results in runs.items():
                if not results:
                    continue
                log(
                    f"export {size} rows {mode}: "
                    f"{median(r['seconds'] for r in results):.2f} s, "
                    f"peak {max(r['peak_mb'] for r in results):.0f} MB"
                )
            rows += _rows(size, runs)
            raw[size] = runs
    return rows, raw


def _seed(folder: Path, database: Path, sizes) -> dict[int, int]:
    events = {}
    with eventsvc_app(folder / "instance", sqlite_uri(database)):
        for size in sizes:
            event = fixtures.create_event(slug=f"export-{size}")
            fixtures.insert_registrations(event.id, size)
            events[size] = event.id
    return events


def _export(mode: str, database: Path, event_id: int, folder: Path) -> dict:
    output = folder / f"out-{mode}.{'xlsx' if 'xlsx' in mode else 'csv'}"
    completed = subprocess.run(
        [PYTHON, "-m", "bench.export_child", mode, str(database), str(event_id), str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"export {mode} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["bytes"] = output.stat().st_size
    return result


def _rows(size: int, runs: dict) -> list[Row]:
    label = f"{TITLE} ({size:,} rows)"

    def seconds(mode):
        return median(r["seconds"] for r in runs[mode]) if runs[mode] else None

    def peak(mode):
        return max(r["peak_mb"] for r in runs[mode]) if runs[mode] else None

    csv_ratio = seconds("csv") / seconds("baseline-csv")
    return [
        Row(
            label,
            "CSV time",
            "s",
            seconds("csv"),
            seconds("baseline-csv"),
            target=f"ratio <= {MAX_CSV_RATIO:.0f}",
            passed=csv_ratio <= MAX_CSV_RATIO,
        ),
        Row(
            label,
            "CSV peak memory",
            "MB",
            peak("csv"),
            peak("baseline-csv"),
            target=f"< {MAX_PEAK_MB:.0f} MB",
            passed=peak("csv") < MAX_PEAK_MB,
            note=f"process before the export: {runs['csv'][0]['before_mb']:.0f} MB",
        ),
        Row(
            label,
            "XLSX time (XlsxWriter vs openpyxl, same export)",
            "s",
            seconds("xlsx"),
            seconds("openpyxl"),
            target="ratio <= 0.5",
            passed=seconds("xlsx") <= 0.5 * seconds("openpyxl"),
            note=f"openpyxl's peak {peak('openpyxl'):.0f} MB",
        ),
        Row(
            label,
            "XLSX time vs openpyxl from the cursor",
            "s",
            seconds("xlsx"),
            seconds("baseline-xlsx"),
            note="openpyxl fed the stored values as they are: texts not kept from formulas",
        ),
        Row(
            label,
            "XLSX peak memory",
            "MB",
            peak("xlsx"),
            peak("baseline-xlsx"),
            target=f"< {MAX_PEAK_MB:.0f} MB",
            passed=peak("xlsx") < MAX_PEAK_MB,
        ),
    ]
