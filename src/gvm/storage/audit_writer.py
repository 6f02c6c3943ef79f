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

On the event loop (SQLite: the web API runs a request's work there, through
`Database.run`, in a greenlet) the same holds without threads: a request queues its entry
and waits for it there, which lets the loop serve the other requests meanwhile; the first
entry queued schedules one commit, which takes every entry queued by the time it runs
(the other requests of that turn of the loop) and resolves each request's wait with its
seq or its error. A request is never answered before its entry has committed. The
commit on the loop never waits for the write lock: held by another writer of this
process or by another process (a `gvm import`), the entries stay queued and the commit
is tried again a little later, while the loop serves everything else, until
CONSULTATION_WAIT_SECONDS have passed and the requests are refused (503, nothing shown).
A leader on a thread (the pages, PostgreSQL) keeps to the same bound, sleeping between
its tries, rather than SQLite's 30 s busy timeout.

Several processes (or Database objects) on one database each have their own writer; the
chain stays whole because each batch is an ordinary audited write transaction.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

from gvm.domain.audit import AuditEvent
from gvm.storage.busy import LockHeld, WriterBusy, busy

log = logging.getLogger(__name__)

WAIT_SECONDS = 60.0  # a request on a thread gives up waiting for its leader after this long
# How long a batch is tried while another writer holds the lock: someone is waiting for
# the page, and the 503 tells them to try again in 10 s (Retry-After).
CONSULTATION_WAIT_SECONDS = 10.0
# How soon a commit on the loop looks again for the write lock: at once, then less often
# (another process's writer may hold it for minutes, and each look is a BEGIN).
LOCK_RETRY_SECONDS = 0.002
LOCK_RETRY_MAX_SECONDS = 0.05
NOT_IN_TIME = "the audit log did not commit in time: nothing was shown"

# Appends events inside one transaction and commits it; their seqs, in order. Not
# `wait` (second argument): raises LockHeld at once if another writer holds the lock.
AppendCommitted = Callable[[Sequence[AuditEvent], bool], list[int]]


class _Entry:
    __slots__ = ("done", "error", "event", "lead", "ready", "seq")

    def __init__(self, event: AuditEvent, *, threaded: bool = False) -> None:
        self.event = event
        # set when done, or when asked to lead; only a thread waits on it (an entry on
        # the event loop is awaited through its future)
        self.ready = threading.Event() if threaded else _NO_WAIT
        self.done = False
        self.lead = False
        self.seq: int | None = None
        self.error: BaseException | None = None


class _NoWait:
    """An entry's `ready` on the event loop: nobody waits on it."""

    __slots__ = ()

    def set(self) -> None:
        pass


_NO_WAIT = _NoWait()
_LoopEntry = tuple[_Entry, "asyncio.Future[int]"]


class AuditWriter:
    def __init__(self, append_committed: AppendCommitted,
                 write_lock: threading.RLock | None = None) -> None:
        """`write_lock`: the lock this process's writers take turns on (SQLite), which
        a commit on the event loop tries rather than waits for (`_commit_on_loop`)."""
        self._append_committed = append_committed
        self._write_lock = write_lock
        self._lock = threading.Lock()
        self._queue: list[_Entry] = []
        self._leading = False  # a leader is committing, or has been chosen
        # Entries waiting on an event loop, per loop: (entry, the request's future).
        self._on_loops: dict[asyncio.AbstractEventLoop, list[_LoopEntry]] = {}
        self.batches = 0  # transactions committed (for tests and benchmarks)
        self.appended = 0

    def append(self, event: AuditEvent, timeout: float = WAIT_SECONDS) -> int:
        """Log `event`; its seq, once the transaction holding it has committed. Raises
        what that transaction raised, or WriterBusy (a TimeoutError)."""
        if in_greenlet():  # on the event loop (Database.run): wait there
            return await_only(self._append_on_loop(event))
        entry = _Entry(event, threaded=True)
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

    async def _append_on_loop(self, event: AuditEvent) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        queue = self._on_loops.setdefault(loop, [])
        queue.append((_Entry(event), future))
        if len(queue) == 1:  # the first of this turn: one commit for all of them
            loop.call_soon(self._commit_on_loop, loop, time.monotonic(), LOCK_RETRY_SECONDS)
        return await future

    def _commit_on_loop(self, loop: asyncio.AbstractEventLoop, queued_at: float,
                        retry_in: float) -> None:
        lock = self._write_lock
        try:
            if lock is not None and not lock.acquire(blocking=False):
                raise LockHeld("held by another writer of this process")
            try:
                self._commit_batch_on_loop(loop)
            finally:
                if lock is not None:
                    lock.release()
        except LockHeld:
            # Another writer holds the database (a re-score, an import, the freshness
            # worker, here or in another process): try again shortly rather than stall
            # the loop, which serves everything else meanwhile. The entries wait, and so
            # do their requests (nothing is shown before it is logged), up to
            # CONSULTATION_WAIT_SECONDS.
            if time.monotonic() - queued_at < CONSULTATION_WAIT_SECONDS:
                loop.call_later(retry_in, self._commit_on_loop, loop, queued_at,
                                min(retry_in * 2, LOCK_RETRY_MAX_SECONDS))
                return
            self._fail_on_loop(loop, WriterBusy(NOT_IN_TIME))

    def _fail_on_loop(self, loop: asyncio.AbstractEventLoop, error: BaseException) -> None:
        for _, future in self._on_loops.pop(loop, []):
            if not future.done():
                future.set_exception(error)

    def _commit_batch_on_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._on_loops.pop(loop, [])
        try:
            self._write([entry for entry, _ in batch], wait=False)
        except LockHeld:  # nothing was written: the batch waits for the next try
            self._on_loops[loop] = batch
            batch = []
            raise
        finally:
            for entry, future in batch:
                if future.done():  # the request was cancelled meanwhile
                    continue
                if entry.seq is not None:
                    future.set_result(entry.seq)
                else:
                    future.set_exception(entry.error or RuntimeError(
                        "the audit log did not commit: nothing was shown"))

    def close(self) -> None:
        """Nothing to stop: there is no thread of its own (kept for Database.dispose)."""

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._write_within(batch, time.monotonic() + CONSULTATION_WAIT_SECONDS)
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
        raise WriterBusy(NOT_IN_TIME)

    def _write_within(self, batch: list[_Entry], deadline: float) -> None:
        """A thread's batch: tried without waiting in SQLite's busy handler (30 s), and
        again with backoff while another writer holds the lock, until `deadline`; then
        its requests fail with WriterBusy (a 503, nothing shown)."""
        retry_in = LOCK_RETRY_SECONDS
        while True:
            try:
                self._write(batch, wait=False)
                return
            except LockHeld:
                if time.monotonic() >= deadline:
                    held = WriterBusy(NOT_IN_TIME)
                    for entry in batch:
                        self._finish(entry, None, held)
                    return
                time.sleep(retry_in)
                retry_in = min(retry_in * 2, LOCK_RETRY_MAX_SECONDS)

    def _write(self, batch: list[_Entry], *, wait: bool = True) -> None:
        """Not `wait`: LockHeld, with nothing written or finished, if the lock is held."""
        try:
            seqs = self._append_committed([e.event for e in batch], wait)
        except LockHeld:
            raise
        except Exception as exc:  # rolled back: none of them was logged
            if len(batch) == 1 or busy(exc):  # busy: alone, each would only wait again
                for entry in batch:
                    self._finish(entry, None, exc)
                return
            log.warning("audit batch of %d failed (%s); retrying one by one",
                        len(batch), exc.__class__.__name__)
            for entry in batch:
                try:
                    self._write([entry], wait=wait)
                except LockHeld as held:  # taken meanwhile: this one is not logged
                    self._finish(entry, None, held)
            return
        self.batches += 1
        self.appended += len(batch)
        for entry, seq in zip(batch, seqs, strict=True):
            self._finish(entry, seq, None)

    @staticmethod
    def _finish(entry: _Entry, seq: int | None, error: BaseException | None) -> None:
        entry.seq, entry.error, entry.done = seq, error, True
        entry.ready.set()
