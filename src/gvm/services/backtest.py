"""Use case of the backtest ("does the score work?"): fetch what it reads, compute it
(the caller passes the pure computation of gvm.reports.backtest as `compute`) and log
the run as a COMBINATION of record type "report", aggregate numbers only.

Everyone held is scored on the past date `as_of` with the policy: the engine ignores
every event after as_of. The outcome is involvement, as suspect or victim, in in-scope
violence (an offence code weighing more than 0 under the policy) dated within
(as_of, as_of + horizon]; a second outcome counts suspects only. A person is `known` at
as_of when any of their offences, intelligence items or custody periods is dated on or
before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

import polars as pl

from gvm.domain.batch import code_weight_units, score_batch
from gvm.domain.dates import minus_months
from gvm.domain.model import Role
from gvm.domain.policy import Policy
from gvm.services.access import InvalidInput
from gvm.services.oversight_reports import (
    DEMOGRAPHICS,
    CohortKind,
    _register_on,
    log_report_run,
)
from gvm.services.ports import ReportsUnitOfWork, ReportsUnitOfWorkFactory

T = TypeVar("T")


def horizon_end(as_of: date, months: int) -> date:
    return minus_months(as_of, -months)


def backtest_outcomes(uow: ReportsUnitOfWork, as_of: date, horizon_months: int,
                      policy: Policy, catalogue: Mapping[str, str], *,
                      cohort: CohortKind) -> pl.DataFrame:
    """One row per person held: DEMOGRAPHICS, harm/victim score and band on as_of,
    eligible, in_cohort, known, outcome and outcome_suspect (see the module docstring)."""
    people, offences, intelligence, custody = uow.scoring_frames()
    who, decisions, _ = uow.equality_frames(as_of, as_of)
    scores = score_batch(people, offences, intelligence, custody, as_of, policy, catalogue)
    if cohort is CohortKind.ELIGIBLE:
        members = scores.filter(pl.col("eligible")).select("person_id")
    else:
        members = _register_on(decisions, as_of)
    known = pl.concat([
        offences.filter(pl.col("date") <= as_of).select("person_id"),
        intelligence.filter(pl.col("date") <= as_of).select("person_id"),
        custody.filter(pl.col("start_date") <= as_of).select("person_id"),
    ]).unique()
    end = horizon_end(as_of, horizon_months)
    codes = list(code_weight_units(policy, catalogue))
    future = offences.filter(pl.col("date") > as_of, pl.col("date") <= end,
                             pl.col("ho_offence_code").is_in(codes))
    involved = (future.filter(pl.col("role").is_in([Role.SUSPECT.value, Role.VICTIM.value]))
                .select("person_id").unique())
    suspects = future.filter(pl.col("role") == Role.SUSPECT.value).select("person_id").unique()

    def flag(ids: pl.DataFrame, name: str) -> pl.Expr:
        return pl.col("person_id").is_in(ids["person_id"].implode()).alias(name)

    return (who.select(DEMOGRAPHICS)
            .join(scores.select("person_id", "harm_score", "victim_score", "harm_band",
                                "eligible"), on="person_id", how="left")
            .with_columns(flag(members, "in_cohort"), flag(known, "known"),
                          flag(involved, "outcome"), flag(suspects, "outcome_suspect")))


def run_backtest(uow_factory: ReportsUnitOfWorkFactory, *, as_of: date, horizon_months: int,
                 policy: Policy, catalogue: Mapping[str, str], cohort: CohortKind,
                 compute: Callable[[pl.DataFrame], T],
                 summarise: Callable[[T], Mapping[str, Any]], actor: str, actor_role: str,
                 justification: str | None = None) -> T:
    """Read, compute and log the backtest (aggregate numbers only in the log)."""
    if horizon_months < 1:
        raise InvalidInput([("horizon_months", "expected a whole number of months >= 1")])
    with uow_factory() as uow:
        outcomes = backtest_outcomes(uow, as_of, horizon_months, policy, catalogue,
                                     cohort=cohort)
        result = compute(outcomes)
        log_report_run(uow, actor=actor, actor_role=actor_role, justification=justification,
                       default=f"backtest report as of {as_of.isoformat()}",
                       detail={"report": "backtest", "as_of": as_of.isoformat(),
                               "horizon_months": horizon_months, "cohort": cohort.value,
                               "policy": policy.label, "policy_hash": policy.content_hash,
                               "people": outcomes.height,
                               "known": int(outcomes["known"].sum()),
                               "cohort_size": int(outcomes["in_cohort"].sum()),
                               "involved": int(outcomes["outcome"].sum()),
                               **dict(summarise(result))})
        uow.commit()
    return result
