"""Intelligence: record a graded item (a collection) and correct or re-grade one (an
alteration), both logged (R-LOG) and validated as an import would be (R-MUSIC)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.routers.people import intelligence_out
from gvm.api.schemas.people import IntelligenceOut
from gvm.api.schemas.register import CorrectionOut, IntelligenceCorrectionIn, IntelligenceIn
from gvm.authz import Actor, Permission
from gvm.services import intelligence

router = APIRouter(prefix="/intelligence", tags=["intelligence"])

Writer = Annotated[Actor, require(Permission.INTELLIGENCE_WRITE)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IntelligenceOut,
             responses=error_responses(401, 403, 404, 422), summary="Record intelligence")
def create(body: IntelligenceIn, register: RegisterDep, actor: Writer) -> IntelligenceOut:
    """About a person in your scope; gang_membership needs a gang you may see. Logged as
    a collection."""
    item = intelligence.record_intelligence(
        register.unit_of_work, actor, person_id=body.person_id, dated=body.date,
        category=body.category, source_id=body.source_id, source_type=body.source_type,
        source_grade=body.source_grade, intel_grade=body.intel_grade,
        handling_code=body.handling_code, summary=body.summary, gang_id=body.gang_id,
        justification=body.justification)
    return intelligence_out(item)


@router.patch("/{intel_id}", response_model=CorrectionOut,
              responses=error_responses(401, 403, 404, 422),
              summary="Correct or re-grade intelligence")
def correct(intel_id: Annotated[str, Path(min_length=1, max_length=64)],
            body: IntelligenceCorrectionIn, register: RegisterDep, actor: Writer
            ) -> CorrectionOut:
    """Only the fields given change; the log names them (never their values)."""
    changes = body.model_dump(exclude_unset=True, exclude={"justification"})
    done = intelligence.correct_intelligence(register.unit_of_work, actor, intel_id,
                                             changes=changes,
                                             justification=body.justification)
    return CorrectionOut(item=intelligence_out(done.item), changed=list(done.changed),
                         notices=[{"organisation": n.organisation, "person_id": n.person_id,
                                   "disclosure_ids": list(n.disclosure_ids), "text": n.text}
                                  for n in done.notices])
