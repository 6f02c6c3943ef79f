"""Information sharing: ISAs (the data protection officer's), disclosures under them
(analysts and gang leads) and what partners receive (their own organisation's only, after
acknowledging the not-sole-basis condition; never the register itself)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import MAX_ID
from gvm.api.schemas.sharing import (
    DisclosureIn,
    DisclosureListOut,
    DisclosureOut,
    DisclosureSummaryOut,
    IsaIn,
    IsaListOut,
    IsaOut,
)
from gvm.authz import Actor, Permission
from gvm.domain.sharing import DisclosureRecord, Isa, in_force
from gvm.services import sharing
from gvm.services.disclosure_export import export_disclosure_csv, export_disclosure_xlsx
from gvm.services.disclosure_pdf import export_disclosure_pdf

router = APIRouter(tags=["sharing"])

DisclosureId = Annotated[int, Path(ge=1, le=MAX_ID, description="Disclosure id")]
Maker = Annotated[Actor, require(Permission.DISCLOSURE_MAKE)]
Partner = Annotated[Actor, require(Permission.DISCLOSURE_RECEIVE)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def isa_out(i: Isa) -> IsaOut:
    return IsaOut(isa_id=i.isa_id, organisation=i.organisation,
                  organisation_type=i.organisation_type.value, purpose=i.purpose,
                  boroughs=sorted(i.boroughs),
                  permitted_fields=sorted(f.value for f in i.permitted_fields),
                  handling_conditions=i.handling_conditions, start_date=i.start_date,
                  end_date=i.end_date, in_force=in_force(i, datetime.now(UTC).date()))


def payload_out(p: sharing.DisclosurePayload) -> DisclosureOut:
    return DisclosureOut(
        disclosure_id=p.disclosure_id, isa_id=p.isa_id, recipient=p.recipient,
        made_by=p.made_by, made_at=p.made_at, as_of=p.as_of, policy_version=p.policy_version,
        condition=p.condition, handling_conditions=p.handling_conditions,
        fields=list(p.fields), withheld_fields=list(p.withheld_fields),
        people=[dict(e) for e in p.people], acknowledged_at=p.acknowledged_at)


def summary_out(d: DisclosureRecord) -> DisclosureSummaryOut:
    return DisclosureSummaryOut(
        disclosure_id=d.disclosure_id, isa_id=d.isa_id, recipient=d.recipient,
        made_by=d.made_by, made_at=d.made_at, as_of=d.as_of, fields=list(d.fields),
        person_ids=list(d.person_ids), condition=d.condition,
        handling_conditions=d.handling_conditions, acknowledged_at=d.acknowledged_at,
        acknowledged_by=d.acknowledged_by)


@router.post("/isas", status_code=status.HTTP_201_CREATED, response_model=IsaOut,
             responses=error_responses(401, 403, 409, 422),
             summary="Register an Information Sharing Agreement")
def create_isa(body: IsaIn, register: RegisterDep,
               actor: Annotated[Actor, require(Permission.ISA_MANAGE)]) -> IsaOut:
    """409 for a court, a prosecutor or a sentencing or prosecution purpose (R-NO-COURT),
    or scores without their explanation (R-ACCURACY)."""
    isa = sharing.register_isa(
        register.unit_of_work, actor, organisation=body.organisation,
        organisation_type=body.organisation_type.value, purpose=body.purpose,
        boroughs=body.boroughs, permitted_fields=[f.value for f in body.permitted_fields],
        handling_conditions=body.handling_conditions, start_date=body.start_date,
        end_date=body.end_date)
    return isa_out(isa)


@router.get("/isas", response_model=IsaListOut, responses=error_responses(401, 403),
            summary="Information Sharing Agreements")
def isas(register: RegisterDep,
         actor: Annotated[Actor, require(Permission.ISA_READ)]) -> IsaListOut:
    found = sharing.list_isas(register.unit_of_work, actor)
    return IsaListOut(count=len(found), isas=[isa_out(i) for i in found])


def _disclose(body: DisclosureIn, register: RegisterDep, actor: Actor, *, preview: bool
              ) -> DisclosureOut:
    fn = sharing.preview_disclosure if preview else sharing.make_disclosure
    payload = fn(register.unit_of_work, actor, body.isa_id, body.person_ids,
                 [f.value for f in body.fields], as_of=body.as_of or date.today(),
                 policy=register.policy, catalogue=register.catalogue,
                 justification=body.justification)
    return payload_out(payload)


@router.post("/disclosures/preview", response_model=DisclosureOut,
             responses=error_responses(401, 403, 404, 409, 422),
             summary="Preview exactly what a disclosure would send")
def preview(body: DisclosureIn, register: RegisterDep, actor: Maker) -> DisclosureOut:
    """The fields the ISA permits of the people named (all must be in your scope, 404
    otherwise, and of the ISA's boroughs, 409 otherwise). Logged as a consultation."""
    return _disclose(body, register, actor, preview=True)


@router.post("/disclosures", status_code=status.HTTP_201_CREATED,
             response_model=DisclosureOut, responses=error_responses(401, 403, 404, 409, 422),
             summary="Disclose under an ISA in force")
def disclose(body: DisclosureIn, register: RegisterDep, actor: Maker) -> DisclosureOut:
    """What the preview shows, sent and logged as a disclosure to the ISA's organisation,
    with the not-sole-basis condition and the reliability information."""
    return _disclose(body, register, actor, preview=False)


@router.get("/disclosures", response_model=DisclosureListOut,
            responses=error_responses(401, 403), summary="Disclosures made")
def disclosures(register: RegisterDep,
                actor: Annotated[Actor, require(Permission.DISCLOSURE_LIST)]
                ) -> DisclosureListOut:
    """A partner: its own organisation's. The data protection officer: all. Ids only."""
    found = sharing.list_disclosures(register.unit_of_work, actor)
    return DisclosureListOut(count=len(found), disclosures=[summary_out(d) for d in found])


@router.post("/disclosures/{disclosure_id}/acknowledgement",
             response_model=DisclosureSummaryOut, responses=error_responses(401, 403, 404, 422),
             summary="Acknowledge a disclosure's condition")
def acknowledge(disclosure_id: DisclosureId, register: RegisterDep,
                actor: Partner) -> DisclosureSummaryOut:
    """The partner acknowledges that no action rests solely on the register (R-NOT-SOLE)."""
    return summary_out(sharing.acknowledge_disclosure(register.unit_of_work, actor,
                                                      disclosure_id))


@router.get("/disclosures/{disclosure_id}", response_model=DisclosureOut,
            responses=error_responses(401, 403, 404, 409, 422),
            summary="A disclosure your organisation received")
def received(disclosure_id: DisclosureId, register: RegisterDep,
             actor: Partner) -> DisclosureOut:
    """409 until the condition is acknowledged. Logged as a consultation."""
    return payload_out(sharing.received_disclosure(register.unit_of_work, actor,
                                                   disclosure_id))


@router.get("/disclosures/{disclosure_id}/export",
            responses={200: {"content": {"text/csv": {}, XLSX: {}, "application/pdf": {}}},
                       **error_responses(401, 403, 404, 409, 422)},
            summary="A received disclosure as CSV, Excel or PDF")
def export(disclosure_id: DisclosureId, register: RegisterDep, actor: Partner,
           format: Annotated[Literal["csv", "xlsx", "pdf"], Query()] = "csv") -> Response:
    """Formula-like text is neutralised; the condition heads the sheet. Logged as a
    disclosure (an export) to your organisation."""
    payload = sharing.received_disclosure(register.unit_of_work, actor, disclosure_id,
                                          export=format)
    name = f"disclosure-{disclosure_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "xlsx":
        return Response(export_disclosure_xlsx(payload), media_type=XLSX, headers=headers)
    if format == "pdf":
        return Response(export_disclosure_pdf(payload), media_type="application/pdf",
                        headers=headers)
    return Response(export_disclosure_csv(payload), media_type="text/csv; charset=utf-8",
                    headers=headers)
