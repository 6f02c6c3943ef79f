"""Writing bundles (SPEC 4): the six CSV files in SPEC column order, or the same tables
as sheets of an .xlsx workbook. Dates are ISO, enums their values, None is blank.

Values are written as they are: this is the interchange format, which `read_bundle` reads
back exactly. Exports meant for people (where text like "=..." could run as a spreadsheet
formula) neutralise such values elsewhere; here a workbook cell that starts with "=" is
stored as text, never as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from operator import attrgetter
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from gvm.domain.model import (
    Alias,
    Bundle,
    CustodyPeriod,
    Gang,
    Intelligence,
    Offence,
    Person,
)
from gvm.interchange.columns import COLUMNS, TABLES, csv_name

_FIELDS = {table: attrgetter(*columns) for table, columns in COLUMNS.items()}


class BundleCsvWriter:
    """Writes a bundle folder table by table, row by row, holding nothing in memory.

    Each `write_*` takes an iterable of domain records or of plain tuples (or lists) in
    SPEC column order, with `date`s for dates, enum members or their string values, and
    None for blanks; it may be called any number of times. Entering the context creates
    the folder and all six files with their header rows.

        with BundleCsvWriter(folder) as out:
            out.write_people(people)
            out.write_offences(rows_from_a_generator)
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._files: dict[str, IO[str]] = {}
        self._writers: dict[str, Any] = {}

    def __enter__(self) -> BundleCsvWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            for table in TABLES:
                f = (self.folder / csv_name(table)).open("w", encoding="utf-8", newline="")
                self._files[table] = f
                writer = csv.writer(f)
                writer.writerow(COLUMNS[table])
                self._writers[table] = writer
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        files, self._files, self._writers = self._files, {}, {}
        for f in files.values():
            f.close()

    def write(self, table: str, rows: Iterable[Any]) -> None:
        """Append `rows` to `table` ("people", "offences", ...)."""
        try:
            writer = self._writers[table]
        except KeyError:
            if table not in COLUMNS:
                raise ValueError(f"no such bundle table: {table}") from None
            raise RuntimeError("BundleCsvWriter is not open (use it in a with block)") from None
        fields = _FIELDS[table]
        writer.writerows(r if isinstance(r, tuple | list) else fields(r) for r in rows)

    def write_people(self, rows: Iterable[Person | tuple[Any, ...]]) -> None:
        self.write("people", rows)

    def write_gangs(self, rows: Iterable[Gang | tuple[Any, ...]]) -> None:
        self.write("gangs", rows)

    def write_offences(self, rows: Iterable[Offence | tuple[Any, ...]]) -> None:
        self.write("offences", rows)

    def write_intelligence(self, rows: Iterable[Intelligence | tuple[Any, ...]]) -> None:
        self.write("intelligence", rows)

    def write_custody(self, rows: Iterable[CustodyPeriod | tuple[Any, ...]]) -> None:
        self.write("custody", rows)

    def write_aliases(self, rows: Iterable[Alias | tuple[Any, ...]]) -> None:
        self.write("aliases", rows)


def write_bundle(bundle: Bundle, folder: str | Path) -> Path:
    """Write `bundle` as a folder of the six CSV files; returns the folder."""
    with BundleCsvWriter(folder) as out:
        for table in TABLES:
            out.write(table, getattr(bundle, table))
    return Path(folder)


def write_xlsx(bundle: Bundle, path: str | Path) -> Path:
    """Write `bundle` as an .xlsx workbook, one sheet per table; returns the path."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for table in TABLES:
        sheet = book.create_sheet(table)
        sheet.append(list(COLUMNS[table]))
        fields = _FIELDS[table]

        def cell(value: Any, sheet: Any = sheet) -> Any:
            if value is None or isinstance(value, date):
                return value
            text = str(value)
            if text.startswith("="):  # text, not a formula
                c = WriteOnlyCell(sheet, value=text)
                c.data_type = "s"
                return c
            return text

        for record in getattr(bundle, table):
            sheet.append([cell(v) for v in fields(record)])
    book.save(path)
    return Path(path)
