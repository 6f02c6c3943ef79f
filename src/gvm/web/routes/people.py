"""Search and the person profile. Search criteria travel in a POST body, never the URL;
a person's URL names only their opaque register id. The profile first asks why it is
being opened and shows nothing until the reason is given (R-LOG): the view and its
reason are logged by gvm.services.records before the page is rendered."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission, has_permission
from gvm.services import records
from gvm.services.access import InvalidInput
from gvm.web.charts import timeline_svg
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/people")
PersonId = Annotated[str, Path(min_length=1, max_length=64)]
OTHER = "other"
REASONS = ("Quarterly cohort review", "Preparing the borough meeting",
           "Assessing new intelligence", "Safeguarding concern", "Partner referral",
           "Checking the record is accurate")


def _form_value(value: str | None) -> str | None:
    return (value or "").strip() or None


@router.get("/search")
def search_form(request: Request,
                _: Annotated[Actor, require(Permission.PERSON_SEARCH)]) -> Response:
    return page(request, "search.html", title="Search", hits=None, values={}, problems={})


# The search and the profile run their use case through `register.run`, as the API's do:
# on SQLite on the event loop, where their audit entries share the loop's group commit and
# a register held by another process's writer ties up no thread of the small threadpool.
@router.post("/search")
async def search(request: Request, register: RegisterDep,
                 actor: Annotated[Actor, require(Permission.PERSON_SEARCH)],
                 name: Annotated[str, Form(max_length=200)] = "",
                 alias: Annotated[str, Form(max_length=200)] = "",
                 date_of_birth: Annotated[str, Form(max_length=10)] = "",
                 person_id: Annotated[str, Form(max_length=64)] = "") -> Response:
    values = {"name": name, "alias": alias, "date_of_birth": date_of_birth,
              "person_id": person_id}
    problems: dict[str, str] = {}
    born = None
    if date_of_birth.strip():
        try:
            born = date.fromisoformat(date_of_birth.strip())
        except ValueError:
            problems["date_of_birth"] = "enter a date as YYYY-MM-DD"
    hits = None
    if not problems:
        try:
            hits = await register.run(records.search_people, register.unit_of_work, actor,
                                      name=_form_value(name), alias=_form_value(alias),
                                      date_of_birth=born, person_id=_form_value(person_id))
        except InvalidInput as e:
            problems.update(e.problems)
    template = "_search_results.html" if request.headers.get("HX-Request") else "search.html"
    return page(request, template, status_code=422 if problems else 200, title="Search",
                hits=hits, values=values, problems=problems)


@router.get("/{person_id}")
def justify(request: Request, person_id: PersonId,
            _: Annotated[Actor, require(Permission.PERSON_VIEW)]) -> Response:
    """The reason form; nothing about the person (not even whether they exist)."""
    return page(request, "justify.html", title="Why are you opening this record?",
                person_id=person_id, reasons=REASONS, other=OTHER, problem=None)


@router.post("/{person_id}")
async def profile(request: Request, register: RegisterDep, person_id: PersonId,
                  actor: Annotated[Actor, require(Permission.PERSON_VIEW)],
                  reason: Annotated[str, Form(max_length=200)] = "",
                  other_reason: Annotated[str, Form(max_length=500)] = "",
                  as_of: Annotated[str, Form(max_length=10)] = "") -> Response:
    justification = other_reason.strip() if reason == OTHER else reason.strip()
    try:
        day = date.fromisoformat(as_of) if as_of.strip() else date.today()
        shown = await register.run(records.view_profile, register.unit_of_work, actor,
                                   person_id, justification=justification, as_of=day,
                                   policy=register.policy, catalogue=register.catalogue)
    except (InvalidInput, ValueError) as e:
        problem = (dict(e.problems).get("justification", str(e)) if isinstance(e, InvalidInput)
                   else "enter the date as YYYY-MM-DD")
        return page(request, "justify.html", status_code=422, person_id=person_id,
                    title="Why are you opening this record?", reasons=REASONS, other=OTHER,
                    problem=problem)
    score = shown.score
    return page(request, "profile.html", title=f"Record {person_id}", p=shown, score=score,
                timeline=timeline_svg(score.harm_items, score.victim_items, score.as_of),
                may={perm.name.lower(): has_permission(actor, perm) for perm in Permission},
                justification=justification)
