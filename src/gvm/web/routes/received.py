"""A partner's side of sharing: the disclosures made to its organisation, the
acknowledgement of their condition (no action may rest solely on the register,
R-NOT-SOLE) and the download of the sheet (logged as a disclosure, R-LOG)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import RedirectResponse, Response

from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission
from gvm.services import sharing
from gvm.services.disclosure_export import export_disclosure_csv
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter(prefix="/sharing/received")
Partner = Annotated[Actor, require(Permission.DISCLOSURE_RECEIVE)]
DisclosureId = Annotated[int, Path(ge=1)]


@router.get("")
def received(request: Request, register: RegisterDep, actor: Partner) -> Response:
    return page(request, "received.html", title="Disclosures received",
                disclosures=sharing.list_disclosures(register.unit_of_work, actor))


@router.post("/{disclosure_id}/acknowledgement")
def acknowledge(register: RegisterDep, disclosure_id: DisclosureId, actor: Partner
                ) -> Response:
    sharing.acknowledge_disclosure(register.unit_of_work, actor, disclosure_id)
    return RedirectResponse("/sharing/received", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/{disclosure_id}/export")
def export(register: RegisterDep, disclosure_id: DisclosureId, actor: Partner) -> Response:
    payload = sharing.received_disclosure(register.unit_of_work, actor, disclosure_id,
                                          export="csv")
    name = f"disclosure-{disclosure_id}.csv"
    return Response(export_disclosure_csv(payload), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
