"""`gvm isa list` and `gvm share` (R-ISA, R-SELECTED, R-NOT-SOLE): the ISAs, and a
disclosure of a borough's register under one of them, written to a CSV, XLSX or PDF
file. Only ids, counts and references are printed; the file goes where --out says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from gvm.authz import Actor, Role
from gvm.bootstrap import bootstrap
from gvm.cli.output import console, operator_name
from gvm.domain.sharing import in_force
from gvm.services import sharing
from gvm.services.disclosure_export import export_disclosure_csv, export_disclosure_xlsx
from gvm.services.register import cohort

isa_app = typer.Typer(help="Information Sharing Agreements (R-ISA).", no_args_is_help=True)


def _export_disclosure_pdf(*args: Any, **kwargs: Any) -> Any:
    # Imported when used: the PDF and chart libraries take about a second to load,
    # which every other command would pay at start-up.
    from gvm.services.disclosure_pdf import export_disclosure_pdf

    return export_disclosure_pdf(*args, **kwargs)


EXPORTERS = {"csv": export_disclosure_csv, "xlsx": export_disclosure_xlsx,
             "pdf": _export_disclosure_pdf}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date as YYYY-MM-DD") from None


@isa_app.command("list")
def isa_list_cmd() -> None:
    """Every ISA: organisation, type, boroughs, permitted fields, dates, in force today."""
    register = bootstrap()
    try:
        actor = Actor(0, operator_name(register.settings.actor), Role.DPO)
        found = sharing.list_isas(register.unit_of_work, actor)
    finally:
        register.close()
    today = datetime.now(UTC).date()
    table = Table(title="Information Sharing Agreements")
    for col in ("ISA", "organisation", "type", "boroughs", "fields", "from", "to", "in force"):
        table.add_column(col)
    for i in found:
        table.add_row(str(i.isa_id), i.organisation, i.organisation_type.value,
                      ", ".join(sorted(i.boroughs)),
                      ", ".join(sorted(f.value for f in i.permitted_fields)),
                      i.start_date.isoformat(), i.end_date.isoformat(),
                      "yes" if in_force(i, today) else "NO")
    console.print(table)


def share_cmd(
    isa: Annotated[int, typer.Option("--isa", help="The ISA (its id, see gvm isa list).")],
    borough: Annotated[str, typer.Option("--borough", help="GSS code of the borough.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the file.")],
    justification: Annotated[str, typer.Option("--justification",
                                               help="Why this disclosure is made.")],
    format: Annotated[Literal["csv", "xlsx", "pdf"], typer.Option("--format")] = "csv",
    as_of: Annotated[date | None, typer.Option("--as-of", parser=_date, metavar="DATE",
                                               help="Records as of (default today).")] = None,
) -> None:
    """Disclose the people on the borough's register under the ISA: only the fields it
    permits, with the not-sole-basis condition, reference and expiry. Logged as a
    disclosure to the ISA's organisation by the operator (as a force-wide analyst).
    Refused without an ISA in force, or outside the ISA's boroughs."""
    register = bootstrap()
    try:
        actor = Actor(0, operator_name(register.settings.actor), Role.FORCE_ANALYST)
        agreement = next((i for i in sharing.list_isas(register.unit_of_work, actor)
                          if i.isa_id == isa), None)
        if agreement is None:
            raise typer.BadParameter("no such ISA", param_hint="--isa")
        people = [m.person_id for m in cohort(register.unit_of_work, borough)]
        if not people:
            raise typer.BadParameter("nobody is on that borough's register",
                                     param_hint="--borough")
        payload = sharing.make_disclosure(
            register.unit_of_work, actor, isa, people,
            [f.value for f in agreement.permitted_fields], as_of=as_of or date.today(),
            policy=register.policy, catalogue=register.catalogue,
            justification=justification)
    finally:
        register.close()
    out.write_bytes(EXPORTERS[format](payload))
    console.print(f"Disclosure {payload.reference} to {payload.recipient}: "
                  f"{len(payload.people)} person(s), fields {', '.join(payload.fields)}; "
                  f"expires {payload.expires_on}; written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(isa_app, name="isa")
    app.command("share")(share_cmd)
