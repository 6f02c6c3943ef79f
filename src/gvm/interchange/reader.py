"""Reading a bundle (SPEC 4): a folder of CSV files or an .xlsx workbook, validated all
or nothing. Any problem rejects the whole bundle with a `BundleError` that names file
(or sheet), row and column for each problem and never repeats personal data."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date
from pathlib import Path

from gvm.domain.model import Bundle
from gvm.interchange.errors import BundleError, Problem, ProblemLog, TooManyProblems
from gvm.interchange.fields import Context
from gvm.interchange.sources import CsvFolder, XlsxWorkbook
from gvm.interchange.validate import validate_bundle


def read_bundle(path: str | Path, *, today: date | None = None) -> Bundle:
    """The bundle at `path`, validated; raises `BundleError` listing what is wrong.

    `path` is a folder holding people.csv (required) and optionally gangs.csv,
    offences.csv, intelligence.csv, custody.csv and aliases.csv (SPEC 4), and
    gang_relations.csv (rivalries and alliances, beyond SPEC 4), or an .xlsx workbook
    with sheets of those names. `today` (default: the current date) bounds dates of birth.
    """
    path = Path(path)
    if path.is_dir():
        return _read(lambda log: CsvFolder(path, log), today)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return _read(lambda log: XlsxWorkbook(path, log), today)
    if not path.exists():
        message = "no such folder or file (expected a bundle folder or an .xlsx workbook)"
    else:
        message = "not a bundle (expected a folder of CSV files or an .xlsx workbook)"
    raise BundleError([Problem(path.name or str(path), None, None, message)])


def _read(open_source: Callable[[ProblemLog], CsvFolder | XlsxWorkbook],
          today: date | None) -> Bundle:
    log = ProblemLog()
    ctx = Context(log, today or date.today())
    source = None
    bundle = None
    # Millions of small records and no reference cycles: the cyclic collector would only
    # re-scan them over and over (about a third of the run time), so it pauses meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        source = open_source(log)
        bundle = validate_bundle(source, ctx)
    except TooManyProblems:
        pass
    finally:
        if collecting:
            gc.enable()
        if isinstance(source, XlsxWorkbook):
            source.close()
    if log or bundle is None:
        raise log.error()
    return bundle
