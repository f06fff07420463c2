"""CSV and XLSX exports of the reports (trips, stops, alarms, daily summaries).

A report is a list of :class:`Column` and an iterable of rows (the queryset's ``.iterator()``),
so a long range streams (CSV) or is written row by row to a temporary file (XLSX, openpyxl's
write-only mode) instead of being held in memory. Numeric columns marked ``total`` are summed
into a last "Total" row. Text from devices and the vendor is untrusted: a cell that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is written as text.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from rest_framework.renderers import BaseRenderer

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# XLSX is built in one go; past this many rows CSV (streamed) is the way.
XLSX_MAX_ROWS = 100_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A report column; ``digits`` rounds its numbers (and their total) as the file shows them,
    so a sum of floats never reaches a spreadsheet as ``7.957409999999999``."""

    header: str
    value: Callable[[Any], Any]
    total: bool = False
    digits: int | None = None

    def cell(self, row: Any) -> Any:
        return _rounded(self.value(row), self.digits)


def _rounded(value: Any, digits: int | None) -> Any:
    if digits is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(value) if digits == 0 else round(value, digits)


class CSVRenderer(BaseRenderer):
    """Declares ``?format=csv`` to DRF's content negotiation; the views build the response."""

    media_type = "text/csv"
    format = "csv"
    charset: str | None = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        raise NotImplementedError("export views answer with exports.export_response")


class XLSXRenderer(CSVRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None


EXPORT_FORMATS = ("csv", "xlsx")


def _local(value: datetime, zone: tzinfo) -> datetime:
    return value.astimezone(zone) if timezone.is_aware(value) else value


def _csv_cell(value: Any, zone: tzinfo) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = _local(value, zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _round(value: float) -> float | int:
    return round(value, 3) if isinstance(value, float) else value


class _Totals:
    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.sums: list[float] = [0] * len(columns)

    def add(self, values: Sequence[Any]) -> None:
        for i, column in enumerate(self.columns):
            if column.total and isinstance(values[i], int | float):
                self.sums[i] += values[i]

    def row(self) -> list[Any]:
        row: list[Any] = [
            _rounded(_round(s), c.digits) if c.total else None
            for c, s in zip(self.columns, self.sums, strict=True)
        ]
        row[0] = "Total"
        return row


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Any], zone: tzinfo) -> Iterator[str]:
    """The CSV text, one line at a time, with a byte-order mark for spreadsheet programs; times
    in ``zone`` with their offset (the lines are written after the view has returned)."""
    writer = csv.writer(_Echo())
    totals = _Totals(columns)
    yield "\ufeff" + writer.writerow([c.header for c in columns])
    for row in rows:
        values = [c.cell(row) for c in columns]
        totals.add(values)
        yield writer.writerow([_csv_cell(v, zone) for v in values])
    yield writer.writerow([_csv_cell(v, zone) for v in totals.row()])


def write_xlsx(
    columns: Sequence[Column], rows: Iterable[Any], target: Any, title: str, zone: tzinfo
) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([c.header for c in columns])
    totals = _Totals(columns)

    def cell(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            text = WriteOnlyCell(sheet, value=None)
            text.value = value
            text.data_type = "s"  # openpyxl would otherwise store it as a formula
            return text
        if isinstance(value, datetime | date):
            if isinstance(value, datetime):
                value = _local(value, zone).replace(tzinfo=None)  # Excel has no zones
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = (
                "yyyy-mm-dd hh:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd"
            )
            return dated
        return value

    for row in rows:
        values = [c.cell(row) for c in columns]
        totals.add(values)
        sheet.append([cell(v) for v in values])
    sheet.append(totals.row())
    workbook.save(target)


def filename(resource: str, start: datetime | None, end: datetime | None, ext: str) -> str:
    """``trips_2026-11-01_2026-11-26.csv`` (dates in the caller's zone), or today's date."""
    parts = [resource]
    if start is not None:
        parts.append(f"{timezone.localtime(start):%Y-%m-%d}")
    if end is not None:
        parts.append(f"{timezone.localtime(end):%Y-%m-%d}")
    if len(parts) == 1:
        parts.append(f"{timezone.localdate():%Y-%m-%d}")
    return "_".join(parts) + "." + ext


def export_response(
    fmt: str,
    *,
    columns: Sequence[Column],
    rows: Iterable[Any],
    name: str,
) -> StreamingHttpResponse | FileResponse:
    """The download of ``rows`` as ``fmt`` (``csv`` or ``xlsx``), named ``name``."""
    zone = timezone.get_current_timezone()
    if fmt == "csv":
        response: StreamingHttpResponse | FileResponse = StreamingHttpResponse(
            csv_lines(columns, rows, zone), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    write_xlsx(columns, rows, spool, title=name.rsplit(".", 1)[0], zone=zone)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


def csv_text(columns: Sequence[Column], rows: Iterable[Any], zone: tzinfo) -> str:
    """The whole CSV as one string (tests, small reports)."""
    buffer = io.StringIO()
    for line in csv_lines(columns, rows, zone):
        buffer.write(line)
    return buffer.getvalue()
