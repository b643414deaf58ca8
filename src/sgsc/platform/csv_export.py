"""CSV files people open in a spreadsheet: one convention for every export.

UTF-8 with a byte order mark (Excel then reads the diacritics right), ";" between columns
(Excel with Romanian or Russian regional settings splits columns on ";" only), and no cell
that a spreadsheet would run as a formula (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

DELIMITER = ";"
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
# A text cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming with csv."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    """The cell's text; text that would start a formula gets a leading apostrophe (a number,
    negative ones included, is never a formula and stays a number)."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int | float | Decimal):
        return text
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_lines(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The file line by line (the first one carries the byte order mark); lazy, so ``rows``
    may be a query read in chunks."""
    writer = csv.writer(_Echo(), delimiter=DELIMITER)
    yield BOM + writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def _attachment(response: HttpResponse | StreamingHttpResponse,
                filename: str) -> HttpResponse | StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_response(filename: str, header: Row, rows: Iterable[Row]) -> HttpResponse:
    """A small export, written at once."""
    response = HttpResponse("".join(csv_lines(header, rows)), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response


def csv_streaming_response(filename: str, header: Row,
                           rows: Iterable[Row]) -> StreamingHttpResponse:
    """A large export, written while it is sent: ``rows`` is read after the view returns, so
    resolve translations and the like before (or inside ``rows``)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CONTENT_TYPE)
    _attachment(response, filename)
    return response
