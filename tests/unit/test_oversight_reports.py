"""The inputs of the oversight reports (gvm.services.oversight_reports) from a fake unit
of work: the register cohort as decisions stood on each date, the eligible cohort, and
the suspects of in-scope violence in the 3 years up to the date."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime

import polars as pl

from gvm import reference
from gvm.domain import frames
from gvm.services.oversight_reports import CohortKind, report_inputs, run_report

B = "E09000022"


class FakeUow:
    def __init__(self):
        self.audit = []
        self.people = pl.DataFrame(
            [("P1", B, "Black", "M", date(2004, 1, 1)), ("P2", B, None, "F", date(1990, 1, 1)),
             ("P3", "E09000028", "White", "M", date(2000, 5, 5))], orient="row",
            schema={"person_id": pl.String, "borough_code": pl.String, "ethnicity": pl.String,
                    "sex": pl.String, "date_of_birth": pl.Date})
        self.decisions = pl.DataFrame(
            [("P1", "include", datetime(2024, 1, 10, tzinfo=UTC)),
             ("P2", "include", datetime(2024, 2, 1, tzinfo=UTC)),
             ("P2", "remove", datetime(2024, 5, 1, tzinfo=UTC))], orient="row",
            schema={"person_id": pl.String, "decision": pl.String,
                    "decided_at": pl.Datetime("us", "UTC")})
        self.offences = pl.DataFrame(
            [("P1", "E1", date(2024, 1, 10), "8N", "suspect", "convicted"),
             ("P3", "E2", date(2020, 1, 1), "8N", "suspect", "convicted"),  # too old
             ("P2", "E3", date(2024, 1, 1), "8N", "victim", None)],
            orient="row", schema=frames.OFFENCES)

    def equality_frames(self, after, until):
        o = self.offences.filter(pl.col("role") == "suspect", pl.col("date") > after,
                                 pl.col("date") <= until)
        return self.people, self.decisions, o.select("person_id", "date", "ho_offence_code")

    def scoring_frames(self, borough=None):
        return (self.people.select("person_id"), self.offences,
                frames.empty(frames.INTELLIGENCE), frames.empty(frames.CUSTODY))

    def append_audit(self, event):
        self.audit.append(event)

    def commit(self):
        pass


def test_register_cohort_follows_decisions_by_date():
    uow = FakeUow()
    got = report_inputs(uow, [date(2024, 3, 31), date(2024, 6, 30)],
                        reference.default_policy(), reference.offence_catalogue(),
                        cohort=CohortKind.REGISTER)
    assert sorted(got[date(2024, 3, 31)].cohort["person_id"]) == ["P1", "P2"]
    june = got[date(2024, 6, 30)]
    assert june.cohort["person_id"].to_list() == ["P1"]  # P2 removed in May
    assert june.cohort["harm_band"].to_list() == ["Amber"]  # 8N convicted: 365 days
    assert june.suspects["person_id"].to_list() == ["P1"]  # P3's offence is too old
    assert uow.audit == []


def test_eligible_cohort_and_the_audit_of_a_run():
    uow = FakeUow()

    @contextmanager
    def factory():
        yield uow

    result = run_report(factory, report="equality", dates=[date(2024, 6, 30)],
                        policy=reference.default_policy(),
                        catalogue=reference.offence_catalogue(), cohort=CohortKind.ELIGIBLE,
                        compute=lambda inputs: inputs[date(2024, 6, 30)].cohort.height,
                        summarise=lambda n: {"rows": n}, actor="a", actor_role="operator")
    assert result == 0  # no corroborated membership intelligence: nobody eligible
    (event,) = uow.audit
    assert event.operation.value == "combination" and event.record_type == "report"
    assert event.record_ids == ()
    assert event.detail["cohort_size"] == 0 and event.detail["suspects"] == 1
