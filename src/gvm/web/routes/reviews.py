"""The quarterly cohort review (R-REVIEW): a gang lead opens the borough's review and
works through it one decision per person, each with a rationale (R-HUMAN), then closes
it. Each decision is an HTMX partial (_review_line.html) swapped in place, after which
the keyboard focus moves to the next undecided person (gvm.js); without script the
forms post and the page reloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, status
from fastapi.responses import RedirectResponse, Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission
from gvm.domain.reviews import ReviewDecision
from gvm.services import reviews
from gvm.services.access import InvalidInput
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/reviews")
Lead = Annotated[Actor, require(Permission.REGISTER_DECIDE)]
ReviewId = Annotated[int, Path(ge=1)]
DECISIONS = [(ReviewDecision.RETAIN, "Retain"), (ReviewDecision.REMOVE, "Remove"),
             (ReviewDecision.REFER_FOR_SUPPORT, "Refer for support"),
             (ReviewDecision.CORRECT_DATA, "Correct the data first")]


def _see(review_id: int) -> Response:
    return RedirectResponse(f"/reviews/{review_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("")
def start(request: Request, register: RegisterDep, actor: Lead) -> Response:
    current = reviews.open_review_id(register.unit_of_work, actor)
    if current is not None:
        return _see(current)
    return page(request, "review_start.html", title="Cohort review",
                today=date.today().isoformat())


@router.post("")
def open_review(register: RegisterDep, actor: Lead,
                as_of: Annotated[date | None, Form()] = None) -> Response:
    opened = reviews.open_review(register.unit_of_work, actor, actor.borough_code or "",
                                 as_of or date.today(), register.policy, register.catalogue)
    return _see(opened.review_id)


@router.get("/{review_id}")
def review(request: Request, register: RegisterDep, review_id: ReviewId, actor: Lead
           ) -> Response:
    found = reviews.get_review(register.unit_of_work, actor, review_id, register.policy,
                               register.catalogue)
    return page(request, "review.html", title="Cohort review", review=found,
                decisions=DECISIONS, problems={})


@router.post("/{review_id}/decisions")
def decide(request: Request, register: RegisterDep, review_id: ReviewId, actor: Lead,
           person_id: Annotated[str, Form(min_length=1, max_length=64)],
           decision: Annotated[str, Form(max_length=32)] = "",
           rationale: Annotated[str, Form(max_length=2000)] = "") -> Response:
    problems: dict[str, str] = {}
    try:
        reviews.record_review_decision(register.unit_of_work, actor, review_id, person_id,
                                       decision, rationale, policy=register.policy,
                                       catalogue=register.catalogue)
    except InvalidInput as e:
        problems = dict(e.problems)
    if not request.headers.get("HX-Request"):
        if problems:
            raise InvalidInput(problems.items())
        return _see(review_id)
    found = reviews.get_review(register.unit_of_work, actor, review_id, register.policy,
                               register.catalogue)
    line = next(line for line in found.lines if line.person_id == person_id)
    return page(request, "_review_line.html", status_code=422 if problems else 200,
                review=found, line=line, decisions=DECISIONS, problems=problems,
                values={"decision": decision, "rationale": rationale}, swapped=True)


@router.post("/{review_id}/close")
def close(register: RegisterDep, review_id: ReviewId, actor: Lead) -> Response:
    reviews.close_review(register.unit_of_work, actor, review_id)
    return _see(review_id)
