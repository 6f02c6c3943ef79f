"""Incremental freshness under a stream of new records, next to a full re-score.

    PYTHONPATH=src:bench python bench/bench_freshness.py [--rate 2000] [--seconds 20]
        [--backend sqlite|postgresql] [--worker process|thread] [--batch 500] [--poll 0.05]

1. Builds the synthetic London of the service benchmark (gvm.synth, scale "london",
   seed 1, as of 2026-09-30; cached in bench/.cache), imports it into a fresh SQLite
   file (or a fresh PostgreSQL schema, dropped afterwards) and drains the queue the
   import filled, timing that first drain of everyone.
2. Baseline, same run: the full re-score of the whole register (`rescore`: read every
   record, `score_batch`, store the run with its audit entry), the least and the median
   of --baseline-repeat runs. That is what re-scoring everyone for each update would cost.
3. Starts the freshness worker (`FreshnessWorker`, what `gvm serve` and `gvm freshen`
   run): by default in a process of its own, like `gvm freshen` beside an import;
   `--worker thread` runs it on a thread of this process, as `gvm serve` does.
4. The producer writes new records at --rate per second for --seconds: every --tick
   seconds, the records due by then (half new offences as suspect, half graded weapon or
   violence intelligence, about random people of the register, dated in the last year),
   through the import's write path (`save_bundle` and its collection entry, one
   transaction per tick), which queues their people (migration 0008's triggers).
5. For every record: lag = the commit of the first batch that re-scored its person from
   a read begun after the record's commit (so the score includes it) - the record's
   commit. Wall clock of one machine; both instants are taken on the safe side (just
   before the record's COMMIT, see write_tick; after the batch's COMMIT returned).
6. Prints the achieved rate, lag p50/p95/p99/max and a histogram, the batches, the
   worker's CPU and the rest of the machine's (`other`), and writes JSON to
   bench/results/freshness-<backend>-<time>.json.
7. Checks that every current score equals a full re-score run afterwards (same as-of
   date and policy), person by person; exits non-zero if not, if a record's person was
   never re-scored after it, or if the audit chain does not verify.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from perf_common import busy_seconds, machine, median, write_result

from gvm.bootstrap import Register, bootstrap
from gvm.config import Settings
from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.model import (
    Bundle,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    Role,
    SourceGrade,
    SourceType,
)
from gvm.services.freshness import FreshnessWorker, Refreshed
from gvm.services.importing import import_bundle
from gvm.services.scoring import rescore
from gvm.storage.freshness import CURRENT_COLUMNS
from gvm.storage.tables import current_scores, people

AS_OF = date(2026, 9, 30)
CODES = ("8N", "34B", "10D", "105A")  # in scope: violence, robbery, weapons
HISTOGRAM_MS = (25, 50, 100, 200, 300, 500, 750, 1000, 2000, 5000)
PACKAGES = ("polars", "sqlalchemy", "psycopg", "numpy")


@dataclass(frozen=True, slots=True)
class Batch:
    read_at: float
    committed_at: float
    people: tuple[str, ...]


# --- the worker -------------------------------------------------------------------------

def run_worker(url: str, log_path: str, batch: int, poll: float) -> None:
    """`--worker process`: the worker until SIGTERM, one JSON line per batch."""
    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None),
                         upgrade=False)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open(log_path, "w") as log:
        def logged(done: Refreshed) -> None:
            log.write(json.dumps([done.read_at, done.committed_at, done.people]) + "\n")

        worker = make_worker(register, batch, poll, logged)
        worker.start()
        print("ready", flush=True)
        stop.wait()
        worker.stop()
    register.close()


def make_worker(register: Register, batch: int, poll: float, on_batch: Any) -> FreshnessWorker:
    return FreshnessWorker(register.unit_of_work, register.policy, register.catalogue,
                           actor="bench-freshness", as_of=lambda: AS_OF, batch=batch,
                           poll=poll, on_batch=on_batch)


def cpu_of(pid: int, tid: int | None = None) -> float:
    """CPU seconds (user + system) of a process, or of one of its threads."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the producer -----------------------------------------------------------------------

def new_records(rng: random.Random, person_ids: list[str], n: int, serial: int
                ) -> tuple[list[Offence], list[Intelligence]]:
    offences, intelligence = [], []
    for i in range(n):
        person = rng.choice(person_ids)
        dated = AS_OF - timedelta(days=rng.randrange(1, 365))
        key = f"BF{serial:08d}{i:04d}"
        if i % 2:
            offences.append(Offence(key, dated, rng.choice(CODES), person, Role.SUSPECT,
                                    rng.choice((Outcome.CHARGED, Outcome.CONVICTED))))
        else:
            intelligence.append(Intelligence(
                key, dated, person, None,
                rng.choice((IntelCategory.WEAPON_ACCESS, IntelCategory.VIOLENCE_INVOLVEMENT)),
                f"BS{rng.randrange(50)}", SourceType.POLICE, SourceGrade.RELIABLE,
                IntelGrade.B, HandlingCode.P, "stream"))
    return offences, intelligence


def write_tick(register: Register, offences: list[Offence],
               intelligence: list[Intelligence], serial: int) -> float:
    """One transaction of the import's write path; the instant just before its COMMIT.

    Taken before, not after: a batch that began reading after that instant holds the
    record (SQLite: the producer holds the write lock until it has committed; PostgreSQL:
    a batch claims a person only once the write queueing them has committed), whereas
    the instant after COMMIT returns may come after a batch that already holds it. Lags
    counted from it are longer by the COMMIT itself (the safe side)."""
    with register.unit_of_work() as uow:
        uow.save_bundle(Bundle(offences=tuple(offences), intelligence=tuple(intelligence)),
                        source_name=f"stream-{serial}.csv", sha256=f"{serial:064x}")
        uow.append_audit(AuditEvent(
            actor="bench-producer", actor_role="operator", operation=Operation.COLLECTION,
            justification="benchmark: record stream", record_type="person",
            record_ids=tuple(sorted({r.person_id for r in (*offences, *intelligence)})),
            detail={"offences": len(offences), "intelligence": len(intelligence)}))
        committing = time.time()
        uow.commit()
    return committing


def produce(register: Register, person_ids: list[str], rate: float, seconds: float,
            tick: float, seed: int) -> tuple[list[tuple[str, float]], float, float]:
    """Records (person, committed at) written on schedule; the stream's start and end."""
    rng = random.Random(seed)
    written: list[tuple[str, float]] = []
    start = time.monotonic()
    wall_start = time.time()
    serial = due_total = 0
    total = int(rate * seconds)
    while due_total < total:
        now = time.monotonic() - start
        due = min(total, int(rate * (now + tick))) - due_total
        if due > 0:
            offences, intelligence = new_records(rng, person_ids, due, serial)
            committed = write_tick(register, offences, intelligence, serial)
            written += [(r.person_id, committed) for r in (*offences, *intelligence)]
            due_total += due
            serial += 1
        if due_total < total:
            time.sleep(tick - ((time.monotonic() - start) % tick))
    return written, wall_start, time.time()


# --- lags -------------------------------------------------------------------------------

def lags(written: list[tuple[str, float]], batches: list[Batch]) -> tuple[list[float], int]:
    """Each record's lag in seconds; how many records no batch covered."""
    by_person: dict[str, list[Batch]] = {}
    for b in sorted(batches, key=lambda b: b.read_at):
        for p in b.people:
            by_person.setdefault(p, []).append(b)
    reads = {p: [b.read_at for b in bs] for p, bs in by_person.items()}
    out, missing = [], 0
    for person, committed in written:
        i = bisect_left(reads.get(person, []), committed)
        if i == len(reads.get(person, [])):
            missing += 1
            continue
        out.append(by_person[person][i].committed_at - committed)
    return out, missing


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def histogram(values_ms: list[float]) -> list[tuple[str, int]]:
    edges = (0, *HISTOGRAM_MS, float("inf"))
    rows = []
    for lo, hi in itertools.pairwise(edges):
        label = f"{lo:>5.0f}-{hi:<5.0f} ms" if hi != float("inf") else f"{lo:>5.0f}+       ms"
        rows.append((label, sum(1 for v in values_ms if lo <= v < hi)))
    return rows


# --- the run ----------------------------------------------------------------------------

def equals_full_rescore(register: Register) -> tuple[bool, int]:
    """Do the current scores equal, person by person, a full re-score run now?"""
    _, full = rescore(register.unit_of_work, AS_OF, register.policy, register.catalogue,
                      actor="bench", actor_role="operator")
    with register.database.engine.connect() as conn:
        rows = conn.execute(sa.select(*(current_scores.c[c] for c in CURRENT_COLUMNS))
                            .order_by(current_scores.c.person_id)).all()
    fresh = [tuple(r) for r in rows]
    return fresh == full.select(CURRENT_COLUMNS).sort("person_id").rows(), len(fresh)


def build(url: str, repeat: int) -> tuple[Register, list[str], dict[str, Any]]:
    from bench_service import london_bundle

    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
    t = time.perf_counter()
    import_bundle(register.unit_of_work, london_bundle(), actor="bench",
                  actor_role="operator", justification="benchmark: synthetic data")
    imported = time.perf_counter() - t
    with register.database.engine.connect() as conn:
        person_ids = list(conn.execute(sa.select(people.c.person_id)
                                       .order_by(people.c.person_id)).scalars())
    t, cpu = time.perf_counter(), time.process_time()
    first = make_worker(register, 500, 0.05, None)
    first.drain()
    drain = (time.perf_counter() - t, time.process_time() - cpu, first.batches)
    full, full_cpu = [], []
    for _ in range(repeat):
        t, cpu = time.perf_counter(), time.process_time()
        rescore(register.unit_of_work, AS_OF, register.policy, register.catalogue,
                actor="bench", actor_role="operator")
        full.append(time.perf_counter() - t)
        full_cpu.append(time.process_time() - cpu)
    print(f"register: {len(person_ids):,} people; import {imported:.1f} s; first drain of "
          f"everyone {drain[0]:.2f} s ({drain[2]} batches, CPU {drain[1]:.2f} s)")
    print(f"baseline, full re-score of the register: min {min(full):.3f} s, median "
          f"{median(full):.3f} s (CPU {median(full_cpu):.3f} s), {repeat} runs", flush=True)
    return register, person_ids, {
        "people": len(person_ids), "import_s": imported,
        "first_drain": {"wall_s": drain[0], "cpu_s": drain[1], "batches": drain[2]},
        "full_rescore": {"wall_s": full, "cpu_s": full_cpu, "min_s": min(full),
                         "median_s": median(full)}}


def stream(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    register, person_ids, built = build(url, args.baseline_repeat)
    batches: list[Batch] = []
    worker_proc: subprocess.Popen[str] | None = None
    thread_worker: FreshnessWorker | None = None
    log = folder / "batches.jsonl"
    if args.worker == "process":
        worker_proc = subprocess.Popen(
            [sys.executable, __file__, "--run-worker", url, str(log), str(args.batch),
             str(args.poll)], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        assert worker_proc.stdout is not None
        assert worker_proc.stdout.readline().strip() == "ready"
        worker_pid, worker_tid = worker_proc.pid, None
    else:
        def kept(done: Refreshed) -> None:
            batches.append(Batch(done.read_at, done.committed_at, done.people))

        thread_worker = make_worker(register, args.batch, args.poll, kept)
        thread_worker.start()
        assert thread_worker._thread is not None
        worker_pid, worker_tid = os.getpid(), thread_worker._thread.native_id
    try:
        busy0, own0 = busy_seconds(), time.process_time()
        cpu0 = cpu_of(worker_pid, worker_tid)
        written, started, ended = produce(register, person_ids, args.rate, args.seconds,
                                          args.tick, args.seed)
        cpu_stream = cpu_of(worker_pid, worker_tid) - cpu0
        own = time.process_time() - own0
        window = ended - started
        deadline = time.time() + 30  # let the worker catch up with the last records
        while time.time() < deadline:
            with register.unit_of_work(read_only=True) as uow:
                if not uow.any_stale():
                    break
            time.sleep(0.05)
        time.sleep(2 * args.poll)
        busy = busy_seconds() - busy0
        own_total = time.process_time() - own0
        cpu_total = cpu_of(worker_pid, worker_tid) - cpu0
        wall_total = time.time() - started
    finally:
        if worker_proc is not None:
            worker_proc.send_signal(signal.SIGTERM)
            worker_proc.wait(30)
            worker_proc.stdout.close()  # type: ignore[union-attr]
        if thread_worker is not None:
            thread_worker.stop()
    if worker_proc is not None:
        for line in log.read_text().splitlines():
            read_at, committed_at, who = json.loads(line)
            batches.append(Batch(read_at, committed_at, tuple(who)))
    in_window = [b for b in batches if b.committed_at >= started]
    lag, missing = lags(written, in_window)
    lag_ms = [v * 1000 for v in lag]
    worker_share = (cpu_total if worker_tid is None else 0.0)
    other = max(0.0, busy - own_total - worker_share) / (wall_total * (os.cpu_count() or 1))
    verified = register.database.verify_audit().ok
    same, compared = equals_full_rescore(register)
    register.close()
    sizes = [len(b.people) for b in in_window]
    durations = [b.committed_at - b.read_at for b in in_window]
    result = {
        **built, "records": len(written), "window_s": window,
        "achieved_rate": len(written) / window, "target_rate": args.rate,
        "lag_ms": {"p50": percentile(lag_ms, 0.50), "p95": percentile(lag_ms, 0.95),
                   "p99": percentile(lag_ms, 0.99), "max": max(lag_ms, default=float("nan")),
                   "mean": sum(lag_ms) / len(lag_ms) if lag_ms else float("nan")},
        "within_1s": sum(1 for v in lag_ms if v <= 1000) / max(1, len(lag_ms)),
        "not_rescored": missing, "histogram": histogram(lag_ms),
        "batches": {"count": len(in_window), "people_median": median(sizes) if sizes else 0,
                    "people_max": max(sizes, default=0),
                    "read_to_commit_ms_median": 1000 * median(durations) if durations else 0,
                    "read_to_commit_ms_max": 1000 * max(durations, default=0)},
        "worker_cpu": {"stream_s": cpu_stream, "share_of_a_core": cpu_stream / window},
        "producer_cpu_share": own / window if worker_tid is None else None,
        "other": other, "audit_verified": verified,
        "equal_to_full_rescore": same, "people_compared": compared,
    }
    return result


def report(r: dict[str, Any], args: argparse.Namespace) -> None:
    lag = r["lag_ms"]
    print(f"\nstream: {r['records']:,} records in {r['window_s']:.1f} s = "
          f"{r['achieved_rate']:,.0f} records/s (target {r['target_rate']:,.0f}), "
          f"{args.backend}, worker in a {args.worker}, batches of up to {args.batch}, "
          f"poll {args.poll * 1000:.0f} ms")
    print(f"lag (record committed -> its person's fresh score committed): p50 "
          f"{lag['p50']:.0f} ms, p95 {lag['p95']:.0f} ms, p99 {lag['p99']:.0f} ms, max "
          f"{lag['max']:.0f} ms; within 1 s: {100 * r['within_1s']:.1f}%; never re-scored: "
          f"{r['not_rescored']}")
    top = max((n for _, n in r["histogram"]), default=1) or 1
    for label, n in r["histogram"]:
        print(f"  {label} {n:>7,} {'#' * round(40 * n / top)}")
    b = r["batches"]
    print(f"batches: {b['count']:,}, people per batch median {b['people_median']:.0f} (max "
          f"{b['people_max']}), read-to-commit median {b['read_to_commit_ms_median']:.1f} ms "
          f"(max {b['read_to_commit_ms_max']:.1f} ms)")
    w = r["worker_cpu"]
    producer = (f", producer {100 * r['producer_cpu_share']:.0f}%"
                if r["producer_cpu_share"] is not None else "")
    print(f"worker CPU {w['stream_s']:.2f} s = {100 * w['share_of_a_core']:.0f}% of a core"
          f"{producer}; other (rest of the machine) {100 * r['other']:.0f}%")
    full = r["full_rescore"]
    print(f"baseline: one full re-score {full['median_s']:.3f} s (min {full['min_s']:.3f} s); "
          f"re-scoring everyone per update at {r['achieved_rate']:,.0f} records/s would need "
          f"{r['achieved_rate'] * full['min_s']:,.0f} s of re-scoring per second")
    if r["other"] > 0.10:
        print(f"warning: other processes used {100 * r['other']:.0f}% of the machine: "
              "figures are disturbed")
    print(f"audit chain verified: {r['audit_verified']}; current scores equal a full "
          f"re-score's: {r['equal_to_full_rescore']} ({r['people_compared']:,} people)")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--run-worker":
        run_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=2000.0, help="records per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--tick", type=float, default=0.02,
                        help="seconds between the producer's transactions")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--worker", choices=["process", "thread"], default="process")
    parser.add_argument("--batch", type=int, default=500, help="people per worker batch")
    parser.add_argument("--poll", type=float, default=0.05, help="idle worker's poll, s")
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="sys.setswitchinterval for this process (default Python's "
                        "5 ms): how long a thread waits for the GIL held by another")
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    from bench_service import database_url

    with tempfile.TemporaryDirectory(prefix="gvm-fresh-") as tmp, \
            database_url(args.backend, Path(tmp)) as url:
        result = stream(args, url, Path(tmp))
    report(result, args)
    result.update(backend=args.backend, worker=args.worker, batch=args.batch,
                  switch_interval=sys.getswitchinterval(),
                  poll=args.poll, tick=args.tick, seconds=args.seconds,
                  machine=machine(PACKAGES))
    print(f"written {write_result(f'freshness-{args.backend}', result)}")
    ok = result["not_rescored"] == 0 and result["audit_verified"]
    return 0 if ok and result["equal_to_full_rescore"] else 1


if __name__ == "__main__":
    sys.exit(main())
