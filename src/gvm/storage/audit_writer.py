"""`AuditWriter`: appends consultations to the s.62 log, many requests' entries to a
transaction (group commit).

Every look at personal data is logged (R-LOG), so under load every request writes, and
a database with one writer (SQLite) or one chain head (the advisory lock on PostgreSQL)
turns that into a queue of short write transactions, each reading the head, hashing and
committing. Sixteen threads doing that each for itself spend their time waiting for the
lock (SQLite's busy handler sleeps and polls: 1, 2, 5, 10... ms), which is where a naive
read-plus-audit endpoint's 800 ms p99 comes from.

Here the requests queue their entries. The first to find no commit under way becomes the
leader: it takes every entry queued (its own and those of the requests that arrived
meanwhile), appends them in one transaction (one head read, one INSERT, one COMMIT), then
wakes each of their requests with its seq, or with the error if the transaction failed.
Requests that queued during that commit are led by the first of them, woken for it. So
a request alone commits its own entry with no thread handover, and under load the
commits grow with the queue instead of the queue growing with the commits.

The invariant callers rely on: `append` returns only once its entry is committed, and a
caller that gets an exception must not show what it read. A batch that fails is retried
entry by entry, so one bad entry fails only its own request.

Several processes (or Database objects) on one database each have their own writer; the
chain stays whole because each batch is an ordinary audited write transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from gvm.domain.audit import AuditEvent

log = logging.getLogger(__name__)

WAIT_SECONDS = 60.0  # a request gives up (and shows nothing) after this long

# Appends events inside one transaction and commits it; their seqs, in order.
AppendCommitted = Callable[[Sequence[AuditEvent]], list[int]]


class _Entry:
    __slots__ = ("done", "error", "event", "lead", "ready", "seq")

    def __init__(self, event: AuditEvent) -> None:
        self.event = event
        self.ready = threading.Event()  # set when done, or when asked to lead
        self.done = False
        self.lead = False
        self.seq: int | None = None
        self.error: BaseException | None = None


class AuditWriter:
    def __init__(self, append_committed: AppendCommitted) -> None:
        self._append_committed = append_committed
        self._lock = threading.Lock()
        self._queue: list[_Entry] = []
        self._leading = False  # a leader is committing, or has been chosen
        self.batches = 0  # transactions committed (for tests and benchmarks)
        self.appended = 0

    def append(self, event: AuditEvent, timeout: float = WAIT_SECONDS) -> int:
        """Log `event`; its seq, once the transaction holding it has committed. Raises
        what that transaction raised, or TimeoutError."""
        entry = _Entry(event)
        with self._lock:
            self._queue.append(entry)
            if not self._leading:
                self._leading = entry.lead = True
        deadline = time.monotonic() + timeout
        while True:
            if entry.lead:
                entry.lead = False
                self._lead()
            if entry.done:
                break
            if not entry.ready.wait(max(0.0, deadline - time.monotonic())):
                self._give_up(entry)
            entry.ready.clear()
        if entry.error is not None:
            raise entry.error
        assert entry.seq is not None
        return entry.seq

    def close(self) -> None:
        """Nothing to stop: there is no thread of its own (kept for Database.dispose)."""

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._write(batch)
        finally:
            with self._lock:
                if self._queue:  # arrived during the commit: the first of them leads
                    following = self._queue[0]
                    following.lead = True
                    following.ready.set()
                else:
                    self._leading = False

    def _give_up(self, entry: _Entry) -> None:
        with self._lock:
            if entry.done:
                return
            if entry in self._queue:
                self._queue.remove(entry)
            if entry.lead:  # asked to lead as it timed out: pass it on
                entry.lead = False
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].ready.set()
                else:
                    self._leading = False
        raise TimeoutError("the audit log did not commit in time: nothing was shown")

    def _write(self, batch: list[_Entry]) -> None:
        try:
            seqs = self._append_committed([e.event for e in batch])
        except Exception as exc:  # rolled back: none of them was logged
            if len(batch) == 1:
                self._finish(batch[0], None, exc)
                return
            log.warning("audit batch of %d failed (%s); retrying one by one",
                        len(batch), exc.__class__.__name__)
            for entry in batch:
                self._write([entry])
            return
        self.batches += 1
        self.appended += len(batch)
        for entry, seq in zip(batch, seqs, strict=True):
            self._finish(entry, seq, None)

    @staticmethod
    def _finish(entry: _Entry, seq: int | None, error: BaseException | None) -> None:
        entry.seq, entry.error, entry.done = seq, error, True
        entry.ready.set()
