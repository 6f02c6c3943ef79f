"""The scoring frames of a big register read through ADBC in a process of its own, and,
for a re-score, scored there too.

Why another process, on SQLite: the ADBC driver carries its own copy of SQLite, and two
copies of SQLite in one process lose each other's POSIX locks on the same file (closing
one's file descriptor releases the other's locks: a documented way to corrupt a
database, and seen here as "locking protocol" errors). In a process of its own the
driver's copy is the only one that opens the file, and the two processes coordinate
through the file's locks as any two SQLite processes do. It sees what the caller sees:
the caller (arrow_frames._sqlite) holds a writing transaction begun IMMEDIATE that has
written nothing yet, so nothing can commit while the reading process reads.

Why, on PostgreSQL, for a reduction: the national register's frames are 3-4 GB, held
only while they are scored; in a process of its own they never enter the caller's
memory (the server's, when a re-score is asked for through the API). Its connections
import the caller's exported snapshot, as the caller's own ADBC connections would.

With a `reduce` (a picklable function of the four frames, as a re-score's score_batch),
the process applies it and sends back only its frame (national register: 1M rows of
scores against 2.8 GB of frames; docs/PERFORMANCE.md, "From the database").

The caller sends the request (the compiled queries, arrow_frames.plan, and how to
connect, password included) on the process's standard input, pickled (the process
trusts its parent, which started it), never on its command line; it reads the frames
back from the standard output as Arrow IPC streams, one after another. Reading and
converting run on up to MAX_WORKERS connections in that process (the drivers and Polars
release the GIL).

    python -m gvm.storage.frames_process   # the reading process (its caller starts it)
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import polars as pl

from gvm.storage.arrow_frames import (
    Frames,
    Part,
    postgresql_backend,
    read_parts,
    sqlite_backend,
)

TABLES = 4
Reduce = Callable[..., pl.DataFrame]


def read_in_process(connect: dict[str, Any], parts: list[Part], n_workers: int
                    ) -> Frames | None:
    """The frames, read by a process started for it; None if it failed (the caller then
    reads through its own connection). `connect`: how the process opens its connections
    (`backend` and the arguments of arrow_frames' sqlite_backend or postgresql_backend)."""
    frames = _run({"connect": connect, "parts": parts, "workers": n_workers}, TABLES)
    return None if frames is None else tuple(frames)  # type: ignore[return-value]


def reduce_in_process(connect: dict[str, Any], parts: list[Part], n_workers: int,
                      reduce: Reduce) -> pl.DataFrame | None:
    """`reduce(people, offences, intelligence, custody)`, applied in a process started
    for it to the frames it reads; None if it failed."""
    frames = _run({"connect": connect, "parts": parts, "workers": n_workers,
                   "reduce": reduce}, 1)
    return None if frames is None else frames[0]


def _run(request: dict[str, Any], streams: int) -> list[pl.DataFrame] | None:
    """Its error output is never shown: it may name the database or its address."""
    process = subprocess.Popen(  # this interpreter, this module, no shell
        [sys.executable, "-m", "gvm.storage.frames_process"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdin is not None and process.stdout is not None
    frames: list[pl.DataFrame] = []
    try:
        process.stdin.write(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        process.stdin.close()
        for _ in range(streams):
            frames.append(_read_stream(process.stdout))
    except (OSError, ValueError):
        frames = []
    finally:
        process.stdout.close()
        code = process.wait()
    return frames if code == 0 and len(frames) == streams else None


def _read_stream(source: Any) -> pl.DataFrame:
    import pyarrow as pa

    reader = pa.ipc.open_stream(source)  # reads up to its end-of-stream marker only
    frame = pl.from_arrow(reader.read_all(), rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    return frame


def main() -> int:
    request = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 (from the parent)
    connect = dict(request["connect"])
    backend = {"sqlite": sqlite_backend,
               "postgresql": postgresql_backend}[connect.pop("backend")](**connect)
    parts = [(index, sql, params) for index, sql, params in request["parts"]]
    frames = read_parts(backend, parts, int(request["workers"]))
    if frames is None:
        return 1
    reduce = request.get("reduce")
    out = sys.stdout.buffer
    for frame in frames if reduce is None else (reduce(*frames),):
        frame.write_ipc_stream(out)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
