"""Reading a bundle (SPEC 4): a folder of CSV files or an .xlsx workbook, validated all
or nothing. Any problem rejects the whole bundle with a `BundleError` that names file
(or sheet), row and column for each problem and never repeats personal data."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from gvm.domain.model import Bundle
from gvm.interchange.columnar_check import ColumnChunk
from gvm.interchange.errors import BundleError, Problem, ProblemLog, TooManyProblems
from gvm.interchange.fields import Context
from gvm.interchange.reading_process import PROCESS_BYTES, bundle_bytes, read_in_process
from gvm.interchange.sources import CsvFolder, XlsxWorkbook
from gvm.interchange.spill import spill_folder
from gvm.interchange.validate import validate_bundle

Opener = Callable[[ProblemLog], CsvFolder | XlsxWorkbook]
CHUNK_RECORDS = 50_000


def read_bundle(path: str | Path, *, today: date | None = None) -> Bundle:
    """The bundle at `path`, validated; raises `BundleError` listing what is wrong.

    `path` is a folder holding people.csv (required) and optionally gangs.csv,
    offences.csv, intelligence.csv, custody.csv and aliases.csv (SPEC 4), and
    gang_relations.csv (rivalries and alliances, beyond SPEC 4), or an .xlsx workbook
    with sheets of those names (an absent file holds no rows). `today` (default: the
    current date) bounds dates of birth.
    """
    return _read(_opener(Path(path)), today)


def _opener(path: Path) -> Opener:
    """How to open the bundle at `path`; raises `BundleError` when it is not one."""
    if path.is_dir():
        return lambda log: CsvFolder(path, log)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return lambda log: XlsxWorkbook(path, log)
    if not path.exists():
        message = "no such folder or file (expected a bundle folder or an .xlsx workbook)"
    else:
        message = "not a bundle (expected a folder of CSV files or an .xlsx workbook)"
    raise BundleError([Problem(path.name or str(path), None, None, message)])


@contextmanager
def _opened(open_source: Opener, log: ProblemLog) -> Iterator[CsvFolder | XlsxWorkbook]:
    """The bundle's source, open while the block runs. Validation's early stop
    (TooManyProblems) ends the block quietly: the log holds the problems. Millions of
    small records and no reference cycles: the cyclic collector would only re-scan them
    over and over (about a third of the run time), so it pauses meanwhile."""
    collecting = gc.isenabled()
    gc.disable()
    source = None
    try:
        source = open_source(log)
        yield source
    except TooManyProblems:
        pass
    finally:
        if collecting:
            gc.enable()
        if isinstance(source, XlsxWorkbook):
            source.close()


def _read(open_source: Opener, today: date | None) -> Bundle:
    log = ProblemLog()
    ctx = Context(log, today or date.today())
    bundle = None
    with _opened(open_source, log) as source:
        bundle = validate_bundle(source, ctx)
    if log or bundle is None:
        raise log.error()
    return bundle


class BundleStream:
    """The bundle at `path` validated as it is read, in chunks of valid records, so that
    an import can write as it goes and hold one chunk at a time instead of the bundle.

        stream = BundleStream(path)     # BundleError at once if `path` is no bundle
        for table, records in stream:   # ("people", [Person, ...]), ...; BundleError
            write(table, records)       # at the end when any row was wrong
        stream.counts(), stream.person_ids

    Validation, its problems and their order are exactly those of `read_bundle`, which
    reads the same tables in the same order, but memory does not grow with the file (see
    `streamed`): what a row is compared with among earlier rows (duplicate keys, the rows
    of an event) is judged when its table ends, so chunks holding a repeated key may
    have been yielded by then. Once a problem is found no further chunk is yielded
    (reading goes on, to report every problem up to the limit); the writer must
    therefore write inside one transaction and let the `BundleError` roll it back, and
    must let a repeated key pass (or fail) without ending the stream early.
    Tables come in the order people, gangs, aliases, offences, intelligence, custody,
    gang_relations: what a record refers to is always yielded before it. A chunk is a
    list of domain records or (`columnar`, for a plainly valid part of people, offences or
    intelligence) a `ColumnChunk`. Spills go to a temporary folder, removed when the
    iteration ends.

    With `process` (by default, for a bundle of `PROCESS_BYTES` or more) the reading
    and validating run in a process of their own, while the caller writes what came
    before; every chunk is then a `ColumnChunk` (see `reading_process`).
    """

    def __init__(self, path: str | Path, *, today: date | None = None,
                 chunk_records: int = CHUNK_RECORDS, columnar: bool = True,
                 process: bool | None = None) -> None:
        self._path = Path(path)
        self._open = _opener(self._path)
        self._today = today
        self._chunk = chunk_records
        self._columnar = columnar  # False: every row through the row-by-row validators
        self._process = process  # None: a process of its own for a large bundle
        self._counts: dict[str, int] = {}
        self._person_ids = ""  # each followed by a line feed (see `known_ids`)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        process = self._process
        if process is None:
            process = bundle_bytes(self._path) >= PROCESS_BYTES
        if not process:
            return self._read()
        options = {"today": self._today or date.today(), "chunk_records": self._chunk,
                   "columnar": self._columnar}
        return read_in_process(self._path, options, self._done)

    def _done(self, counts: dict[str, int], person_ids: str) -> None:
        self._counts, self._person_ids = counts, person_ids

    @property
    def person_ids(self) -> tuple[str, ...]:
        """Every person id of the bundle, in file order (after a complete read). Only a
        line feed separates them: an id may hold other line separators (U+2028)."""
        return tuple(self._person_ids.split("\n")[:-1])

    def person_id_parts(self, size: int) -> Iterator[tuple[str, ...]]:
        """The same in parts of at most `size` ids, none held longer than its part (the
        audit entries of a national import name a million people)."""
        text, start = self._person_ids, 0
        while start < len(text):
            end = start  # past the part's last line feed; no copy of the rest is made
            for _ in range(size):
                line_feed = text.find("\n", end)
                if line_feed < 0:
                    break
                end = line_feed + 1
            yield tuple(text[start:end - 1].split("\n"))
            start = end

    def person_ids_text(self) -> str:
        """The same, each followed by a line feed: one string (a reading process sends
        this rather than a million strings)."""
        return self._person_ids

    def table_counts(self) -> dict[str, int]:
        """Records per table read, as read (see `counts`)."""
        return dict(self._counts)

    def _read(self) -> Iterator[tuple[str, Any]]:
        from gvm.interchange.streamed import stream_tables  # numpy and Polars: when used

        log = ProblemLog()
        ctx = Context(log, self._today or date.today())
        size = self._chunk
        with (spill_folder() as spill,
              _opened(self._open, log) as source,
              closing(stream_tables(source, ctx, Path(spill), size=size,
                                    columnar=self._columnar)) as tables):
            for table, records in tables:
                n = 0
                chunk: list[Any] = []
                append = chunk.append
                for record in records:
                    if type(record) is ColumnChunk:  # a plainly valid part, as columns
                        n += len(record)
                        if chunk and not log:
                            yield table, chunk
                        chunk = []
                        append = chunk.append
                        if not log:
                            yield table, record
                        continue
                    n += 1
                    if not log:
                        append(record)
                        if len(chunk) == size:
                            yield table, chunk
                            chunk = []
                            append = chunk.append
                if chunk and not log:
                    yield table, chunk
                self._counts[table] = n
            if not log:
                self._person_ids = ctx.known.in_file_order()
        if log:
            raise log.error()

    def counts(self) -> dict[str, int]:
        """Records per table, as `Bundle.counts` gives them (after a complete read)."""
        c = self._counts
        counts = {name: c.get(name, 0) for name in
                  ("people", "aliases", "gangs", "offences", "intelligence", "custody")}
        if c.get("gang_relations"):
            counts["gang_relations"] = c["gang_relations"]
        return counts
