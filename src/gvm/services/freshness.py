"""Use case: keep stored scores current as records arrive (incremental freshness), without
re-scoring everyone.

Every write of a person's offences, intelligence or custody queues the person in the same
transaction (the storage does it: see migration 0009), so the queue is durable and shared
by every process on the database. `refresh_stale` takes a batch from the queue and, in one
transaction, reads the batch's records (a set query per table, leaving out the rows
outside every window), scores them with the engine of the full re-score (`score_batch`:
same rules, same as-of date and policy, same numbers), replaces their current scores,
removes their queue entries and logs one combination naming the people (R-LOG). A failure
rolls all of it back: the entries stay queued. `FreshnessWorker` runs it in a loop on a
thread (`gvm serve`, `gvm freshen`).

What it does not do: scores also change with time alone, as items leave their windows;
that is the scheduled full re-score's job (`gvm score`), which the reads compare with
the current scores by as-of date.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.batch import score_batch, window_starts
from gvm.domain.policy import Policy
from gvm.services.ports import FreshnessUnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH_PEOPLE = 500  # per transaction: a few tens of ms of work, so writers wait little
POLL_SECONDS = 0.05  # how often an idle worker looks at the queue
ERROR_PAUSE_SECONDS = 2.0
JUSTIFICATION = "scores kept current: the people's records changed"
WORKER_ROLE = "system"


@dataclass(frozen=True, slots=True)
class Refreshed:
    """One batch: who was re-scored; `read_at` (before their records were read) and
    `committed_at` (once committed) in unix seconds; the audit entry's seq."""

    people: tuple[str, ...]
    read_at: float
    committed_at: float
    audit_seq: int


def refresh_stale(
    uow_factory: FreshnessUnitOfWorkFactory, as_of: date, policy: Policy,
    catalogue: Mapping[str, str], *, actor: str, actor_role: str = WORKER_ROLE,
    limit: int = BATCH_PEOPLE,
) -> Refreshed | None:
    """Re-score up to `limit` queued people (the oldest first); None if none is queued."""
    with uow_factory(read_only=True) as uow:  # idle: no write lock taken
        if not uow.any_stale():
            return None
    with uow_factory() as uow:
        ids = uow.claim_stale(limit)
        if not ids:  # another worker took them
            return None
        read_at = time.time()
        offences_after, intelligence_after = window_starts(as_of, policy)
        people, offences, intelligence, custody = uow.scoring_frames_of(
            ids, offences_after=offences_after, intelligence_after=intelligence_after)
        scores = score_batch(people, offences, intelligence, custody, as_of, policy, catalogue)
        uow.save_current_scores(as_of, policy, scores)
        uow.remove_stale(ids)
        seq = uow.append_audit(AuditEvent(
            actor=actor, actor_role=actor_role, operation=Operation.COMBINATION,
            justification=JUSTIFICATION, record_type="person", record_ids=tuple(ids),
            detail={"view": "current scores", "as_of": as_of.isoformat(),
                    "policy": policy.label, "policy_hash": policy.content_hash,
                    "people": len(ids)}))
        uow.commit()
    return Refreshed(tuple(ids), read_at, time.time(), seq)


def today_utc() -> date:
    return datetime.now(UTC).date()


class FreshnessWorker:
    """Drains the queue in batches until stopped: at once while batches come back full,
    otherwise every `poll` seconds. `as_of` is called per batch (default: today, UTC).
    `on_batch` sees each batch once committed (the benchmark times them)."""

    def __init__(self, uow_factory: FreshnessUnitOfWorkFactory, policy: Policy,
                 catalogue: Mapping[str, str], *, actor: str,
                 as_of: Callable[[], date] = today_utc, batch: int = BATCH_PEOPLE,
                 poll: float = POLL_SECONDS,
                 on_batch: Callable[[Refreshed], None] | None = None) -> None:
        self._uow_factory, self._policy, self._catalogue = uow_factory, policy, catalogue
        self._actor, self._as_of, self._batch, self._poll = actor, as_of, batch, poll
        self._on_batch = on_batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refreshed = 0  # people re-scored so far
        self.batches = 0

    def step(self) -> Refreshed | None:
        done = refresh_stale(self._uow_factory, self._as_of(), self._policy, self._catalogue,
                             actor=self._actor, limit=self._batch)
        if done is not None:
            self.refreshed += len(done.people)
            self.batches += 1
            if self._on_batch is not None:
                self._on_batch(done)
        return done

    def drain(self) -> int:
        """Re-score until the queue is empty; how many people."""
        before = self.refreshed
        while self.step() is not None:
            pass
        return self.refreshed - before

    def run(self) -> None:
        """The loop, until `stop()`; a failing batch is logged (no personal data: the
        error's class only) and retried after a pause, its entries still queued."""
        while not self._stop.is_set():
            try:
                done = self.step()
            except Exception as exc:  # the worker outlives one bad batch
                log.warning("freshness batch failed (%s); retrying in %.0f s",
                            exc.__class__.__name__, ERROR_PAUSE_SECONDS)
                self._stop.wait(ERROR_PAUSE_SECONDS)
                continue
            if done is None or len(done.people) < self._batch:
                self._stop.wait(self._poll)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="gvm-freshness", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
