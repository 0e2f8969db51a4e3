"""One export in a fresh process, so its peak memory is its own (``python -m bench.export_child``).

``python -m bench.export_child <mode> <database file> <event id> <output file>`` with mode
``csv`` or ``xlsx`` (eventsvc's export), ``baseline-csv`` (the csv module straight from a
sqlite3 cursor) or ``baseline-xlsx`` (openpyxl's write-only workbook straight from the cursor).
Prints one JSON line: seconds of the export alone, peak RSS of the process (``VmHWM``)
and the RSS peak before the export started (interpreter, imports, app).
"""

import json
import resource
import sys
import time


def baseline_query() -> str:
    """The columns eventsvc exports, read as they are stored: named by the registry of
    registration fields (``eventsvc.services.fields``), so the baseline follows the export."""
    from eventsvc.services.exports import stored_columns

    columns = ", ".join(stored_columns())
    return f"SELECT {columns} FROM registration WHERE event_id = ? ORDER BY id"


def peak_mb() -> float:
    """The peak RSS of this process's memory since it started (``VmHWM``).

    ``ru_maxrss`` would do on its own, but Linux carries it over from the parent at fork, so a
    child of a large process starts with its parent's peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def eventsvc_export(mode: str, database: str, event_id: int, output: str) -> tuple[float, int]:
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix="eventsvc-bench-export-") as instance:
        os.environ["EVENTSVC_INSTANCE_PATH"] = instance
        return _eventsvc_export(mode, database, event_id, output)


def _eventsvc_export(mode: str, database: str, event_id: int, output: str) -> tuple[float, int]:
    from eventsvc import create_app
    from eventsvc.services import exports

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x" * 32})
    with app.app_context(), open(output, "wb") as handle:
        exports.header("fr")  # translations loaded before the clock starts, as in a warm server
        before = peak_mb()
        started = time.perf_counter()
        rows = exports.registration_rows(event_id, locale="fr")
        if mode == "csv":
            for chunk in exports.csv_chunks(rows):
                handle.write(chunk)
        else:
            exports.write_xlsx(rows, handle)
        return time.perf_counter() - started, before


def baseline_export(mode: str, database: str, event_id: int, output: str) -> tuple[float, int]:
    import csv
    import sqlite3

    if mode == "baseline-xlsx":
        from openpyxl import Workbook
    query = baseline_query()
    before = peak_mb()
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    cursor = connection.execute(query, (event_id,))
    if mode == "baseline-csv":
        with open(output, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(cursor)
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Registrations")
        for row in cursor:
            sheet.append(row)
        workbook.save(output)
    connection.close()
    return time.perf_counter() - started, before


def main() -> None:
    mode, database, event_id, output = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    export = baseline_export if mode.startswith("baseline") else eventsvc_export
    seconds, before = export(mode, database, event_id, output)
    print(json.dumps({"mode": mode, "seconds": seconds, "peak_mb": peak_mb(), "before_mb": before}))


if __name__ == "__main__":
    main()
