"""Raw rows of a bundle's tables, from a folder of CSV files or an .xlsx workbook.

Each table is read as `(row_number, values)` pairs, `values` being the SPEC 4 columns in
SPEC order, as text with surrounding whitespace stripped. Header problems (missing or
repeated columns), undecodable bytes and malformed records are logged here; the values
themselves are judged by `validate`.

Only the fixed file names of SPEC 4 are opened inside the folder (and the fixed sheet
names inside a workbook), and never through a symbolic link: nothing in a bundle can make
the reader open another path.
"""

from __future__ import annotations

import csv
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from gvm.interchange.columns import ALL_COLUMNS, REQUIRED_TABLES, csv_name, sheet_label
from gvm.interchange.errors import ProblemLog

Rows = Iterator[tuple[int, list[str]]]

_BOM = "\ufeff"


class Table:
    """One table of a bundle. `complete` turns False when the table could not be read to
    the end (or at all), so that references to it are not judged against a partial list."""

    def __init__(self, label: str, rows: Rows | None = None, *, complete: bool = True,
                 size: int = 0) -> None:
        self.label = label
        self.complete = complete
        self.size = size  # bytes of the file, when known (sizes a streamed read's spills)
        self._rows = rows

    def __iter__(self) -> Rows:
        if self._rows is None:
            return iter(())
        rows, self._rows = self._rows, None
        return rows


def _column_indexes(header: list[str], table: str, label: str, log: ProblemLog) -> list[int] | None:
    """Positions of the table's columns in `header`; None (after logging) when unusable.

    Names are matched ignoring case and surrounding whitespace; unknown columns are ignored.
    """
    found: dict[str, int] = {}
    repeated: set[str] = set()
    for i, name in enumerate(header):
        key = name.strip().strip(_BOM).strip().lower()
        if key in found:
            repeated.add(key)
        else:
            found[key] = i
    ok = True
    for column in ALL_COLUMNS[table]:
        if column not in found:
            log.add(label, 1, column, "required column is missing from the header row")
            ok = False
        elif column in repeated:
            log.add(label, 1, column, "column appears more than once in the header row")
            ok = False
    return [found[c] for c in ALL_COLUMNS[table]] if ok else None


class CsvFolder:
    """A bundle folder of UTF-8 CSV files (a UTF-8 byte order mark is accepted)."""

    def __init__(self, folder: Path, log: ProblemLog) -> None:
        self.folder = folder
        self.log = log

    def table(self, table: str) -> Table:
        label = csv_name(table)
        path = self.folder / label
        if not path.exists():
            if table in REQUIRED_TABLES:
                self.log.add(label, None, None, "required file is missing from the bundle folder")
                return Table(label, complete=False)
            return Table(label)  # optional and absent: no rows
        # A link could point anywhere (a bundle unpacked from an archive may carry one to
        # another file on the machine): only the folder's own regular files are read.
        if path.is_symlink() or not path.is_file():
            self.log.add(label, None, None, "is not a regular file")
            return Table(label, complete=False)
        result = Table(label, size=path.stat().st_size)
        result._rows = self._rows(path, table, result)
        return result

    def _rows(self, path: Path, table: str, result: Table) -> Rows:
        log, label = self.log, result.label
        n = 0  # the last record read (1 = header)
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                header = next(reader, None)
                n = 1
                if header is None:
                    log.add(label, 1, None, "the header row is missing (the file is empty)")
                    result.complete = False
                    return
                idx = _column_indexes(header, table, label, log)
                if idx is None:
                    result.complete = False
                    return
                width = len(header)
                pick = itemgetter(*idx)
                as_is = idx == list(range(width))  # the columns, in order, and no others
                strip = str.strip
                for n, rec in enumerate(reader, start=2):
                    if len(rec) != width:
                        if not rec:
                            continue  # a blank line
                        if len(rec) > width:
                            if any(v.strip() for v in rec[width:]):
                                log.add(label, n, None, "the row has more values than the header "
                                        "has columns (check the quoting of values with commas)")
                                result.complete = False  # its ids are unknown
                                continue
                            rec = rec[:width]
                        else:
                            rec = rec + [""] * (width - len(rec))
                    vals = list(map(strip, rec if as_is else pick(rec)))
                    if any(vals):
                        yield n, vals
        except UnicodeDecodeError:
            row, column = _locate_bad_utf8(path, table)
            log.add(label, row, column, "the file is not valid UTF-8 text "
                    "(save it as CSV UTF-8)")
            result.complete = False
        except csv.Error:
            log.add(label, n + 1, None, "malformed CSV record (check quotes and line breaks; "
                    "a value may be longer than allowed)")
            result.complete = False


def _locate_bad_utf8(path: Path, table: str) -> tuple[int, str | None]:
    """The record (and, when known, the column) holding the first byte that is not UTF-8.

    The fast reader decodes ahead in large blocks, so the failure point it reports is not
    the record; this slow pass decodes line by line to find it.
    """
    state = {"bad": False}

    def lines() -> Iterator[str]:
        with path.open("rb") as f:
            for i, raw in enumerate(f):
                if i == 0:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError:
                    state["bad"] = True
                    yield raw.decode("utf-8", "replace")

    n = 0
    names: dict[int, str] = {}
    try:
        for n, rec in enumerate(csv.reader(lines()), start=1):
            if n == 1 and not state["bad"]:
                wanted = set(ALL_COLUMNS[table])
                for i, name in enumerate(rec):
                    key = name.strip().lower()
                    if key in wanted:
                        names.setdefault(i, key)
            if state["bad"]:
                for i, value in enumerate(rec):
                    if "\ufffd" in value and i in names:
                        return n, names[i]
                return n, None
    except csv.Error:
        pass
    return n + 1, None


def cell_text(value: Any) -> str:
    """A workbook cell as interchange text: dates as ISO dates, whole numbers without a
    fractional part (a grade typed as 1 arrives as 1 or 1.0), blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()  # a time of day: rejected where a date is expected
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class XlsxWorkbook:
    """An .xlsx workbook with one sheet per table, named like the CSV files without .csv."""

    def __init__(self, path: Path, log: ProblemLog) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.log = log
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unsupported Excel extensions: irrelevant here
                self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
            self.book = None
            log.add(path.name, None, None, "is not a readable .xlsx workbook")
            self.sheets: dict[str, Any] = {}
            return
        self.sheets = {ws.title.strip().lower(): ws for ws in self.book.worksheets}

    def close(self) -> None:
        if self.book is not None:
            self.book.close()

    def table(self, table: str) -> Table:
        label = sheet_label(table)
        ws = self.sheets.get(table)
        if ws is None:
            if table in REQUIRED_TABLES and self.book is not None:
                self.log.add(label, None, None, f"the workbook has no sheet named {table}")
            return Table(label, complete=self.book is not None and table not in REQUIRED_TABLES)
        result = Table(label)
        result._rows = self._rows(ws, table, result)
        return result

    def _rows(self, ws: Any, table: str, result: Table) -> Rows:
        log, label = self.log, result.label
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # trust the cells, not a possibly stale dimension record
        n = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows = ws.iter_rows(values_only=True)
                header = next(rows, None)
                n = 1
                if header is None or not any(cell_text(c) for c in header):
                    log.add(label, 1, None, "the header row is missing (row 1 is empty)")
                    result.complete = False
                    return
                idx = _column_indexes([cell_text(c) for c in header], table, label, log)
                if idx is None:
                    result.complete = False
                    return
                for n, rec in enumerate(rows, start=2):
                    width = len(rec)
                    vals = [cell_text(rec[i]) if i < width else "" for i in idx]
                    if any(vals):
                        yield n, vals
        except (ValueError, KeyError, TypeError, OSError, zipfile.BadZipFile, SyntaxError):
            # a damaged sheet inside the workbook (SyntaxError covers XML parse errors)
            log.add(label, n + 1, None, "the sheet could not be read (the workbook is damaged)")
            result.complete = False
