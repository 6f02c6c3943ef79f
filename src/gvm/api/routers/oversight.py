"""Oversight reports for the data protection officer and force-wide analysts
(oversight:report:read): the equality report (R-EQUALITY, JSON or CSV), the quarterly
release (R-PUBLISH), the backtest, the policy what-if and the gang network. Aggregates
only: no person's id, name or date of birth is in any answer. Each run is logged as a
COMBINATION (the services do it, in the same transaction as the reads)."""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query
from fastapi.responses import Response

from gvm import reference
from gvm.api.deps import RegisterDep, require
from gvm.api.errors import error_responses
from gvm.api.schemas.common import (
    BOROUGH_PATTERN,
    FIRST_SCORING_DATE,
    LAST_SCORING_DATE,
    SCORING_DATE_DOC,
    IsoDay,
)
from gvm.api.schemas.oversight import (
    BacktestOut,
    EqualityOut,
    GangNetworkOut,
    QuarterlyOut,
    ReleaseTableOut,
    WhatIfIn,
    WhatIfOut,
)
from gvm.authz import Actor, Permission
from gvm.domain.errors import GvmError
from gvm.domain.policy import parse_policy
from gvm.reports.backtest import backtest
from gvm.reports.equality import FORCE_WIDE, census_frame, equality_with_trend
from gvm.reports.gangs import picture_of
from gvm.reports.release import quarter_end, quarter_ends, release_tables
from gvm.reports.whatif import what_if_of
from gvm.services.access import InvalidInput
from gvm.services.backtest import run_backtest
from gvm.services.gang_picture import run_gang_picture
from gvm.services.oversight_reports import CohortKind, run_report
from gvm.services.whatif import run_whatif

router = APIRouter(prefix="/oversight", tags=["oversight"])
Reader = Annotated[Actor, require(Permission.OVERSIGHT_REPORT)]
Borough = Annotated[str | None, Query(pattern=BOROUGH_PATTERN,
                                      description="One borough (GSS code)")]
Cohort = Annotated[CohortKind, Query(description="register: on the register that day; "
                                     "eligible: meeting the inclusion threshold")]
# A report date within the years reports look back over (the document says it as a
# pattern, JSON Schema having no date bounds).
AsOf = Annotated[date, IsoDay, Query(ge=FIRST_SCORING_DATE, le=LAST_SCORING_DATE,
                             json_schema_extra=SCORING_DATE_DOC)]
ERRORS = error_responses(401, 403, 422)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()


def _check_borough(borough: str | None) -> None:
    if borough is not None and borough not in reference.boroughs():
        raise InvalidInput([("borough", "expected a London borough GSS code "
                             "E09000001..E09000033")])


def _equality(register: Any, actor: Actor, as_of: date, borough: str | None,
              cohort: CohortKind, quarters: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    _check_borough(borough)
    census = census_frame(reference.census_rows())
    dates = [*(d for d in quarter_ends(as_of, quarters) if d < as_of), as_of]
    return run_report(
        register.unit_of_work, report="equality", dates=dates, policy=register.policy,
        catalogue=register.catalogue, cohort=cohort,
        compute=lambda inputs: equality_with_trend(inputs, census, as_of, borough=borough),
        summarise=lambda r: {"rows": r[0].height, "trend_rows": r[1].height},
        actor=actor.username, actor_role=actor.role.value, borough=borough)


@router.get("/equality", response_model=EqualityOut, responses=ERRORS,
            summary="Equality report")
def equality(register: RegisterDep, actor: Reader, as_of: AsOf, borough: Borough = None,
             cohort: Cohort = CohortKind.REGISTER,
             quarters: Annotated[int, Query(ge=1, le=12)] = 4) -> EqualityOut:
    """The register's make-up by ethnic group against the census and the suspects of
    in-scope violence: RRIs with 95% intervals, for London and every borough (or one),
    by age band, sex and harm band, and the trend over quarter ends."""
    report, trend = _equality(register, actor, as_of, borough, cohort, quarters)
    return EqualityOut(as_of=as_of, area=borough or FORCE_WIDE, cohort=cohort.value,
                       rows=_rows(report), trend=_rows(trend))


@router.get("/equality.csv", response_class=Response, responses={
    **ERRORS, 200: {"content": {"text/csv": {}}, "description": "The report as CSV"}},
    summary="Equality report as CSV")
def equality_csv(register: RegisterDep, actor: Reader, as_of: AsOf, borough: Borough = None,
                 cohort: Cohort = CohortKind.REGISTER) -> Response:
    """The same rows as GET /oversight/equality, as one CSV table."""
    report, _ = _equality(register, actor, as_of, borough, cohort, 1)
    return Response(report.write_csv(), media_type="text/csv; charset=utf-8")


@router.get("/quarterly", response_model=QuarterlyOut, responses=ERRORS,
            summary="Quarterly statistical release")
def quarterly(register: RegisterDep, actor: Reader,
              quarter: Annotated[str, Query(pattern=r"^(19|20|21)[0-9]{2}[Qq][1-4]$",
                                            description="e.g. 2024Q1 (1900 to 2199)")],
              cohort: Cohort = CohortKind.REGISTER) -> QuarterlyOut:
    """Counts by borough and band, ethnic group, age band and sex, as published: counts
    of 1 to 4 and whatever would reveal them are "[c]" (R-PUBLISH)."""
    day = quarter_end(quarter)
    names = {code: b.name for code, b in reference.boroughs().items()}
    tables = run_report(
        register.unit_of_work, report="quarterly release", dates=[day],
        policy=register.policy, catalogue=register.catalogue, cohort=cohort,
        compute=lambda inputs: release_tables(inputs[day].cohort, day, names),
        summarise=lambda t: {"total": t[0].total,
                             "suppressed_cells": sum(x.suppressed_cells for x in t)},
        actor=actor.username, actor_role=actor.role.value)
    return QuarterlyOut(quarter=quarter.upper(), as_of=day, cohort=cohort.value,
                        total=tables[0].total, tables=[
                            ReleaseTableOut(name=t.name, title=t.title, lines=t.lines(),
                                            suppressed_cells=t.suppressed_cells)
                            for t in tables])


@router.get("/backtest", response_model=BacktestOut, responses=ERRORS,
            summary="Backtest: does the score work?")
def backtest_summary(register: RegisterDep, actor: Reader, as_of: AsOf,
                     horizon_months: Annotated[int, Query(ge=1, le=120)] = 12,
                     cohort: Cohort = CohortKind.ELIGIBLE) -> BacktestOut:
    """ROC AUC (DeLong 95% CI) and calibration per harm band (Wilson 95% CI) of the score
    on as_of for involvement in in-scope violence afterwards, overall and per group."""
    result = run_backtest(
        register.unit_of_work, as_of=as_of, horizon_months=horizon_months,
        policy=register.policy, catalogue=register.catalogue, cohort=cohort,
        compute=lambda frame: backtest(frame, as_of, horizon_months),
        summarise=lambda r: {"auc_harm": r.headline()["auc"], **r.coverage},
        actor=actor.username, actor_role=actor.role.value)
    return BacktestOut(as_of=as_of, horizon_months=horizon_months, cohort=cohort.value,
                       discrimination=_rows(result.discrimination),
                       calibration=_rows(result.calibration), coverage=result.coverage)


@router.post("/whatif", response_model=WhatIfOut, responses=ERRORS,
             summary="Policy what-if")
def whatif(register: RegisterDep, actor: Reader, body: WhatIfIn) -> WhatIfOut:
    """The same data scored under the policy in force and the proposed one: band
    transitions, eligibility changes, the cohort's make-up and the equality headline
    under each. Counts only: who changes band is not in the answer."""
    try:
        proposed = parse_policy(tomllib.loads(body.proposed_policy))
    except (tomllib.TOMLDecodeError, GvmError) as e:
        raise InvalidInput([("proposed_policy", str(e))]) from None
    census = census_frame(reference.census_rows())
    result = run_whatif(
        register.unit_of_work, as_of=body.as_of, current=register.policy, proposed=proposed,
        catalogue=register.catalogue, cohort=CohortKind(body.cohort),
        compute=lambda inputs: what_if_of(inputs, census),
        summarise=lambda r: {"cohort_current": r.cohort_current,
                             "cohort_proposed": r.cohort_proposed, **r.eligibility},
        listed=lambda r: (), actor=actor.username, actor_role=actor.role.value,
        justification=body.justification)
    return WhatIfOut(as_of=body.as_of, current_policy=register.policy.label,
                     proposed_policy=proposed.label, cohort_current=result.cohort_current,
                     cohort_proposed=result.cohort_proposed, eligibility=result.eligibility,
                     transitions=_rows(result.harm.vstack(result.victim)),
                     makeup=_rows(result.makeup), equality=_rows(result.equality))


@router.get("/gangs", response_model=GangNetworkOut, responses=ERRORS,
            summary="Gang conflict network")
def gang_network(register: RegisterDep, actor: Reader, as_of: AsOf, borough: Borough = None,
                 months: Annotated[int, Query(ge=1, le=120)] = 12) -> GangNetworkOut:
    """Gangs (members and their summed harm), recorded rivalries and alliances, and
    incidents of in-scope violence between members of different gangs in the months up
    to as_of; force-wide, or one borough's gangs and those they touch."""
    _check_borough(borough)
    picture = run_gang_picture(
        register.unit_of_work, as_of=as_of, months=months, policy=register.policy,
        catalogue=register.catalogue, compute=lambda i: picture_of(i, borough=borough),
        summarise=lambda p: p.totals(), actor=actor.username, actor_role=actor.role.value,
        borough=borough)
    return GangNetworkOut(as_of=as_of, start=picture.start, borough=borough,
                          totals=picture.totals(), nodes=_rows(picture.nodes),
                          edges=_rows(picture.edges))
