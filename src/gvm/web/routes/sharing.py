"""Sharing under Information Sharing Agreements (R-ISA, R-SELECTED): the ISAs, a
disclosure's preview showing exactly which fields and people would go (logged as a
consultation), then the disclosure itself, downloaded as the sheet the partner gets
(logged as a disclosure). Person ids travel in the form bodies, never in URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission, has_permission
from gvm.domain.sharing import DisclosableField, Isa
from gvm.services import sharing
from gvm.services.disclosure_export import export_disclosure_csv, rows
from gvm.services.errors import NotFound
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/sharing")
IsaId = Annotated[int, Path(ge=1)]
Maker = Annotated[Actor, require(Permission.DISCLOSURE_MAKE)]
MAX_PEOPLE = 200


def _isa(register: RegisterDep, actor: Actor, isa_id: int) -> Isa:
    found = [i for i in sharing.list_isas(register.unit_of_work, actor) if i.isa_id == isa_id]
    if not found:
        raise NotFound("no such ISA")
    return found[0]


def _people(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,;]+", text) if p][:MAX_PEOPLE]


def sheet(payload: sharing.DisclosurePayload) -> tuple[list[list], list[str], list[list]]:
    """The disclosure's sheet split for a page: header rows, columns, one row a person."""
    table = rows(payload)
    blank = table.index([])
    return table[:blank], table[blank + 1], table[blank + 2:]


@router.get("/isas")
def isas(request: Request, register: RegisterDep,
         actor: Annotated[Actor, require(Permission.ISA_READ)]) -> Response:
    return page(request, "isas.html", title="Information Sharing Agreements",
                isas=sharing.list_isas(register.unit_of_work, actor), today=date.today())


@router.get("/isas/{isa_id}")
def isa(request: Request, register: RegisterDep, isa_id: IsaId,
        actor: Annotated[Actor, require(Permission.ISA_READ)]) -> Response:
    return page(request, "isa.html", title="Information Sharing Agreement",
                isa=_isa(register, actor, isa_id), fields=list(DisclosableField),
                may_disclose=has_permission(actor, Permission.DISCLOSURE_MAKE),
                values={}, today=date.today())


@dataclass(frozen=True, slots=True)
class DisclosureForm:
    """What the analyst asks to disclose: the same fields for the preview and the act."""

    people: str
    fields: list[str]
    as_of: date | None
    justification: str


def disclosure_form(people: Annotated[str, Form(max_length=5000)] = "",
                    fields: Annotated[list[str] | None, Form()] = None,
                    as_of: Annotated[date | None, Form()] = None,
                    justification: Annotated[str, Form(max_length=500)] = ""
                    ) -> DisclosureForm:
    return DisclosureForm(people, fields or [], as_of, justification)


Asked = Annotated[DisclosureForm, Depends(disclosure_form)]


def _request(register: RegisterDep, actor: Actor, isa_id: int, asked: DisclosureForm, *,
             make: bool) -> sharing.DisclosurePayload:
    fn = sharing.make_disclosure if make else sharing.preview_disclosure
    return fn(register.unit_of_work, actor, isa_id, _people(asked.people), asked.fields,
              as_of=asked.as_of or date.today(), policy=register.policy,
              catalogue=register.catalogue, justification=asked.justification)


@router.post("/isas/{isa_id}/preview")
def preview(request: Request, register: RegisterDep, isa_id: IsaId, actor: Maker,
            asked: Asked) -> Response:
    payload = _request(register, actor, isa_id, asked, make=False)
    header, columns, body = sheet(payload)
    return page(request, "disclosure_preview.html", title="Disclosure preview",
                isa=_isa(register, actor, isa_id), payload=payload, header=header,
                columns=columns, body=body,
                values={"people": asked.people, "fields": asked.fields,
                        "justification": asked.justification,
                        "as_of": payload.as_of.isoformat()})


@router.post("/isas/{isa_id}/disclosures")
def disclose(register: RegisterDep, isa_id: IsaId, actor: Maker, asked: Asked) -> Response:
    """Make the disclosure and download it: the sheet the partner receives."""
    payload = _request(register, actor, isa_id, asked, make=True)
    name = f"disclosure-{payload.disclosure_id}.csv"
    return Response(export_disclosure_csv(payload), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
