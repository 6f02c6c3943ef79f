"""Use case of the gang conflict picture: fetch gangs, their recorded relations, gang
membership intelligence, offences and everyone's harm score on the date, compute the
picture (the caller passes gvm.reports.gangs.gang_picture as `compute`) and log the run.

The run combines intelligence and offences of everyone held, so it is logged as a
COMBINATION of record type "report" with aggregate numbers only; its output is about
gangs (ids, names, counts), never a person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import polars as pl

from gvm.domain.batch import code_weight_units, score_batch
from gvm.domain.dates import minus_months
from gvm.domain.policy import Policy
from gvm.services.access import InvalidInput
from gvm.services.oversight_reports import log_report_run
from gvm.services.ports import ReportsUnitOfWorkFactory

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GangInputs:
    as_of: date
    start: date  # violence is counted in (start, as_of]
    gangs: pl.DataFrame
    relations: pl.DataFrame
    memberships: pl.DataFrame
    offences: pl.DataFrame
    scores: pl.DataFrame  # person_id, harm_score on as_of
    codes: tuple[str, ...]  # the in-scope offence codes under the policy


def run_gang_picture(uow_factory: ReportsUnitOfWorkFactory, *, as_of: date, months: int,
                     policy: Policy, catalogue: Mapping[str, str],
                     compute: Callable[[GangInputs], T],
                     summarise: Callable[[T], Mapping[str, Any]], actor: str,
                     actor_role: str, borough: str | None = None,
                     justification: str | None = None) -> T:
    """Read, compute and log the picture of violence in the `months` up to as_of."""
    if not 1 <= months <= 120:
        raise InvalidInput([("months", "expected a whole number of months from 1 to 120")])
    with uow_factory() as uow:
        people, offences, intelligence, custody = uow.scoring_frames()
        scores = score_batch(people, offences, intelligence, custody, as_of, policy,
                             catalogue).select("person_id", "harm_score")
        gangs, relations, memberships = uow.gang_frames()
        inputs = GangInputs(as_of, minus_months(as_of, months), gangs, relations,
                            memberships, offences, scores,
                            tuple(code_weight_units(policy, catalogue)))
        result = compute(inputs)
        log_report_run(uow, actor=actor, actor_role=actor_role, justification=justification,
                       default=f"gang conflict picture as of {as_of.isoformat()}",
                       detail={"report": "gang picture", "as_of": as_of.isoformat(),
                               "months": months, "borough": borough, "policy": policy.label,
                               "policy_hash": policy.content_hash, **dict(summarise(result))})
        uow.commit()
    return result
