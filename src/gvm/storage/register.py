"""Who is on the register: the current entry per person and the history of decisions
(R-HUMAN). Both cascade with the person, so erasure leaves nothing behind
(R-RETENTION). Only gvm.services.register writes here; scoring never does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from gvm.domain.register import (
    CohortMember,
    Decision,
    DecisionKind,
    RegisterState,
    RegisterStatus,
)
from gvm.storage.prepared import Prepared
from gvm.storage.tables import people, register_decisions, register_entries


def _status(row: Any) -> RegisterStatus:
    return RegisterStatus(person_id=row.person_id, status=RegisterState(row.status),
                          since=row.since, decided_by=row.decided_by, rationale=row.rationale)


_ENTRY = Prepared(select(register_entries)  # every profile view reads it
                  .where(register_entries.c.person_id == bindparam("person_id")))


def register_entry(conn: Connection, person_id: str) -> RegisterStatus | None:
    row = _ENTRY.first(conn, {"person_id": person_id})
    return None if row is None else _status(row)


def save_decision(conn: Connection, decision: Decision, state: RegisterState) -> int:
    """Record `decision` in the history and set the person's entry to `state`. The entry's
    `since` moves only when the state changes. Returns the decision id."""
    values = {k: getattr(decision, k) for k in (
        "person_id", "decided_by", "decided_by_role", "decided_at", "rationale", "as_of",
        "harm_units", "victim_units", "eligible", "policy_version", "policy_hash")}
    decision_id = conn.execute(
        insert(register_decisions).values(decision=DecisionKind(decision.decision).value,
                                          **values)
        .returning(register_decisions.c.decision_id)).scalar_one()
    current = register_entry(conn, decision.person_id)
    entry = {"status": state.value, "decided_by": decision.decided_by,
             "rationale": decision.rationale}
    if current is None:
        conn.execute(insert(register_entries).values(
            person_id=decision.person_id, since=decision.decided_at, **entry))
    else:
        if current.status is not state:
            entry["since"] = decision.decided_at
        conn.execute(update(register_entries)
                     .where(register_entries.c.person_id == decision.person_id).values(**entry))
    return int(decision_id)


def decisions(conn: Connection, person_id: str) -> list[Decision]:
    """A person's decisions, oldest first."""
    d = register_decisions.c
    rows = conn.execute(select(register_decisions).where(d.person_id == person_id)
                        .order_by(d.decided_at, d.decision_id))
    return [Decision(
        decision_id=r.decision_id, person_id=r.person_id, decision=DecisionKind(r.decision),
        decided_by=r.decided_by, decided_by_role=r.decided_by_role, decided_at=r.decided_at,
        rationale=r.rationale, as_of=r.as_of, harm_units=r.harm_units,
        victim_units=r.victim_units, eligible=bool(r.eligible),
        policy_version=r.policy_version, policy_hash=r.policy_hash) for r in rows]


def cohort(conn: Connection, borough_code: str) -> list[CohortMember]:
    """Everyone currently on the borough's register, by person id."""
    e = register_entries.c
    rows = conn.execute(
        select(e.person_id, e.status, e.since)
        .join_from(register_entries, people, e.person_id == people.c.person_id)
        .where(e.status == RegisterState.ON.value, people.c.borough_code == borough_code)
        .order_by(e.person_id))
    return [CohortMember(r.person_id, RegisterState(r.status), r.since) for r in rows]
