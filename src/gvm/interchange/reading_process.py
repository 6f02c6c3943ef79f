"""A bundle read and validated in a process of its own while the importing process
writes: on two cores the import then takes about as long as its writing alone.

A thread would not do: reading and validating is Python code that holds the GIL, and
SQLite's writer takes the GIL back after every row it steps, so it would wait out the
switch interval each time. The reading process runs the same `BundleStream` and sends
each chunk as columns of stored values (a `ColumnChunk`: records would cost more to
pickle and unpickle than to validate), then the counts and person ids, or the bundle's
problems. The pipe holds about one chunk, so neither side runs ahead of the other by
more than that, and memory stays bounded in both.

The process is a fresh interpreter (the importing process may hold threads and
connections that a fork would copy), which costs about a second to start: worth it for
a large bundle only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import date
from enum import Enum
from multiprocessing.connection import Connection
from operator import attrgetter
from pathlib import Path
from typing import Any

from gvm.interchange.columnar_check import ColumnChunk
from gvm.interchange.errors import BundleError

PROCESS_BYTES = 8 << 20  # a bundle at least this large is read in a process of its own


def bundle_bytes(path: Path) -> int:
    """The bundle's size: its files' (the folder's own regular files) or the workbook's."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.iterdir()
               if p.is_file() and not p.is_symlink())


def as_columns(records: Sequence[Any]) -> ColumnChunk:
    """Domain records of one kind as a ColumnChunk of their stored values (in the
    record's field order): enums as their values, dates as ISO text."""
    if type(records) is ColumnChunk:
        return records
    names = tuple(f.name for f in fields(records[0]))
    columns = []
    for name in names:
        column = list(map(attrgetter(name), records))
        sample = next((v for v in column if v is not None), None)
        if isinstance(sample, Enum):
            column = [None if v is None else v.value for v in column]
        elif isinstance(sample, date):
            column = [None if v is None else v.isoformat() for v in column]
        columns.append(column)
    return ColumnChunk(names, columns)


def read_in_process(path: Path, options: dict[str, Any], done: Any) -> Iterator[
        tuple[str, ColumnChunk]]:
    """The chunks of `BundleStream(path, **options)` read in another process; at the end
    `done(counts, person_ids)`. Raises the stream's BundleError (or its failure)."""
    read_end, write_end = os.pipe()
    start = {"path": str(path), "options": {**options, "today": options["today"].isoformat()},
             "sys_path": sys.path, "fd": write_end}
    try:
        reader = subprocess.Popen([sys.executable, "-c", _START, json.dumps(start)],  # noqa: S603
                                  pass_fds=(write_end,), stdin=subprocess.DEVNULL)
    finally:
        os.close(write_end)
    receiving = Connection(read_end, writable=False)
    kind = "chunk"
    try:
        while kind == "chunk":
            try:
                message = receiving.recv()
            except EOFError:
                kind = "ended"
                raise RuntimeError("the bundle reader stopped unexpectedly "
                                   f"(exit code {reader.poll()})") from None
            kind = message[0]
            if kind == "chunk":
                yield message[1], message[2]
            elif kind == "done":
                done(message[1], message[2])
            elif kind == "problems":
                raise BundleError(message[1], truncated=message[2])
            else:
                raise message[1]
    finally:
        receiving.close()
        if kind == "chunk":  # the importer stopped first: the reader need not go on
            reader.terminate()
        try:
            reader.wait(timeout=30)
        except subprocess.TimeoutExpired:
            reader.kill()
            reader.wait()


# A fresh interpreter, told the importer's module path, rather than multiprocessing's
# spawn, which would import the importer's main module again (a script without a
# __main__ guard would start over).
_START = ("import json, sys; start = json.loads(sys.argv[1]); "
          "sys.path[:0] = start['sys_path']; "
          "from gvm.interchange.reading_process import read_and_send; read_and_send(start)")


def read_and_send(start: dict[str, Any]) -> None:
    """The reading process: the stream's chunks, then its end, sent down the pipe."""
    from gvm.interchange.reader import BundleStream

    # Stopped by the importer: end as an exception would, removing the spill folder.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    options = {**start["options"], "today": date.fromisoformat(start["options"]["today"])}
    sending = Connection(start["fd"], readable=False)
    try:
        stream = BundleStream(start["path"], **options, process=False)
        try:
            for table, records in stream:
                sending.send(("chunk", table, as_columns(records)))
        except BundleError as e:
            sending.send(("problems", e.problems, e.truncated))
            return
        sending.send(("done", stream.table_counts(), stream.person_ids_text()))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the importer stopped reading
    except Exception as e:  # handed to the importer, which raises it
        try:
            sending.send(("failed", e))
        except Exception:  # not picklable: its kind alone
            sending.send(("failed", RuntimeError(f"the bundle reader failed "
                                                 f"({type(e).__name__})")))
    finally:
        sending.close()
