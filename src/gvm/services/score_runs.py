"""Use cases: run the scorer over the actor's scope (a combination, logged by
services.scoring.rescore) and read a stored run's counts by band (aggregates only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from gvm.authz import Actor, Permission, may_see_borough
from gvm.authz.policy import is_force_wide
from gvm.domain.policy import Policy
from gvm.domain.views import ScoreRunSummary
from gvm.services.access import NOT_IN_SCOPE, check, check_borough
from gvm.services.errors import NotFound
from gvm.services.ports import RecordsUnitOfWorkFactory
from gvm.services.scoring import rescore


def run_scores(
    uow_factory: RecordsUnitOfWorkFactory, actor: Actor, *, as_of: date, policy: Policy,
    catalogue: Mapping[str, str], borough: str | None = None,
) -> ScoreRunSummary:
    """Score the actor's borough (borough roles: their own, whatever they ask) or, for a
    force-wide role, one borough or everyone. Returns the stored run's summary."""
    check(actor, Permission.SCORE_RUN)
    if borough is None and not is_force_wide(actor):
        borough = actor.borough_code
        if borough is None:
            raise NotFound(NOT_IN_SCOPE.format("borough"))
    if borough is not None:
        check_borough(actor, borough)
    run_id, _ = rescore(uow_factory, as_of, policy, catalogue, actor=actor.username,
                        actor_role=actor.role.value, borough=borough)
    with uow_factory(read_only=True) as uow:
        summary = uow.score_run_summary(run_id)
    assert summary is not None  # just stored
    return summary


def score_run(uow_factory: RecordsUnitOfWorkFactory, actor: Actor, run_id: int) -> ScoreRunSummary:
    """A run's counts by band. A force-wide run is visible to force-wide roles only, a
    borough run to those who may see the borough; otherwise "not found"."""
    check(actor, Permission.SCORE_RUN)
    with uow_factory(read_only=True) as uow:
        summary = uow.score_run_summary(run_id)
    visible = summary is not None and (
        is_force_wide(actor) if summary.scope is None else may_see_borough(actor, summary.scope))
    if not visible:
        raise NotFound(NOT_IN_SCOPE.format("score run"))
    return summary
