"""One export in a fresh process, so its peak memory is its own (``python -m bench.export_child``).

``python -m bench.export_child <mode> <database file> <event id> <output file>`` with mode
``csv`` or ``xlsx`` (eventsvc's export), ``openpyxl`` (eventsvc's export with the XLSX writer
it had before XlsxWriter), ``baseline-csv`` (the csv module straight from a
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
        elif mode == "openpyxl":
            openpyxl_write(rows, handle, exports.XLSX_WIDTHS)
        else:
            exports.write_xlsx(rows, handle)
        return time.perf_counter() - started, before


def openpyxl_write(rows, fileobj, widths) -> None:
    """The writer the XLSX export had before XlsxWriter (``eed58b9``), kept here as the target's
    baseline: openpyxl's write-only workbook with the same header, frozen row, widths, filter and
    date format, and every text a string cell (``WriteOnlyCell`` with ``data_type = "s"``) so
    that no text is read as a formula: the same job as ``exports.write_xlsx``, the issue's
    "18.6 s today"."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Registrations")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def value(cell):
        if isinstance(cell, datetime):
            dated = WriteOnlyCell(sheet, value=cell)
            dated.number_format = "yyyy-mm-dd hh:mm"
            return dated
        if not isinstance(cell, str):
            return cell
        text = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", cell))
        text.data_type = "s"
        return text

    def header(title):
        cell = value(title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        return cell

    rows = iter(rows)
    first = next(rows, None)
    count, columns = 0, 0
    if first is not None:
        sheet.append([header(title) for title in first])
        count, columns = 1, len(first)
    for row in rows:
        sheet.append([value(cell) for cell in row])
        count += 1
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{count}"
    workbook.save(fileobj)


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
