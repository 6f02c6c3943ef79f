"""Recording graded intelligence (3x5x2) about a person, through
gvm.services.intelligence: the importer's own rules check it, and each refusal is shown
next to the field it concerns. The form names the person by register id only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, status
from fastapi.responses import Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission
from gvm.domain.model import HandlingCode, IntelCategory, IntelGrade, SourceGrade, SourceType
from gvm.services import intelligence, records
from gvm.services.access import InvalidInput
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/people")
PersonId = Annotated[str, Path(min_length=1, max_length=64)]
Text = Annotated[str, Form(max_length=2000)]
GRADES = {
    "source_grade": [(g.value, label) for g, label in zip(SourceGrade, (
        "reliable", "untested", "not reliable"), strict=True)],
    "intel_grade": [(g.value, label) for g, label in zip(IntelGrade, (
        "known directly", "known indirectly, corroborated", "known indirectly",
        "not known", "suspected false"), strict=True)],
    "handling_code": [(g.value, label) for g, label in zip(HandlingCode, (
        "may be disseminated lawfully", "may be disseminated with conditions"), strict=True)],
}


def _form(request: Request, register: RegisterDep, actor: Actor, person_id: str, *,
          values: dict[str, str], problems: dict[str, str], status_code: int = 200
          ) -> Response:
    return page(request, "intelligence_form.html", status_code=status_code,
                title="Record intelligence", person_id=person_id, values=values,
                problems=problems, categories=list(IntelCategory),
                source_types=list(SourceType), grades=GRADES,
                gangs=records.list_gangs(register.unit_of_work, actor),
                today=date.today().isoformat())


@router.get("/{person_id}/intelligence")
def intelligence_form(request: Request, register: RegisterDep, person_id: PersonId,
                      actor: Annotated[Actor, require(Permission.INTELLIGENCE_WRITE)]
                      ) -> Response:
    return _form(request, register, actor, person_id, values={}, problems={})


@router.post("/{person_id}/intelligence")
def record(request: Request, register: RegisterDep, person_id: PersonId,
           actor: Annotated[Actor, require(Permission.INTELLIGENCE_WRITE)],
           dated: Annotated[str, Form(alias="date", max_length=10)] = "",
           category: Text = "", gang_id: Text = "", source_id: Text = "",
           source_type: Text = "", source_grade: Text = "", intel_grade: Text = "",
           handling_code: Text = "", summary: Text = "", justification: Text = ""
           ) -> Response:
    values = {"date": dated, "category": category, "gang_id": gang_id,
              "source_id": source_id, "source_type": source_type,
              "source_grade": source_grade, "intel_grade": intel_grade,
              "handling_code": handling_code, "summary": summary,
              "justification": justification}
    try:
        try:
            day = date.fromisoformat(dated.strip())
        except ValueError:
            raise InvalidInput([("date", "enter the date as YYYY-MM-DD")]) from None
        item = intelligence.record_intelligence(
            register.unit_of_work, actor, person_id=person_id, dated=day, category=category,
            source_id=source_id.strip(), source_type=source_type, source_grade=source_grade,
            intel_grade=intel_grade, handling_code=handling_code, summary=summary.strip(),
            gang_id=gang_id.strip() or None, justification=justification)
    except InvalidInput as e:
        problems: dict[str, str] = {}
        for field, message in e.problems:
            problems.setdefault(field if field in values else "body", message)
        return _form(request, register, actor, person_id, values=values, problems=problems,
                     status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return page(request, "recorded.html", title="Intelligence recorded", person_id=person_id,
                item=item)
