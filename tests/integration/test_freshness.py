"""Incremental freshness on both backends: every write of a person's records queues
exactly that person in the same transaction (import, recording and correcting
intelligence); a drain re-scores exactly the queued people, to the numbers a full
re-score gives, with one combination entry per batch (R-LOG); the queue survives a crash
before or during a drain; two workers never re-score a person twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.domain.model import (
    CustodyPeriod,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    SourceGrade,
    SourceType,
)
from gvm.domain.model import (
    Role as OffenceRole,
)
from gvm.reference import default_policy, offence_catalogue
from gvm.services import intelligence as intel_service
from gvm.services.freshness import FreshnessWorker, refresh_stale
from gvm.services.scoring import rescore
from gvm.storage import Database
from gvm.storage.freshness import CURRENT_COLUMNS
from gvm.storage.tables import current_scores

AS_OF = date(2024, 9, 1)
CAMDEN = "E09000007"
ANALYST = Actor(3, "analyst.camden", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
SRC = Path(__file__).resolve().parents[2] / "src"


def _import(db: Database, bundle, sha: str) -> None:
    with db.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.commit()


def _stale(db: Database) -> set[str]:
    with db.unit_of_work(read_only=True) as uow:
        return set(uow.stale_people())


def _drain(db: Database, as_of: date = AS_OF, batch: int = 500) -> FreshnessWorker:
    worker = FreshnessWorker(db.unit_of_work, default_policy(), offence_catalogue(),
                             actor="freshness", as_of=lambda: as_of, batch=batch)
    worker.drain()
    return worker


def _current(db: Database) -> pl.DataFrame:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(current_scores)).mappings().all()
    return pl.DataFrame([dict(r) for r in rows]) if rows else pl.DataFrame()


def _combinations(db: Database) -> list:
    with db.unit_of_work(read_only=True) as uow:
        return [e.event for e in uow.audit_search(operation=Operation.COMBINATION)
                if e.event.record_type == "person"]


def test_an_import_queues_exactly_the_people_whose_records_it_wrote(database, bundle, sha):
    _import(database, bundle, sha)
    assert _stale(database) == {"P1", "P2", "P3"}
    _drain(database)
    assert _stale(database) == set()

    _import(database, bundle, sha)  # the same bundle again: nothing written, nothing queued
    assert _stale(database) == set()

    p2 = next(p for p in bundle.people if p.person_id == "P2")
    changed = replace(bundle, people=(p2,), aliases=(), gangs=(), intelligence=(),
                      offences=(Offence("E2", date(2023, 8, 2), "34B", "P2",
                                        OffenceRole.SUSPECT, Outcome.ACQUITTED),),
                      custody=(CustodyPeriod("P2", date(2024, 1, 1), date(2024, 3, 1)),))
    _import(database, changed, sha)
    assert _stale(database) == {"P2"}


def test_moving_an_item_to_another_person_queues_both(database, bundle, sha):
    _import(database, bundle, sha)
    _drain(database)
    moved = replace(bundle, intelligence=tuple(
        replace(i, person_id="P2") if i.intel_id == "I3" else i for i in bundle.intelligence))
    _import(database, moved, sha)
    assert _stale(database) == {"P2", "P3"}


def test_recording_and_correcting_intelligence_queue_that_person(database, bundle, sha):
    _import(database, bundle, sha)
    _drain(database)
    intel_service.record_intelligence(
        database.unit_of_work, ANALYST, person_id="P1", dated=date(2024, 8, 1),
        category="weapon_access", source_id="S9", source_type="police", source_grade="1",
        intel_grade="A", handling_code="P", justification="stop and search",
        today=date(2024, 8, 2))
    assert _stale(database) == {"P1"}
    _drain(database)
    intel_service.correct_intelligence(database.unit_of_work, ANALYST, "I1",
                                       changes={"intel_grade": "E"},
                                       justification="re-graded", today=date(2024, 8, 2))
    assert _stale(database) == {"P1"}


def test_a_drain_rescores_exactly_the_queued_people_as_a_full_rescore_would(
        database, bundle, sha):
    _import(database, bundle, sha)
    _drain(database)
    first = _current(database)
    assert sorted(first["person_id"]) == ["P1", "P2", "P3"]

    database_uow = database.unit_of_work
    with database_uow() as uow:  # new weapon intelligence for P1: P1 alone goes stale
        uow.add_intelligence(Intelligence(
            "I9", date(2024, 8, 20), "P1", None, IntelCategory.WEAPON_ACCESS, "S9",
            SourceType.POLICE, SourceGrade.RELIABLE, IntelGrade.A, HandlingCode.P, "knife"))
        uow.commit()
    worker = _drain(database)
    assert worker.refreshed == 1
    second = _current(database)
    unchanged = first.filter(pl.col("person_id") != "P1")
    assert second.filter(pl.col("person_id") != "P1").equals(unchanged)  # not re-written
    p1 = second.filter(pl.col("person_id") == "P1")
    assert p1["harm_units"].item() > first.filter(pl.col("person_id") == "P1")[
        "harm_units"].item()

    _, full = rescore(database_uow, AS_OF, default_policy(), offence_catalogue(),
                      actor="t", actor_role="operator")
    fresh = second.select(CURRENT_COLUMNS).sort("person_id")
    assert fresh.equals(full.select(CURRENT_COLUMNS).sort("person_id"))
    policy = default_policy()
    assert set(second["policy_hash"]) == {policy.content_hash}
    assert set(second["as_of"]) == {AS_OF}


def test_the_reads_show_the_fresh_score(database, bundle, sha):
    _import(database, bundle, sha)
    rescore(database.unit_of_work, AS_OF, default_policy(), offence_catalogue(),
            actor="t", actor_role="operator")
    with database.unit_of_work(read_only=True) as uow:
        [before] = uow.people_summaries(["P1"])
        assert uow.latest_scores("P1").run_id is not None
    assert before.harm_band == "Zero"
    with database.unit_of_work() as uow:
        for n in range(3):  # three graded weapon items: 300 points, Amber
            uow.add_intelligence(Intelligence(
                f"W{n}", date(2024, 8, 1 + n), "P1", None, IntelCategory.WEAPON_ACCESS,
                f"S{n}", SourceType.POLICE, SourceGrade.RELIABLE, IntelGrade.A,
                HandlingCode.P, "knife"))
        uow.commit()
    _drain(database)
    with database.unit_of_work(read_only=True) as uow:
        [after] = uow.people_summaries(["P1"])
        stored = uow.latest_scores("P1")
        [p2] = uow.people_summaries(["P2"])
    assert (after.harm_band, stored.run_id, stored.harm_score) == ("Amber", None, 300.0)
    assert p2.harm_band == "Amber"  # from the drain too: the import queued everyone
    # A later full re-score (a later as_of) is what the reads show again.
    rescore(database.unit_of_work, date(2024, 9, 2), default_policy(), offence_catalogue(),
            actor="t", actor_role="operator")
    with database.unit_of_work(read_only=True) as uow:
        assert uow.latest_scores("P1").run_id is not None


def test_one_combination_entry_per_batch_names_its_people(database, bundle, sha):
    _import(database, bundle, sha)
    worker = _drain(database, batch=2)
    assert worker.batches == 2
    entries = _combinations(database)
    assert [e.record_ids for e in entries] == [("P1", "P2"), ("P3",)]
    assert all(e.detail["as_of"] == AS_OF.isoformat() for e in entries)
    assert database.verify_audit().ok


def test_a_failing_batch_leaves_everything_queued(database, bundle, sha):
    _import(database, bundle, sha)
    with pytest.raises(TypeError):  # no catalogue: fails inside the batch's transaction
        refresh_stale(database.unit_of_work, AS_OF, default_policy(), None,  # type: ignore[arg-type]
                      actor="freshness")
    assert _stale(database) == {"P1", "P2", "P3"}
    assert _current(database).is_empty()
    assert _combinations(database) == []


def _child_url(db: Database) -> str:
    if db.url.get_backend_name() == "sqlite":
        return db.url.render_as_string(hide_password=False)
    with db.engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    return (db.url.render_as_string(hide_password=False)
            + f"?options=-csearch_path%3D{schema}")


CLAIM_AND_HANG = """
import sys, time
from gvm.storage import Database
db = Database(sys.argv[1])
with db.unit_of_work() as uow:
    print(len(uow.claim_stale(100)), flush=True)
    time.sleep(120)
"""


def test_a_worker_killed_mid_batch_loses_nothing(database, bundle, sha):
    _import(database, bundle, sha)
    child = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, _child_url(database)],
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(SRC)})
    try:
        assert child.stdout.readline().strip() == "3"  # it holds the whole queue
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    assert _stale(database) == {"P1", "P2", "P3"}
    assert _drain(database).refreshed == 3
    assert _stale(database) == set()


def test_the_queue_survives_a_restart(make_database, bundle, sha):
    first = make_database()
    first.upgrade()
    _import(first, bundle, sha)
    first.dispose()  # nothing drained
    second = make_database()
    assert _stale(second) == {"P1", "P2", "P3"}
    assert _drain(second).refreshed == 3


def test_two_workers_rescore_each_person_once(database, bundle, sha):
    _import(database, bundle, sha)
    _drain(database)
    base = bundle.people[0]
    people = tuple(replace(base, person_id=f"Q{n:03d}") for n in range(60))
    offences = tuple(Offence(f"F{n}", date(2024, 3, 1), "8/1", p.person_id,
                             OffenceRole.SUSPECT, Outcome.CONVICTED)
                     for n, p in enumerate(people))
    _import(database, replace(bundle, people=people, aliases=(), intelligence=(),
                              custody=(), offences=offences), sha)
    assert len(_stale(database)) == 60
    workers = [FreshnessWorker(database.unit_of_work, default_policy(), offence_catalogue(),
                               actor=f"worker{n}", as_of=lambda: AS_OF, batch=7)
               for n in range(2)]
    threads = [threading.Thread(target=w.drain) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(w.refreshed for w in workers) == 60
    named = [pid for e in _combinations(database) for pid in e.record_ids
             if pid.startswith("Q")]
    assert sorted(named) == [p.person_id for p in people]
    assert _stale(database) == set()


@pytest.mark.parametrize("as_of", [
    date(2025, 1, 10),  # P2's custody still open; all offences within three years
    date(2026, 6, 1),  # I2 dated exactly 24 months before: outside the membership window
    date(2027, 1, 10),  # E1 dated exactly three years before: outside
])
def test_leaving_out_rows_outside_the_windows_changes_no_score(database, bundle, sha, as_of):
    _import(database, bundle, sha)
    _drain(database, as_of=as_of)
    _, full = rescore(database.unit_of_work, as_of, default_policy(), offence_catalogue(),
                      actor="t", actor_role="operator")
    fresh = _current(database).select(CURRENT_COLUMNS).sort("person_id")
    assert fresh.equals(full.select(CURRENT_COLUMNS).sort("person_id"))
