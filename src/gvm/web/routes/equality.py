"""The equality dashboard for oversight (R-EQUALITY): the register's make-up by ethnic
group against the Census 2021 population and against the suspects of in-scope violence,
with relative rate indices and 95% intervals, overall and by age band, sex and harm band,
for London or one borough; as tables and a bar chart drawn on the server (SVG, no
script).

The report is gvm.reports.equality's, run through gvm.services.oversight_reports, which
logs each run as a combination of everyone's data. The page shows aggregates only:
counts, shares and ratios, never a person."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gvm import reference
from gvm.api.deps import RegisterDep
from gvm.authz import Actor, Permission
from gvm.reports.equality import FORCE_WIDE, census_frame, equality_report
from gvm.services.access import InvalidInput
from gvm.services.oversight_reports import CohortKind, ReportInputs, run_report
from gvm.web import nav
from gvm.web.deps import require
from gvm.web.render import page

router = APIRouter()
nav.add(nav.NavItem("Equality", "/oversight/equality", Permission.OVERSIGHT_REPORT))

BREAKDOWNS = (("all", "Everyone"), ("age_band", "By age band"), ("sex", "By sex"),
              ("harm_band", "By harm band (against all suspects)"))
# The chart's scale: RRI on a log axis from 1/8 to 8, parity (1) in the middle.
CHART_LIMIT, CHART_WIDTH, LABEL_WIDTH, ROW_HEIGHT = 8.0, 560, 90, 26


def chart_x(rri: float) -> float:
    """Where an RRI sits on the chart (clamped to the axis)."""
    span = math.log(CHART_LIMIT)
    clamped = max(min(math.log(max(rri, 1e-9)), span), -span)
    return round(LABEL_WIDTH + (clamped + span) / (2 * span) * CHART_WIDTH, 1)


def chart_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bar (parity to the RRI vs census) and the interval's whisker of each group."""
    drawn = []
    for i, r in enumerate(rows):
        if not r["rri_census"]:  # undefined, or 0 (nobody): no bar on a log scale
            continue
        x = chart_x(r["rri_census"])
        low, high = r["rri_census_low"], r["rri_census_high"]
        drawn.append({"group": r["group"], "y": 10 + i * ROW_HEIGHT, "rri": r["rri_census"],
                      "x0": min(x, chart_x(1.0)), "width": abs(x - chart_x(1.0)),
                      "low": None if low is None else chart_x(low),
                      "high": None if high is None else chart_x(high)})
    return drawn


def _sections(report: pl.DataFrame) -> list[dict[str, Any]]:
    sections = []
    for key, label in BREAKDOWNS:
        part = report.filter(pl.col("breakdown") == key)
        strata = list(dict.fromkeys(part["stratum"].to_list()))
        sections.append({"key": key, "label": label, "strata": [
            (stratum, part.filter(pl.col("stratum") == stratum).to_dicts())
            for stratum in strata]})
    return sections


@router.get("/oversight/equality")
def equality_dashboard(request: Request, register: RegisterDep,
                       actor: Annotated[Actor, require(Permission.OVERSIGHT_REPORT)],
                       as_of: date | None = None, area: str = "",
                       cohort: CohortKind = CohortKind.REGISTER) -> Response:
    """London (area empty) or one borough (its GSS code), on `as_of` (today if not
    given)."""
    day = as_of or date.today()
    boroughs = reference.boroughs()
    if area and area not in boroughs:
        raise InvalidInput([("area", "a London borough, or London as a whole")])
    census = census_frame(reference.census_rows())

    def compute(inputs: dict[date, ReportInputs]) -> pl.DataFrame:
        now = inputs[day]
        return equality_report(now.cohort, now.suspects, census, day,
                               borough=area or None, by_borough=False)

    report = run_report(
        register.unit_of_work, report="equality", dates=[day], policy=register.policy,
        catalogue=register.catalogue, cohort=cohort, compute=compute,
        summarise=lambda r: {"rows": r.height, "view": "equality dashboard"},
        actor=actor.username, actor_role=actor.role.value, borough=area or None,
        justification=f"equality dashboard as of {day.isoformat()}")
    sections = _sections(report)
    headline = sections[0]["strata"][0][1] if sections[0]["strata"] else []
    return page(request, "oversight/equality.html", title="Equality monitoring",
                as_of=day, area=area, area_name=boroughs[area].name if area else FORCE_WIDE,
                cohort=cohort, cohorts=list(CohortKind), sections=sections,
                cohort_n=headline[0]["cohort_n"] if headline else 0,
                suspects_n=headline[0]["suspects_n"] if headline else 0,
                chart=chart_rows(headline), parity_x=chart_x(1.0),
                chart_width=LABEL_WIDTH + CHART_WIDTH + 20,
                chart_height=20 + len(headline) * ROW_HEIGHT, ticks=[
                    (t, chart_x(t)) for t in (0.125, 0.25, 0.5, 1, 2, 4, 8)],
                boroughs=sorted(boroughs.values(), key=lambda b: b.name))
