"""The DPO's audit log filters (R-LOG): by record, actor, operation and period, with a
seq cursor and a limit, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from gvm.domain.audit import AuditEvent, Operation
from gvm.storage import audit


def _event(actor: str, operation: Operation, *ids: str) -> AuditEvent:
    return AuditEvent(actor=actor, actor_role="borough_analyst", operation=operation,
                      justification="test", record_type="person", record_ids=ids)


def test_entries_filter_by_actor_period_cursor_and_limit(database):
    jan, feb, mar = (datetime(2024, m, 15, 12, tzinfo=UTC) for m in (1, 2, 3))
    with database.unit_of_work() as uow:
        conn = uow.connection
        audit.append(conn, _event("ann", Operation.CONSULTATION, "P1"), at=jan)
        audit.append(conn, _event("bob", Operation.COLLECTION, "P1", "P2"), at=feb)
        audit.append(conn, _event("ann", Operation.ALTERATION, "P2"), at=mar)
        audit.append(conn, _event("ann", Operation.CONSULTATION, "P11"), at=mar)
        uow.commit()
    with database.unit_of_work() as uow:
        def seqs(**filters):
            return [e.seq for e in audit.entries(uow.connection, **filters)]

        assert seqs(actor="ann") == [1, 3, 4]
        assert seqs(since=feb) == [2, 3, 4]
        assert seqs(until=feb) == [1]
        assert seqs(since=feb, until=mar) == [2]
        assert seqs(after_seq=2) == [3, 4]
        assert seqs(limit=2) == [1, 2]
        assert seqs(record_id="P1") == [1, 2]  # P11 does not match P1
        assert seqs(record_id="P1", limit=1) == [1]
        assert seqs(record_id="P2", actor="ann", operation=Operation.ALTERATION) == [3]
        assert seqs(limit=0) == []
        assert [e.seq for e in uow.audit_search(actor="ann", after_seq=1, limit=1)] == [3]
