"""CSV and XLSX writing of reports (``telemetry/exports.py``)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from telemetry.exports import Column, csv_text, filename, write_xlsx

PARIS = ZoneInfo("Europe/Paris")
COLUMNS = [
    Column("Device", lambda r: r["name"]),
    Column("Start", lambda r: r["start"]),
    Column("Distance (km)", lambda r: r["km"], total=True),
    Column("Average speed", lambda r: r["avg"]),
]
ROWS = [
    {"name": "Van 1", "start": datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "km": 12.5, "avg": 40.0},
    {"name": "=HYPERLINK(\"x\")", "start": datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "km": 7.25,
     "avg": None},
]  # fmt: skip


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_has_a_header_the_rows_and_a_total_of_the_numeric_columns():
    lines = parse(csv_text(COLUMNS, ROWS, PARIS))
    assert lines[0] == ["Device", "Start", "Distance (km)", "Average speed"]
    assert lines[1] == ["Van 1", "2026-07-01T12:00:00+02:00", "12.5", "40.0"]
    assert lines[-1] == ["Total", "", "19.75", ""]


def test_the_csv_starts_with_a_byte_order_mark_for_spreadsheets():
    assert csv_text(COLUMNS, [], PARIS).startswith("\ufeffDevice,")


def test_a_name_that_looks_like_a_formula_is_written_as_text():
    lines = parse(csv_text(COLUMNS, ROWS, PARIS))
    assert lines[2][0] == '\'=HYPERLINK("x")'


def test_the_xlsx_opens_with_local_times_numbers_and_a_total_row():
    buffer = io.BytesIO()
    write_xlsx(COLUMNS, ROWS, buffer, title="trips", zone=PARIS)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Device", "Start", "Distance (km)", "Average speed")
    assert rows[1] == ("Van 1", datetime(2026, 7, 1, 12, 0), 12.5, 40.0)
    assert rows[2][0] == '=HYPERLINK("x")'
    assert sheet.cell(row=3, column=1).data_type == "s"
    assert rows[-1] == ("Total", None, 19.75, None)


def test_a_file_name_names_the_report_and_its_range():
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert filename("trips", start, end, "csv") == "trips_2026-11-01_2026-11-26.csv"
    assert filename("alarms", None, None, "xlsx").startswith("alarms_20")


def test_a_column_with_digits_rounds_its_cells_and_its_total():
    columns = [
        Column("Device", lambda r: r["name"]),
        Column("Distance (km)", lambda r: r["km"], total=True, digits=1),
        Column("Speed (km/h)", lambda r: r["speed"], digits=0),
    ]
    rows = [{"name": "Van 1", "km": 7.957409999999999, "speed": 51.6},
            {"name": "Van 2", "km": 0.04, "speed": None}]  # fmt: skip
    lines = parse(csv_text(columns, rows, PARIS))
    assert lines[1:] == [["Van 1", "8.0", "52"], ["Van 2", "0.0", ""], ["Total", "8.0", ""]]
