"""Cross-row checks of a streamed table (duplicate keys, the rows of one event) with
memory that does not grow with the file: the keys and their rows go to disk as the
table is read, and are judged when it ends.

A ledger stands in for the dict the row-by-row validators keep of what they have seen:
`key in ledger` is always False and `ledger.get(key)` always None (so each row is
judged as if its key were new), while `ledger[key] = row` records the key. At the end
of the table `problems(limit)` finds, exactly as the dict would have, every row whose
key came earlier, and words its problem; only the `limit` earliest rows are returned,
as a bundle reports at most that many problems.

The records are spread over buckets by a hash of the key and appended to one Arrow
stream file per bucket, so that a bucket (judged alone, in memory: equal keys always
share a bucket) holds about a fixed number of bytes of the source file whatever its
size. The hash only chooses the bucket; keys are compared as exact values.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

ROW = "row"
BUCKET_BYTES = 4 << 20  # of the source file per bucket (about 60,000 rows of intelligence)
MAX_BUCKETS = 400  # open files, one a bucket, while a table is read
_FLUSH = 50_000  # records gathered before they go to disk

Deferred = tuple[int, str, str]  # row, column, message


def bucket_count(file_bytes: int) -> int:
    return max(1, min(MAX_BUCKETS, -(-file_bytes // BUCKET_BYTES)))


class KeyLedger:
    """Duplicate keys of one table: `fields` name the key's parts (a tuple key when more
    than one), `dtypes` their Polars types. `message(first_row)` words the problem of a
    repeated key, logged in `column`."""

    def __init__(self, folder: Path, name: str, fields: Sequence[str],
                 dtypes: Sequence[Any], *, buckets: int, column: str,
                 message: str) -> None:
        self.fields = tuple(fields)
        self.column = column
        self.message = message  # with {first} for the first row of the key
        self.bucket_by = self.fields
        self._schema = pl.Schema({**dict(zip(self.fields, dtypes, strict=True)),
                                  ROW: pl.Int64})
        self._buckets = buckets
        self._paths = [folder / f"{name}-{b}.arrows" for b in range(buckets)]
        self._writers: list[pa.RecordBatchStreamWriter | None] = [None] * buckets
        self._keys: list[Any] = []
        self._rows: list[int] = []

    # What the row-by-row validators use in place of their dict.
    def __contains__(self, key: object) -> bool:
        return False

    def __getitem__(self, key: object) -> Any:
        raise KeyError(key)  # never asked: no key is ever in

    def get(self, key: object, default: Any = None) -> Any:
        return default

    def __setitem__(self, key: Any, row: Any) -> None:
        self._keys.append(key)
        self._rows.append(row)
        if len(self._rows) >= _FLUSH:
            self.flush()

    def add_columns(self, columns: Sequence[Sequence[Any]], rows: Sequence[int]) -> None:
        """Keys given column-wise (a part checked column by column)."""
        self.flush()
        self._write(self._frame(columns, rows))

    def flush(self) -> None:
        if not self._rows:
            return
        keys = self._keys
        columns = [keys] if len(self.fields) == 1 else list(zip(*keys, strict=True))
        frame = self._frame(columns, self._rows)
        self._keys, self._rows = [], []
        self._write(frame)

    def _frame(self, columns: Sequence[Sequence[Any]], rows: Sequence[int]) -> pl.DataFrame:
        data = dict(zip(self.fields, columns, strict=True))
        data[ROW] = rows
        return pl.DataFrame(data, schema=self._schema)

    def _write(self, frame: pl.DataFrame) -> None:
        if not frame.height:
            return
        if self._buckets == 1:
            self._append(0, frame)
            return
        by = self.bucket_by
        key = pl.col(by[0]) if len(by) == 1 else pl.struct(by)
        bucket = (key.hash(seed=0) % self._buckets).alias("bucket")
        for (b,), part in frame.with_columns(bucket).partition_by(
                "bucket", as_dict=True).items():
            self._append(b, part.drop("bucket"))

    def _append(self, b: int, part: pl.DataFrame) -> None:
        table = part.to_arrow()
        writer = self._writers[b]
        if writer is None:
            writer = pa.ipc.new_stream(str(self._paths[b]), table.schema)
            self._writers[b] = writer
        writer.write_table(table)

    def _bucket_frames(self) -> Iterator[pl.DataFrame]:
        self.flush()
        for b, writer in enumerate(self._writers):
            if writer is None:
                continue
            writer.close()
            self._writers[b] = None
            with pa.memory_map(str(self._paths[b])) as source:
                frame = pl.from_arrow(pa.ipc.open_stream(source).read_all())
            self._paths[b].unlink()
            yield frame  # type: ignore[misc]

    def problems(self, limit: int) -> list[Deferred]:
        """The `limit` earliest rows whose key came at an earlier row, with their
        problems, in row order; the ledger is spent afterwards."""
        found: list[list[Deferred]] = []
        for frame in self._bucket_frames():
            found.append(self._judge(frame, limit))
        return list(heapq.merge(*found, key=_row))[:limit]

    def _judge(self, frame: pl.DataFrame, limit: int) -> list[Deferred]:
        first = pl.col(ROW).min().over(self.fields)
        repeats = (frame.with_columns(first.alias("first")).filter(pl.col(ROW) != pl.col("first"))
                   .select(ROW, "first").sort(ROW).head(limit))
        column, message = self.column, self.message
        return [(row, column, message.format(first=first)) for row, first in repeats.iter_rows()]

    def close(self) -> None:
        for writer in self._writers:
            if writer is not None:
                writer.close()
        self._writers = [None] * self._buckets


class EventLedger(KeyLedger):
    """The offences of each event_id (the rows otherwise valid): every row of an event
    has the date and code of its first row, and a person appears in it once. Recorded as
    `events[event_id] = [date, code, row, person_id]`, as `iter_offences` does."""

    def __init__(self, folder: Path, *, buckets: int) -> None:
        super().__init__(folder, "events", ("event_id", "date", "code", "person_id"),
                         (pl.String, pl.String, pl.String, pl.String), buckets=buckets,
                         column="event_id", message="")
        self.bucket_by = ("event_id",)  # an event's rows must meet in one bucket

    def __setitem__(self, key: Any, event: Any) -> None:
        day, code, row, pid = event  # the date as ISO text, as a clean part gives it
        super().__setitem__((key, day.isoformat(), code, pid), row)

    def _judge(self, frame: pl.DataFrame, limit: int) -> list[Deferred]:
        event = "event_id"
        later = (frame.sort(ROW).with_columns(
            pl.col(ROW).first().over(event).alias("first"),
            (pl.col("date") != pl.col("date").first().over(event)).alias("bad_date"),
            (pl.col("code") != pl.col("code").first().over(event)).alias("bad_code"),
            (pl.col(ROW) != pl.col(ROW).min().over(event, "person_id")).alias("bad_person"))
            .filter(pl.col(ROW) != pl.col("first"))
            .filter(pl.col("bad_date") | pl.col("bad_code") | pl.col("bad_person"))
            .select(ROW, "first", "bad_date", "bad_code", "bad_person").head(limit))
        out: list[Deferred] = []
        for row, first, bad_date, bad_code, bad_person in later.iter_rows():
            if bad_date:
                out.append((row, "date", "every row of an event must have the same date "
                            f"(this event_id was first used at row {first})"))
            if bad_code:
                out.append((row, "ho_offence_code", "every row of an event must have the same "
                            f"ho_offence_code (this event_id was first used at row {first})"))
            if bad_person:
                out.append((row, "person_id", "this person already has a row for this event "
                            "(event_id and person_id together must be unique; event first at "
                            f"row {first})"))
        return out[:limit]


def _row(problem: Deferred) -> int:
    return problem[0]
