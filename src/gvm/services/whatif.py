"""Use case of the policy what-if (SPEC 5): score the same data under the current and a
proposed policy, compute the comparison (the caller passes gvm.reports.whatif as
`compute`) and log the run as a COMBINATION.

The comparison lists the people who change band or eligibility, which is personal data:
the log entry names them (record type "person", their ids as record_ids) so the s.62 log
shows whose data went into the list; with nobody listed it is a "report" entry with
aggregate numbers only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import polars as pl

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.batch import code_weight_units, score_batch
from gvm.domain.dates import minus_months
from gvm.domain.policy import Policy
from gvm.services.oversight_reports import (
    DEMOGRAPHICS,
    SUSPECT_WINDOW_MONTHS,
    CohortKind,
    _register_on,
)
from gvm.services.ports import ReportsUnitOfWork, ReportsUnitOfWorkFactory

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WhatIfInputs:
    """Scores (SCORES) under each policy; scope: person_id in the cohort under either;
    cohorts (DEMOGRAPHICS + harm_band) and suspects (DEMOGRAPHICS) under each."""

    as_of: date
    current: pl.DataFrame
    proposed: pl.DataFrame
    scope: pl.DataFrame
    cohorts: tuple[pl.DataFrame, pl.DataFrame]
    suspects: tuple[pl.DataFrame, pl.DataFrame]


def whatif_inputs(uow: ReportsUnitOfWork, as_of: date, current: Policy, proposed: Policy,
                  catalogue: Mapping[str, str], *, cohort: CohortKind) -> WhatIfInputs:
    scoring = uow.scoring_frames()
    people, decisions, offences = uow.equality_frames(
        minus_months(as_of, SUSPECT_WINDOW_MONTHS), as_of)
    people = people.select(DEMOGRAPHICS)
    register = _register_on(decisions, as_of)
    scores, cohorts, suspects = [], [], []
    for policy in (current, proposed):
        s = score_batch(*scoring, as_of, policy, catalogue)
        members = (s.filter(pl.col("eligible")).select("person_id")
                   if cohort is CohortKind.ELIGIBLE else register)
        scores.append(s)
        cohorts.append(people.join(members, on="person_id", how="semi")
                       .join(s.select("person_id", "harm_band"), on="person_id", how="left"))
        codes = list(code_weight_units(policy, catalogue))
        ids = offences.filter(pl.col("ho_offence_code").is_in(codes)).select(
            "person_id").unique()
        suspects.append(people.join(ids, on="person_id", how="semi"))
    scope = pl.concat([c.select("person_id") for c in cohorts]).unique().sort("person_id")
    return WhatIfInputs(as_of, scores[0], scores[1], scope, (cohorts[0], cohorts[1]),
                        (suspects[0], suspects[1]))


def run_whatif(uow_factory: ReportsUnitOfWorkFactory, *, as_of: date, current: Policy,
               proposed: Policy, catalogue: Mapping[str, str], cohort: CohortKind,
               compute: Callable[[WhatIfInputs], T],
               summarise: Callable[[T], Mapping[str, Any]],
               listed: Callable[[T], Sequence[str]], actor: str, actor_role: str,
               justification: str | None = None) -> T:
    """Read, compare and log. `listed(result)`: the person ids the output names."""
    with uow_factory() as uow:
        inputs = whatif_inputs(uow, as_of, current, proposed, catalogue, cohort=cohort)
        result = compute(inputs)
        ids = tuple(listed(result))
        uow.append_audit(AuditEvent(
            actor=actor,
            actor_role=actor_role,
            operation=Operation.COMBINATION,
            justification=(justification or "").strip()
            or f"policy what-if as of {as_of.isoformat()}",
            record_type="person" if ids else "report",
            record_ids=ids,
            recipient=None,
            detail={"report": "policy what-if", "as_of": as_of.isoformat(),
                    "cohort": cohort.value, "policy": current.label,
                    "policy_hash": current.content_hash, "proposed_policy": proposed.label,
                    "proposed_policy_hash": proposed.content_hash,
                    "people_listed": len(ids), **dict(summarise(result))},
        ))
        uow.commit()
    return result
