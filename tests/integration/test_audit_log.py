"""R-LOG: the s.62 log is append-only and hash-chained, written in the same transaction
as the change it records, and `verify` names the first row where the chain breaks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gvm.domain.audit import AuditError, AuditEvent, Operation
from gvm.storage import audit


def _event(n: int = 0, **changes) -> AuditEvent:
    fields = {"actor": f"officer{n % 3}", "actor_role": "analyst",
              "operation": Operation.CONSULTATION, "justification": f"case {n}",
              "record_type": "person", "record_ids": (f"P{n}",),
              "detail": {"view": "record", "n": n}}
    return AuditEvent(**(fields | changes))


def _append(db, events) -> list[int]:
    with db.unit_of_work() as uow:
        seqs = uow.append_audit_many(events)
        uow.commit()
    return seqs


def test_appended_events_form_a_verified_chain(database):
    assert database.verify_audit() == audit.VerifyResult(True, 0)
    assert _append(database, [_event(1)]) == [1]
    assert _append(database, [_event(n) for n in range(2, 6)]) == [2, 3, 4, 5]
    with database.unit_of_work() as uow:
        seq = uow.append_audit(_event(6, operation=Operation.DISCLOSURE, recipient="YOS Camden",
                                      record_ids=("P2", "P3"), detail={"fields": ["harm_band"]}))
        uow.commit()
    assert seq == 6
    result = database.verify_audit()
    assert (result.ok, result.checked, result.first_broken_seq, result.head_seq) == (
        True, 6, None, 6)
    with database.unit_of_work() as uow:
        shared = list(uow.audit_entries(record_id="P3", operation=Operation.DISCLOSURE))
        assert [e.seq for e in uow.audit_entries(record_id="P2")] == [2, 6]
        assert [e.seq for e in uow.audit_entries(record_id="P")] == []  # exact ids only
    assert [(e.seq, e.event.recipient) for e in shared] == [(6, "YOS Camden")]
    assert shared[0].event == _event(6, operation=Operation.DISCLOSURE, recipient="YOS Camden",
                                     record_ids=("P2", "P3"), detail={"fields": ["harm_band"]})
    assert shared[0].at.tzinfo is UTC


def test_the_hash_covers_every_field_and_the_previous_hash():
    row = {"seq": 1, "at": datetime(2024, 1, 1, tzinfo=UTC), "actor": "a", "actor_role": "r",
           "operation": "consultation", "justification": "j", "record_type": "person",
           "record_ids": '["P1"]', "recipient": None, "detail": "{}",
           "prev_hash": audit.GENESIS_HASH}
    base = audit.entry_hash(row)
    for field, other in [("seq", 2), ("actor", "b"), ("justification", "k"),
                         ("record_ids", '["P2"]'), ("recipient", "x"), ("detail", '{"a":1}'),
                         ("at", datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)),
                         ("prev_hash", "1" * 64)]:
        assert audit.entry_hash(row | {field: other}) != base, field


def _tamper(db, drop_triggers, *statements):
    drop_triggers(db)
    with db.engine.begin() as conn:
        for sql in statements:
            conn.execute(sa.text(sql))


def test_verify_names_an_edited_row(database, drop_triggers):
    _append(database, [_event(n) for n in range(1, 8)])
    _tamper(database, drop_triggers,
            "UPDATE audit_log SET justification = 'nothing to see' WHERE seq = 4")
    result = database.verify_audit()
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 4, 3)
    assert "altered" in result.reason


def test_verify_names_a_deleted_row(database, drop_triggers):
    _append(database, [_event(n) for n in range(1, 8)])
    _tamper(database, drop_triggers, "DELETE FROM audit_log WHERE seq = 3")
    result = database.verify_audit()
    assert (result.ok, result.first_broken_seq) == (False, 3)
    assert "missing" in result.reason


def test_verify_names_a_deleted_row_even_when_the_rest_is_renumbered(database, drop_triggers):
    _append(database, [_event(n) for n in range(1, 8)])
    _tamper(database, drop_triggers, "DELETE FROM audit_log WHERE seq = 3",
            "UPDATE audit_log SET seq = -seq WHERE seq > 3",
            "UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0")
    result = database.verify_audit()
    assert (result.ok, result.first_broken_seq) == (False, 3)


def test_verify_names_reordered_rows(database, drop_triggers):
    _append(database, [_event(n) for n in range(1, 8)])
    _tamper(database, drop_triggers,
            "UPDATE audit_log SET seq = -5 WHERE seq = 5",
            "UPDATE audit_log SET seq = 5 WHERE seq = 6",
            "UPDATE audit_log SET seq = 6 WHERE seq = -5")
    result = database.verify_audit()
    assert (result.ok, result.first_broken_seq) == (False, 5)


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'someone else' WHERE seq = 1",
                                 "DELETE FROM audit_log WHERE seq = 1",
                                 "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_or_delete_audit_rows(database, sql, count):
    _append(database, [_event(1), _event(2)])
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), \
            database.engine.begin() as conn:
        conn.execute(sa.text(sql))
    assert count(database, "audit_log") == 2
    assert database.verify_audit().ok


def test_concurrent_writers_keep_one_unbroken_chain(database):
    """Two threads, 50 transactions each: the chain head is serialised, never forked."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(50):
                with database.unit_of_work() as uow:
                    uow.append_audit(_event(n, actor=name))
                    uow.commit()
        except BaseException as e:  # reported below, in the test's own thread
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(f"writer{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = database.verify_audit()
    assert (result.ok, result.checked, result.head_seq) == (True, 100, 100)
    with database.unit_of_work() as uow:
        actors = [e.event.actor for e in uow.audit_entries()]
    assert actors.count("writer0") == actors.count("writer1") == 50


def test_a_rolled_back_unit_of_work_leaves_neither_data_nor_audit(database, bundle, sha, count):
    with pytest.raises(RuntimeError), database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.append_audit(_event(1, operation=Operation.COLLECTION))
        raise RuntimeError("the service failed after writing")
    with database.unit_of_work() as uow:  # and leaving without commit() keeps nothing
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.append_audit(_event(1, operation=Operation.COLLECTION))
    for table in ("people", "offences", "imports", "audit_log"):
        assert count(database, table) == 0, table
    assert _append(database, [_event(2)]) == [1]  # no gap left behind
    assert database.verify_audit().ok


@pytest.mark.parametrize(("changes", "message"), [
    ({"detail": {"surname": "Ashdown"}}, "personal data"),
    ({"detail": {"person": {"date_of_birth": "2001-03-04"}}}, "personal data"),
    ({"justification": " "}, "justification"),
    ({"operation": Operation.DISCLOSURE}, "recipient"),
    ({"record_ids": "P1"}, "record_ids"),
])
def test_an_audit_event_refuses_personal_data_and_missing_fields(changes, message):
    with pytest.raises(AuditError, match=message):
        _event(1, **changes)


def test_an_audit_event_may_count_what_it_may_not_name():
    assert _event(1, detail={"counts": {"aliases": 2, "people": 3}}).detail["counts"]
