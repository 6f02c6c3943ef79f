"""Use cases of oversight reporting: the equality report (R-EQUALITY) and the quarterly
statistical release (R-PUBLISH).

This module fetches what the reports read (through the ReportsUnitOfWork port) and logs
the run; the computations themselves are pure functions of gvm.reports, which the caller
passes in as `compute` (services and reports are sibling layers and do not import each
other). A report run combines personal data of everyone held (demographics, scores,
offences), so it is logged as a COMBINATION of record type "report", with aggregate
outputs only: counts, never person ids.

The cohort on a date is either
- "register": the people on the register that day, from the named supervisors' decisions
  (the last decision on or before the day is an inclusion; today this is exactly the
  register_entries with status 'on'), or
- "eligible": everyone who meets the inclusion threshold that day (R-THRESHOLD), for data
  with no decisions recorded (the synthetic data has none).
Each cohort member carries their harm band on that date, scored afresh with the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

import polars as pl

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.batch import code_weight_units, score_batch
from gvm.domain.dates import minus_months
from gvm.domain.policy import Policy
from gvm.domain.register import DecisionKind
from gvm.services.access import InvalidInput
from gvm.services.ports import ReportsUnitOfWork, ReportsUnitOfWorkFactory

T = TypeVar("T")

# "the people involved in the violence it targets": suspects of in-scope violence (an
# offence code that weighs anything under the policy) in the three years up to the date.
SUSPECT_WINDOW_MONTHS = 36

DEMOGRAPHICS = ("person_id", "borough_code", "ethnicity", "sex", "date_of_birth")


class CohortKind(StrEnum):
    REGISTER = "register"
    ELIGIBLE = "eligible"


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """What the report reads for one date: the cohort (DEMOGRAPHICS + harm_band) and the
    suspects of in-scope violence (DEMOGRAPHICS), each person once."""

    as_of: date
    cohort: pl.DataFrame
    suspects: pl.DataFrame


def _register_on(decisions: pl.DataFrame, day: date) -> pl.DataFrame:
    """person_id of everyone whose last decision on or before `day` (UTC) is inclusion."""
    return (decisions.filter(pl.col("decided_at").dt.date() <= day)
            .group_by("person_id", maintain_order=True).last()
            .filter(pl.col("decision") == DecisionKind.INCLUDE.value)
            .select("person_id"))


def report_inputs(uow: ReportsUnitOfWork, dates: Sequence[date], policy: Policy,
                  catalogue: Mapping[str, str], *, cohort: CohortKind,
                  borough: str | None = None) -> dict[date, ReportInputs]:
    """The cohort and the suspects on each date (of one borough if given)."""
    if not dates:
        return {}
    after = minus_months(min(dates), SUSPECT_WINDOW_MONTHS)
    people, decisions, offences = uow.equality_frames(after, max(dates))
    if borough is not None:
        people = people.filter(pl.col("borough_code") == borough)
    people = people.select(DEMOGRAPHICS)
    codes = list(code_weight_units(policy, catalogue))
    offences = offences.filter(pl.col("ho_offence_code").is_in(codes))
    scoring = uow.scoring_frames(borough)
    out: dict[date, ReportInputs] = {}
    for day in sorted(set(dates)):
        scores = score_batch(*scoring, day, policy, catalogue).select(
            "person_id", "harm_band", "eligible")
        members = (scores.filter(pl.col("eligible")).select("person_id")
                   if cohort is CohortKind.ELIGIBLE else _register_on(decisions, day))
        cohort_frame = (people.join(members, on="person_id", how="semi")
                        .join(scores.select("person_id", "harm_band"), on="person_id",
                              how="left"))
        suspect_ids = (offences.filter(pl.col("date") > minus_months(day, SUSPECT_WINDOW_MONTHS),
                                       pl.col("date") <= day)
                       .select("person_id").unique())
        suspects = people.join(suspect_ids, on="person_id", how="semi")
        out[day] = ReportInputs(day, cohort_frame, suspects)
    return out


def log_report_run(uow: ReportsUnitOfWork, *, actor: str, actor_role: str,
                   justification: str | None, default: str, detail: Mapping[str, Any]) -> None:
    """Log a report run: a COMBINATION of record type "report", naming no one (the
    detail holds aggregate numbers only)."""
    uow.append_audit(AuditEvent(
        actor=actor, actor_role=actor_role, operation=Operation.COMBINATION,
        justification=(justification or "").strip() or default, record_type="report",
        record_ids=(), recipient=None, detail=dict(detail)))


def run_report(uow_factory: ReportsUnitOfWorkFactory, *, report: str, dates: Sequence[date],
               policy: Policy, catalogue: Mapping[str, str], cohort: CohortKind,
               compute: Callable[[dict[date, ReportInputs]], T],
               summarise: Callable[[T], Mapping[str, Any]], actor: str, actor_role: str,
               borough: str | None = None, justification: str | None = None) -> T:
    """Read the inputs for `dates`, compute the report, and log the run (a combination,
    record type "report", with `summarise(result)`: aggregate numbers only)."""
    if not dates:
        raise InvalidInput([("dates", "at least one date is required")])
    with uow_factory() as uow:
        inputs = report_inputs(uow, dates, policy, catalogue, cohort=cohort, borough=borough)
        result = compute(inputs)
        last = max(dates)
        log_report_run(uow, actor=actor, actor_role=actor_role,
                       justification=justification,
                       default=f"{report} report as of {last.isoformat()}",
                       detail={"report": report, "as_of": last.isoformat(),
                               "dates": [d.isoformat() for d in sorted(set(dates))],
                               "cohort": cohort.value, "borough": borough,
                               "policy": policy.label, "policy_hash": policy.content_hash,
                               "cohort_size": inputs[last].cohort.height,
                               "suspects": inputs[last].suspects.height,
                               **dict(summarise(result))})
        uow.commit()
    return result
