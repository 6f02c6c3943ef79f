"""Who is on the register is a named gang lead's decision with a rationale (R-HUMAN),
only for people who meet the threshold (R-THRESHOLD), in their own borough (R-ACCESS);
the score never adds or removes anyone by itself; decisions go with the person on
erasure (R-RETENTION)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.domain.errors import NotEligible
from gvm.domain.register import DecisionKind, RegisterState
from gvm.domain.scoring import score_person
from gvm.reference import default_policy, offence_catalogue
from gvm.services.access import InvalidInput
from gvm.services.errors import Forbidden, NotFound
from gvm.services.register import cohort, decide_inclusion, decide_removal, register_status
from gvm.services.scoring import rescore
from gvm.storage.unit_of_work import UnitOfWork

CAMDEN, HACKNEY = "E09000007", "E09000012"
AS_OF = date(2024, 6, 30)
WHY = "corroborated by police and partner intelligence; agreed at the borough meeting"
CAMDEN_LEAD = Actor(user_id=1, username="lead.camden", role=Role.GANG_LEAD,
                    borough_code=CAMDEN)
HACKNEY_LEAD = Actor(user_id=2, username="lead.hackney", role=Role.GANG_LEAD,
                     borough_code=HACKNEY)
CAMDEN_ANALYST = Actor(user_id=3, username="analyst.camden", role=Role.BOROUGH_ANALYST,
                       borough_code=CAMDEN)
FORCE_ANALYST = Actor(user_id=4, username="analyst.force", role=Role.FORCE_ANALYST)


@pytest.fixture
def uow(database, bundle, sha):
    """The sample bundle: P1 (Camden) is eligible on AS_OF, P2 (Camden) is not, P3 is
    in Hackney."""
    with database.unit_of_work() as u:
        u.save_bundle(bundle, source_name="b.csv", sha256=sha)
        u.commit()
    return database.unit_of_work


def include(uow, person_id="P1", actor=CAMDEN_LEAD, rationale=WHY, **kw):
    return decide_inclusion(uow, person_id, actor=actor, rationale=rationale, as_of=AS_OF,
                            policy=default_policy(), catalogue=offence_catalogue(), **kw)


def remove(uow, person_id="P1", actor=CAMDEN_LEAD, rationale=WHY, **kw):
    return decide_removal(uow, person_id, actor=actor, rationale=rationale, as_of=AS_OF,
                          policy=default_policy(), catalogue=offence_catalogue(), **kw)


def rows(db, table):
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1"))]


def audit(db, operation=None):
    with db.unit_of_work() as u:
        return [e.event for e in u.audit_entries(record_type="person", operation=operation)]


def test_not_eligible_is_refused_with_the_threshold_reason(database, uow, count):
    with pytest.raises(NotEligible, match=r"source\(s\).*2 different sources needed"):
        include(uow, "P2")
    assert count(database, "register_entries") == 0
    assert count(database, "register_decisions") == 0
    assert register_status(uow, "P2") is None
    [looked] = audit(database, Operation.CONSULTATION)  # the reason shown is a look: logged
    assert looked.record_ids == ("P2",) and looked.actor == "lead.camden"
    assert audit(database, Operation.ALTERATION) == []


def test_inclusion_by_the_boroughs_gang_lead_with_a_rationale(database, uow):
    decided_at = datetime(2024, 7, 1, 10, tzinfo=UTC)
    decision = include(uow, now=decided_at)
    assert decision.decision is DecisionKind.INCLUDE and decision.decision_id > 0
    assert (decision.decided_by, decision.decided_by_role) == ("lead.camden", "gang_lead")
    assert decision.eligible and decision.rationale == WHY and decision.as_of == AS_OF
    assert decision.policy_hash == default_policy().content_hash
    with database.unit_of_work() as u:  # the score the lead saw, kept with the decision
        seen = score_person(u.person_records("P1"), AS_OF, default_policy(),
                            offence_catalogue())
    assert (decision.harm_units, decision.victim_units) == (seen.harm_units, seen.victim_units)
    status = register_status(uow, "P1")
    assert (status.status, status.since, status.decided_by) == (
        RegisterState.ON, decided_at, "lead.camden")
    with database.unit_of_work() as u:
        assert u.register_decisions("P1") == [decision]
    [event] = audit(database, Operation.ALTERATION)
    assert event.justification == WHY and event.record_ids == ("P1",)
    assert event.actor == "lead.camden" and event.actor_role == "gang_lead"
    assert event.detail["decision"] == "include"
    assert event.detail["decision_id"] == decision.decision_id
    assert event.detail["policy_hash"] == default_policy().content_hash
    assert cohort(uow, CAMDEN) == [("P1", RegisterState.ON, decided_at)]
    assert cohort(uow, HACKNEY) == []


def test_decision_and_audit_are_one_transaction(database, uow, monkeypatch, count):
    def broken(self, event):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(UnitOfWork, "append_audit", broken)
    with pytest.raises(RuntimeError):
        include(uow)
    assert count(database, "register_entries") == 0
    assert count(database, "register_decisions") == 0


@pytest.mark.parametrize("rationale", ["", "   ", "because"])
def test_rationale_is_required(database, uow, rationale, count):
    with pytest.raises(InvalidInput, match="rationale"):
        include(uow, rationale=rationale)
    assert count(database, "register_entries") == 0


def test_removal(database, uow):
    t1 = datetime(2024, 7, 1, tzinfo=UTC)
    include(uow, now=t1)
    include(uow, rationale="reviewed this quarter: still meets the threshold",
            now=t1 + timedelta(days=90))
    assert register_status(uow, "P1").since == t1  # a re-confirmation keeps `since`
    t2 = t1 + timedelta(days=120)
    decision = remove(uow, rationale="no violence in two quarterly reviews", now=t2)
    assert decision.decision is DecisionKind.REMOVE
    status = register_status(uow, "P1")
    assert (status.status, status.since) == (RegisterState.OFF, t2)
    assert status.rationale == "no violence in two quarterly reviews"
    assert cohort(uow, CAMDEN) == []
    with database.unit_of_work() as u:
        kinds = [d.decision for d in u.register_decisions("P1")]
    assert kinds == [DecisionKind.INCLUDE, DecisionKind.INCLUDE, DecisionKind.REMOVE]
    with pytest.raises(InvalidInput, match="not on the register"):
        remove(uow, now=t2 + timedelta(days=1))
    with pytest.raises(InvalidInput, match="not on the register"):
        remove(uow, "P2")


def test_removal_needs_no_eligibility(uow):
    include(uow)
    later = date(2027, 1, 1)  # P1's membership intelligence is out of its window
    decision = decide_removal(uow, "P1", actor=CAMDEN_LEAD, rationale=WHY, as_of=later,
                              policy=default_policy(), catalogue=offence_catalogue())
    assert not decision.eligible
    assert register_status(uow, "P1").status is RegisterState.OFF


@pytest.mark.parametrize("decide", [include, remove])
def test_another_boroughs_gang_lead_gets_not_found(database, uow, decide):
    with pytest.raises(NotFound, match=r"^no such person$") as other_borough:
        decide(uow, "P1", actor=HACKNEY_LEAD)
    with pytest.raises(NotFound) as unknown:
        decide(uow, "P404", actor=HACKNEY_LEAD)
    assert str(other_borough.value) == str(unknown.value)  # existence does not leak
    assert audit(database) == []


@pytest.mark.parametrize("actor", [CAMDEN_ANALYST, FORCE_ANALYST])
def test_analysts_are_forbidden(database, uow, actor, count):
    with pytest.raises(Forbidden):
        include(uow, actor=actor)
    with pytest.raises(Forbidden):
        remove(uow, actor=actor)
    assert count(database, "register_entries") == 0


def test_a_token_without_the_decide_scope_is_forbidden(uow):
    narrowed = Actor(user_id=1, username="lead.camden", role=Role.GANG_LEAD,
                     borough_code=CAMDEN, token_scopes=frozenset())
    with pytest.raises(Forbidden):
        include(uow, actor=narrowed)


def test_rescore_never_touches_the_register(database, uow):
    """R-HUMAN: a score run neither adds nor removes anyone, even when eligibility
    changes; it issues no statement against the register's tables."""
    include(uow)
    before = (rows(database, "register_entries"), rows(database, "register_decisions"))
    statements: list[str] = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement.lower())

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    try:
        for as_of in (AS_OF, date(2027, 1, 1)):  # P1 eligible, then not
            rescore(uow, as_of, default_policy(), offence_catalogue(), actor="op",
                    actor_role="operator")
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", capture)
    assert statements and not [s for s in statements if "register_" in s]
    assert (rows(database, "register_entries"), rows(database, "register_decisions")) == before
    assert register_status(uow, "P2") is None  # nobody added by score


def test_erasure_takes_the_decisions_with_the_person(database, uow, count):
    include(uow)
    remove(uow)
    with database.unit_of_work() as u:
        assert u.erase_person("P1")
        u.commit()
    assert count(database, "register_entries") == 0
    assert count(database, "register_decisions") == 0
    assert len(audit(database, Operation.ALTERATION)) == 2  # the log keeps ids only
