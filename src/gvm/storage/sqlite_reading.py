"""The scoring frames of an SQLite register read through ADBC in a process of its own.

Why another process: the ADBC driver carries its own copy of SQLite, and two copies of
SQLite in one process lose each other's POSIX locks on the same file (closing one's file
descriptor releases the other's locks: a documented way to corrupt a database, and seen
here as "locking protocol" errors). In a process of its own the driver's copy is the
only one that opens the file, and the two processes coordinate through the file's locks
as any two SQLite processes do.

Why it sees what the caller sees: the caller (arrow_frames._sqlite) holds a writing
transaction begun IMMEDIATE that has written nothing yet, so nothing can commit while
the reading process reads, and the latest committed state it reads is the caller's.

The caller sends the plan (the compiled queries, arrow_frames.plan) on the process's
standard input as JSON and reads the four frames back from its standard output as Arrow
IPC streams, one after another. Reading and converting run on up to MAX_WORKERS
connections in that process (the driver and Polars release the GIL), as in-process
ADBC reading did: 2.6x the cursor reader's speed on the national register
(docs/PERFORMANCE.md, "From the database").

    python -m gvm.storage.sqlite_reading   # the reading process (its caller starts it)
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import polars as pl

from gvm.storage.arrow_frames import Frames, Part, read_parts, sqlite_backend

TABLES = 4


def read_in_process(uri: str, parts: list[Part], n_workers: int) -> Frames | None:
    """The frames, read by a process started for it; None if it failed (the caller then
    reads through its own connection). Its error output is never shown: it may name the
    database's path."""
    plan = json.dumps({"uri": uri, "parts": parts, "workers": n_workers}, default=str)
    process = subprocess.Popen(  # this interpreter, this module, no shell
        [sys.executable, "-m", "gvm.storage.sqlite_reading"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdin is not None and process.stdout is not None
    frames: list[pl.DataFrame] = []
    try:
        process.stdin.write(plan.encode())
        process.stdin.close()
        for _ in range(TABLES):
            frames.append(_read_stream(process.stdout))
    except (OSError, ValueError):
        frames = []
    finally:
        process.stdout.close()
        code = process.wait()
    if code != 0 or len(frames) != TABLES:
        return None
    return tuple(frames)  # type: ignore[return-value]


def _read_stream(source: Any) -> pl.DataFrame:
    import pyarrow as pa

    reader = pa.ipc.open_stream(source)  # reads up to its end-of-stream marker only
    frame = pl.from_arrow(reader.read_all(), rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    return frame


def main() -> int:
    plan = json.loads(sys.stdin.read())
    parts = [(index, sql, params) for index, sql, params in plan["parts"]]
    frames = read_parts(sqlite_backend(plan["uri"]), parts, int(plan["workers"]))
    if frames is None:
        return 1
    out = sys.stdout.buffer
    for frame in frames:
        frame.write_ipc_stream(out)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
