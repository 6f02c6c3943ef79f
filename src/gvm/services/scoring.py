"""Use cases: score the register for a date (a combination of personal data, audited)
and explain one person's scores (a consultation, audited)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial

import polars as pl

from gvm.domain.audit import AuditEvent, Operation
from gvm.domain.batch import score_batch
from gvm.domain.errors import GvmError
from gvm.domain.policy import Policy
from gvm.domain.scoring import ScoreResult, score_person
from gvm.services.ports import UnitOfWorkFactory


class UnknownPerson(GvmError):
    """No person with that id is held (or the caller may not know of them)."""


def rescore(
    uow_factory: UnitOfWorkFactory, as_of: date, policy: Policy, catalogue: Mapping[str, str],
    *, actor: str, actor_role: str, borough: str | None = None,
) -> tuple[int, pl.DataFrame]:
    """Score everyone held (or one borough) on `as_of`; store the run with the policy
    version and hash. Returns the run id and the scores."""
    with uow_factory() as uow:
        # First in a writing unit of work: storage may read the records over Arrow-native
        # connections of its own, which see exactly this transaction's data until it
        # writes, and score them where it reads them, in a process of its own for a big
        # SQLite register (docs/PERFORMANCE.md, "From the database").
        scores = uow.reduce_scoring_frames(
            partial(score_batch, as_of=as_of, policy=policy, catalogue=dict(catalogue)),
            borough)
        run_id = uow.save_score_run(as_of, policy, scores, scope=borough)
        uow.append_audit(AuditEvent(
            actor=actor,
            actor_role=actor_role,
            operation=Operation.COMBINATION,
            justification=f"re-score as of {as_of.isoformat()}",
            record_type="score_run",
            record_ids=(str(run_id),),
            recipient=None,
            detail={"as_of": as_of.isoformat(), "policy": policy.label,
                    "policy_hash": policy.content_hash, "borough": borough,
                    "people": scores.height},
        ))
        uow.commit()
    return run_id, scores


def explain(
    uow_factory: UnitOfWorkFactory, person_id: str, as_of: date, policy: Policy,
    catalogue: Mapping[str, str], *, actor: str, actor_role: str, justification: str,
) -> ScoreResult:
    """One person's scores with every contributing and excluded item."""
    with uow_factory(read_only=True) as uow:
        records = uow.person_records(person_id)
        if records is None:
            raise UnknownPerson("no person with that id is held")
        result = score_person(records, as_of, policy, catalogue)
        uow.commit_audit(AuditEvent(
            actor=actor,
            actor_role=actor_role,
            operation=Operation.CONSULTATION,
            justification=justification,
            record_type="person",
            record_ids=(person_id,),
            recipient=None,
            detail={"view": "score explanation", "as_of": as_of.isoformat(),
                    "policy": policy.label},
        ))  # returns once committed (gvm.services.records explains the order)
    return result
