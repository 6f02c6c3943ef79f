"""Bundle import (idempotent upsert by natural key), reading records back as domain
values, and erasure (R-RETENTION)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.model import Outcome, PersonRecords
from gvm.reference import default_policy

DATA_TABLES = ("people", "aliases", "gangs", "offences", "intelligence", "custody")


def _save(db, bundle, sha, source_name="bundle.csv"):
    with db.unit_of_work() as uow:
        counts = uow.save_bundle(bundle, source_name=source_name, sha256=sha)
        uow.commit()
    return counts


def _snapshot(db, count):
    return {t: count(db, t) for t in DATA_TABLES}


def test_save_bundle_round_trip(database, bundle, sha):
    counts = _save(database, bundle, sha)
    assert {t: c["new"] for t, c in counts.items()} == bundle.counts()
    with database.unit_of_work() as uow:
        assert uow.list_people() == list(bundle.people)
        assert uow.list_people("E09000012") == [bundle.people[2]]
        assert uow.person("P2") == bundle.people[1]
        assert uow.person("nobody") is None
        assert sorted(uow.aliases("P1"), key=lambda a: (a.surname, a.forenames)) == sorted(
            bundle.aliases, key=lambda a: (a.surname, a.forenames))
        assert uow.aliases("P2") == []
        records = uow.person_records("P1")
        assert uow.person_records("nobody") is None
        assert uow.person_records("P2").custody[0].end_date is None
    assert records == PersonRecords(
        person_id="P1",
        offences=tuple(o for o in bundle.offences if o.person_id == "P1"),
        intelligence=tuple(i for i in bundle.intelligence if i.person_id == "P1"),
        custody=tuple(c for c in bundle.custody if c.person_id == "P1"),
    )


def test_reimporting_the_same_bundle_changes_nothing(database, bundle, sha, count):
    _save(database, bundle, sha)
    before = _snapshot(database, count)
    with database.engine.connect() as conn:
        stamps = conn.execute(sa.text("SELECT person_id, first_seen, last_updated FROM people"
                                      " ORDER BY person_id")).all()
    again = _save(database, bundle, sha)
    assert all(c["new"] == 0 and c["updated"] == 0 for c in again.values()), again
    assert {t: c["unchanged"] for t, c in again.items()} == bundle.counts()
    assert _snapshot(database, count) == before
    with database.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT person_id, first_seen, last_updated FROM people"
                                    " ORDER BY person_id")).all() == stamps
    assert count(database, "imports") == 2


def test_changed_rows_are_updated_in_place(database, bundle, sha, count):
    _save(database, bundle, sha)
    before = _snapshot(database, count)
    changed = replace(
        bundle,
        people=(replace(bundle.people[0], surname="Ashdown-Reid"), *bundle.people[1:]),
        offences=(replace(bundle.offences[0], outcome=Outcome.CONVICTED), *bundle.offences[1:]),
        custody=(replace(bundle.custody[0], end_date=date(2024, 9, 1)), *bundle.custody[1:]),
    )
    counts = _save(database, changed, "cd" * 32)
    assert {t: (c["new"], c["updated"]) for t, c in counts.items()} == {
        "gangs": (0, 0), "people": (0, 1), "aliases": (0, 0), "offences": (0, 1),
        "intelligence": (0, 0), "custody": (0, 1)}
    assert _snapshot(database, count) == before
    with database.unit_of_work() as uow:
        assert uow.person("P1").surname == "Ashdown-Reid"
        assert uow.person_records("P1").offences[0].outcome is Outcome.CONVICTED
        assert uow.person_records("P2").custody[0].end_date == date(2024, 9, 1)
    with database.engine.connect() as conn:
        rows = {r.person_id: r for r in conn.execute(sa.text(
            "SELECT person_id, first_seen, last_updated FROM people"))}
    assert rows["P1"].last_updated > rows["P1"].first_seen
    assert rows["P2"].last_updated == rows["P2"].first_seen


def test_import_record_keeps_the_file_name_and_digest_only(database, bundle, sha):
    counts = _save(database, bundle, sha.upper(), source_name="/home/officer/cases/Camden.xlsx")
    with database.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT source_name, sha256, counts FROM imports")).one()
    assert row.source_name == "Camden.xlsx"
    assert row.sha256 == sha
    stored = row.counts if isinstance(row.counts, dict) else json.loads(row.counts)
    assert stored == counts


@pytest.mark.parametrize("digest", ["", "xyz", "ab" * 31])
def test_import_refuses_a_malformed_digest(database, bundle, digest):
    with pytest.raises(ValueError, match="sha256"), database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=digest)


def test_erase_person_removes_every_personal_row_and_keeps_the_audit_log(
        database, bundle, sha, count):
    """R-RETENTION: removal erases the person's data, no shadow copies; the s.62 log
    stays, and holds ids only."""
    _save(database, bundle, sha)
    event = AuditEvent(actor="u1", actor_role="analyst", operation=Operation.CONSULTATION,
                       justification="case review", record_type="person", record_ids=("P1",))
    scores = pl.DataFrame({"person_id": ["P1", "P2", "P3"], "harm_units": [1, 0, 0],
                           "victim_units": [0, 0, 5], "harm_band": ["Green", "Zero", "Zero"],
                           "victim_band": ["Zero", "Zero", "Green"],
                           "eligible": [True, False, False], "in_custody": [False, True, False]})
    with database.unit_of_work() as uow:
        uow.save_score_run(date(2024, 8, 1), default_policy(), scores)
        uow.append_audit(event)
        uow.commit()
    audit_rows = count(database, "audit_log")

    with database.unit_of_work() as uow:
        assert uow.erase_person("P1") is True
        uow.append_audit(replace(event, operation=Operation.ERASURE,
                                 justification="retention review: no longer meets threshold"))
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.erase_person("P1") is False

    for table in ("people", "aliases", "offences", "intelligence", "custody", "scores"):
        assert count(database, table, "person_id = :p", p="P1") == 0, table
    assert count(database, "people") == 2
    assert count(database, "offences", "person_id = :p", p="P3") == 1  # same event, kept
    assert count(database, "scores") == 2
    assert count(database, "audit_log") == audit_rows + 1
    with database.unit_of_work() as uow:
        assert uow.verify_audit().ok
        assert [e.event.operation for e in uow.audit_entries(record_id="P1")] == [
            Operation.CONSULTATION, Operation.ERASURE]
        assert uow.latest_scores("P1") is None
    with database.engine.connect() as conn:
        text = " ".join(str(v) for r in conn.execute(sa.text("SELECT * FROM audit_log"))
                        for v in r)
    assert "Ashdown" not in text and "2001-03-04" not in text
