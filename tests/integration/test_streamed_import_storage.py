"""The streamed import on both backends: what import_bundle stores equals what the whole
bundle saved at once stores; counts on a first import (PostgreSQL: COPY into the empty
table), an unchanged re-import and a changed one (COPY into a staging table and one
upsert); and a problem found after earlier chunks were written leaves nothing behind."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from gvm.domain.audit import Operation
from gvm.interchange import BundleError, BundleStream, read_bundle, write_bundle
from gvm.services import importing
from gvm.services.importing import import_bundle

DATA = {"people": "person_id", "aliases": "person_id, surname, forenames",
        "gangs": "gang_id", "offences": "event_id, person_id", "intelligence": "intel_id",
        "custody": "person_id, start_date"}
COLUMNS = {"people": "person_id, surname, forenames, date_of_birth, sex, ethnicity, "
                     "borough_code",
           "aliases": "person_id, surname, forenames"}


@pytest.fixture
def bundle(bundle):
    """The sample bundle, with Home Office codes from the list (the file is validated)."""
    return replace(bundle, offences=tuple(
        replace(o, ho_offence_code="8N") if o.ho_offence_code == "8/1" else o
        for o in bundle.offences))


def _rows(db, table):
    with db.engine.connect() as conn:
        cols = COLUMNS.get(table, "*")
        return conn.execute(sa.text(f"SELECT {cols} FROM {table} ORDER BY {DATA[table]}")).all()


def _import(db, folder):
    return import_bundle(db.unit_of_work, folder, actor="loader", actor_role="operator")


def test_streamed_import_stores_what_the_whole_bundle_does(database, bundle, sha, tmp_path):
    folder = write_bundle(bundle, tmp_path / "b")
    streamed = database
    report = _import(streamed, folder)
    assert report.stored["people"] == {"received": 3, "new": 3, "updated": 0, "unchanged": 0}
    assert report.counts == bundle.counts()
    snapshot = {t: _rows(streamed, t) for t in DATA}
    with streamed.unit_of_work() as uow:  # the same again, saved whole, on top
        again = uow.save_bundle(read_bundle(folder), source_name="b", sha256=sha)
        uow.commit()
    assert all(c["unchanged"] == c["received"] for c in again.values())
    assert {t: _rows(streamed, t) for t in DATA} == snapshot


def test_first_unchanged_and_changed_imports_count_alike(database, bundle, tmp_path):
    first = _import(database, write_bundle(bundle, tmp_path / "a")).stored
    assert {t: c["new"] for t, c in first.items()} == {
        "gangs": 2, "people": 3, "aliases": 2, "offences": 4, "intelligence": 3, "custody": 2}
    same = _import(database, write_bundle(bundle, tmp_path / "b")).stored
    assert all(c["unchanged"] == c["received"] and not c["new"] for c in same.values())
    people = (replace(bundle.people[0], surname="Ashdowne"), *bundle.people[1:])
    intel = (*bundle.intelligence[:2], replace(bundle.intelligence[2], summary="changed"))
    changed = replace(bundle, people=people, intelligence=intel)
    stored = _import(database, write_bundle(changed, tmp_path / "c")).stored
    assert stored["people"] == {"received": 3, "new": 0, "updated": 1, "unchanged": 2}
    assert stored["intelligence"] == {"received": 3, "new": 0, "updated": 1, "unchanged": 2}
    assert _rows(database, "people")[0].surname == "Ashdowne"
    assert _rows(database, "intelligence")[2].summary == "changed"


def test_a_late_problem_rolls_back_the_chunks_already_written(database, bundle, tmp_path,
                                                              count):
    folder = write_bundle(bundle, tmp_path / "b")
    with (folder / "custody.csv").open("a", encoding="utf-8") as f:
        f.write("P9,2024-01-01,\n")  # custody is read after everything else was written
    with pytest.raises(BundleError) as e:
        _import(database, folder)
    assert str(e.value) == ("custody.csv row 4, column person_id: unknown person_id "
                            "(expected a person_id from people.csv)")
    assert all(count(database, t) == 0 for t in DATA)
    assert count(database, "imports") == 0


def test_small_chunks_store_the_same(database, bundle, sha, tmp_path: Path):
    folder = write_bundle(bundle, tmp_path / "b")
    with database.unit_of_work() as uow:
        stored = uow.save_bundle_chunks(BundleStream(folder, chunk_records=1),
                                        source_name="b", sha256=sha)
        uow.commit()
    assert {t: c["new"] for t, c in stored.items()} == {
        "gangs": 2, "people": 3, "aliases": 2, "offences": 4, "intelligence": 3, "custody": 2}
    with database.unit_of_work() as uow:
        assert uow.list_people() == list(bundle.people)
        assert uow.person_records("P1").intelligence == tuple(
            i for i in bundle.intelligence if i.person_id == "P1")


@pytest.mark.parametrize("table, line, message", [
    ("intelligence.csv", "I1,2023-09-01,P1,,at_risk,S9,police,1,A,P,again\n",
     "intelligence.csv row 5, column intel_id: duplicate intel_id (already used at row 2)"),
    ("offences.csv", "E1,2024-01-10,8N,P1,witness,\n",
     "offences.csv row 6, column person_id: this person already has a row for this event "
     "(event_id and person_id together must be unique; event first at row 2)"),
    ("custody.csv", "P2,2024-01-01,2024-02-01\n",
     "custody.csv row 4, column start_date: duplicate custody period (the same person_id "
     "and start_date as row 2)"),
])
def test_a_repeated_key_is_a_bundle_error_on_a_first_and_a_later_import(
        database, bundle, tmp_path, count, table, line, message):
    """A repeated key is judged when its table ends, after its chunks were written:
    PostgreSQL's COPY into the empty table refuses it first (and an upsert would merge
    it), yet the import reports the bundle's problem and writes nothing."""
    folder = write_bundle(bundle, tmp_path / "b")
    with (folder / table).open("a", encoding="utf-8") as f:
        f.write(line)
    for _ in range(2):  # into empty tables (COPY), then on top of the valid bundle
        with pytest.raises(BundleError) as e:
            _import(database, folder)
        assert str(e.value) == message
        if count(database, "people"):
            assert count(database, "imports") == 1
            break
        assert all(count(database, t) == 0 for t in DATA)
        assert count(database, "imports") == 0
        _import(database, write_bundle(bundle, tmp_path / "valid"))
    else:
        raise AssertionError("the second import did not run")


def test_read_in_a_process_of_its_own_stores_the_same(database, bundle, sha, tmp_path, count):
    """The chunks of a reading process (columns of stored values) store what the
    records do (saving the whole bundle on top changes nothing); its BundleError after
    chunks were written still leaves nothing."""
    folder = write_bundle(bundle, tmp_path / "b")
    with (folder / "custody.csv").open("a", encoding="utf-8") as f:
        f.write("P9,2024-01-01,\n")
    with pytest.raises(BundleError) as e, database.unit_of_work() as uow:
        uow.save_bundle_chunks(BundleStream(folder, chunk_records=2, process=True),
                               source_name="b", sha256=sha)
    assert str(e.value) == ("custody.csv row 4, column person_id: unknown person_id "
                            "(expected a person_id from people.csv)")
    assert all(count(database, t) == 0 for t in DATA)
    folder = write_bundle(bundle, tmp_path / "c")
    with database.unit_of_work() as uow:
        stored = uow.save_bundle_chunks(BundleStream(folder, chunk_records=2, process=True),
                                        source_name="c", sha256=sha)
        uow.commit()
    assert {t: c["new"] for t, c in stored.items()} == {
        "gangs": 2, "people": 3, "aliases": 2, "offences": 4, "intelligence": 3, "custody": 2}
    snapshot = {t: _rows(database, t) for t in DATA}
    with database.unit_of_work() as uow:
        again = uow.save_bundle(read_bundle(folder), source_name="c", sha256=sha)
        uow.commit()
    assert all(c["unchanged"] == c["received"] for c in again.values())
    assert {t: _rows(database, t) for t in DATA} == snapshot


def _collections(db):
    with db.unit_of_work() as uow:
        return [e.event for e in uow.audit_entries(operation=Operation.COLLECTION)]


def test_an_import_logs_its_collection_naming_every_person(database, bundle, tmp_path):
    report = _import(database, write_bundle(bundle, tmp_path / "b"))
    [entry] = _collections(database)
    assert (entry.actor, entry.actor_role, entry.record_type) == ("loader", "operator", "person")
    assert entry.record_ids == ("P1", "P2", "P3") and entry.justification == "bundle import"
    assert entry.detail == {"source": "b", "sha256": report.sha256, "counts": report.counts}


def test_a_large_import_logs_its_collection_in_parts(database, bundle, tmp_path, monkeypatch):
    """Each entry names at most AUDIT_PART_PEOPLE people (the importer never holds a
    national bundle's million ids at once); together, in file order, every one."""
    monkeypatch.setattr(importing, "AUDIT_PART_PEOPLE", 2)
    report = _import(database, write_bundle(bundle, tmp_path / "b"))
    entries = _collections(database)
    assert [e.record_ids for e in entries] == [("P1", "P2"), ("P3",)]
    base = {"source": "b", "sha256": report.sha256, "counts": report.counts}
    assert [e.detail for e in entries] == [{**base, "part": 1, "parts": 2},
                                           {**base, "part": 2, "parts": 2}]
    with database.unit_of_work() as uow:
        assert uow.verify_audit().ok
