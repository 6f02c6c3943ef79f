"""Corrections of disclosed intelligence (R-ACCURACY, R-LOG) on both backends: every
earlier recipient of the item, or of a score it counts towards, is listed with a notice
naming ids and field names only; a recipient of names alone is not. ISA registration is
logged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gvm.authz import Actor, Role
from gvm.domain.audit import Operation
from gvm.reference import default_policy, offence_catalogue
from gvm.services import intelligence, sharing

CAMDEN = "E09000007"
ANALYST = Actor(3, "analyst.camden", Role.BOROUGH_ANALYST, borough_code=CAMDEN)
DPO = Actor(4, "dora", Role.DPO)


@pytest.fixture
def uow(database, bundle, sha):
    with database.unit_of_work() as u:
        u.save_bundle(bundle, source_name="b.csv", sha256=sha)
        u.commit()
    return database.unit_of_work


def _share(uow, organisation, kind, fields):
    isa = sharing.register_isa(
        uow, DPO, organisation=organisation, organisation_type=kind,
        purpose="reducing serious violence in the borough", boroughs=[CAMDEN],
        permitted_fields=fields, handling_conditions="named officers only",
        start_date=date(2024, 1, 1), end_date=date(2099, 12, 31))
    return isa, sharing.make_disclosure(
        uow, ANALYST, isa.isa_id, ["P1"], fields, as_of=date(2024, 6, 30),
        policy=default_policy(), catalogue=offence_catalogue(), justification="panel",
        now=datetime(2024, 7, 10, tzinfo=UTC))


def test_correcting_disclosed_intelligence_lists_every_earlier_recipient(database, uow):
    isa, graded = _share(uow, "Camden Probation", "probation",
                         ["person_id", "intelligence_summary_graded"])
    _share(uow, "Camden Housing", "housing", ["person_id", "names"])
    done = intelligence.correct_intelligence(uow, ANALYST, "I1",
                                             changes={"intel_grade": "C"},
                                             justification="re-graded after review",
                                             today=date(2024, 8, 1))
    [notice] = done.notices
    assert (notice.organisation, notice.disclosure_ids) == ("Camden Probation",
                                                            (graded.disclosure_id,))
    assert "I1" in notice.text and "P1" in notice.text and "intel_grade" in notice.text
    assert "Ashdown" not in notice.text and "seen with group" not in notice.text
    with database.unit_of_work() as u:
        entries = [e.event for e in u.audit_search()]
    [corrected] = [e for e in entries if e.detail.get("intelligence") == "I1"]
    assert corrected.detail["recipients_notified"] == ["Camden Probation"]
    assert corrected.detail["disclosure_ids"] == [graded.disclosure_id]
    registered = [e for e in entries if e.record_type == "isa"]
    assert len(registered) == 2
    first = registered[0]
    assert (first.operation, first.actor, first.record_ids) == (
        Operation.ALTERATION, "dora", (str(isa.isa_id),))
