"""`gvm report equality` (R-EQUALITY), `quarterly` (R-PUBLISH), `backtest` and `gangs`
(the gang conflict picture)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gvm import reference
from gvm.bootstrap import bootstrap
from gvm.cli.output import console, err_console, operator_name, write_files
from gvm.domain.errors import GvmError
from gvm.reports.equality import (
    FORCE_WIDE,
    census_frame,
    equality_with_trend,
    headline,
)
from gvm.reports.equality_page import equality_files
from gvm.reports.release import quarter_end, quarter_ends, release_tables, write_release
from gvm.services.oversight_reports import CohortKind, run_report

CLI_ROLE = "operator"

app = typer.Typer(help="Oversight reports: equality monitoring, the quarterly release, the "
                  "backtest and the gang conflict picture.",
                  no_args_is_help=True)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date as YYYY-MM-DD") from None


CohortOption = Annotated[CohortKind, typer.Option(
    "--cohort", help="register: people on the register (supervisors' decisions); eligible: "
    "everyone meeting the inclusion threshold (for data without decisions).")]


def _check_borough(borough: str | None) -> None:
    if borough is not None and borough not in reference.boroughs():
        raise GvmError("--borough: expected a London borough GSS code E09000001..E09000033")


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ci(row: dict, key: str) -> str:
    if row[key] is None:
        return "-"
    return f"{row[key]:.2f} ({_fmt(row[f'{key}_low'])}-{_fmt(row[f'{key}_high'])})"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


@app.command()
def equality(
    as_of: Annotated[date, typer.Option("--as-of", parser=_date, metavar="DATE",
                                        help="Report date, YYYY-MM-DD.")],
    borough: Annotated[str | None, typer.Option(help="Only this borough (GSS code).")] = None,
    cohort: CohortOption = CohortKind.REGISTER,
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML page, CSV files "
                                      "and charts.")] = Path("."),
    quarters: Annotated[int, typer.Option(help="Quarters in the trend (quarter ends up to "
                                          "AS_OF).", min=1, max=40)] = 4,
) -> None:
    """The register's make-up by ethnic group against the Census 2021 population and
    against the suspects of in-scope violence: relative rate indices with 95% intervals,
    by borough, age band, sex and harm band, and the trend over quarters."""
    _check_borough(borough)
    census = census_frame(reference.census_rows())
    trend_dates = [d for d in quarter_ends(as_of, quarters) if d < as_of]
    dates = [*trend_dates, as_of]

    def compute(inputs):
        return equality_with_trend(inputs, census, as_of, borough=borough)

    def summarise(result):
        report, trend = result
        return {"rows": report.height, "trend_rows": trend.height}

    register = bootstrap()
    try:
        with err_console.status(f"Equality report as of {as_of.isoformat()}..."):
            report, trend = run_report(
                register.unit_of_work, report="equality", dates=dates,
                policy=register.policy, catalogue=register.catalogue, cohort=cohort,
                compute=compute, summarise=summarise,
                actor=operator_name(register.settings.actor), actor_role=CLI_ROLE,
                borough=borough)
    finally:
        register.close()
    area = borough or FORCE_WIDE
    top = headline(report, area)
    table = Table(title=f"Equality as of {as_of.isoformat()}: {area}, cohort {cohort.value} "
                        f"({int(top['cohort_n'][0]) if top.height else 0} people)")
    for col in ("group", "n", "share", "census", "RRI vs census (95% CI)", "suspects",
                "RRI vs suspects (95% CI)", ""):
        table.add_column(col, justify="left" if col in ("group", "") else "right")
    for r in top.iter_rows(named=True):
        table.add_row(r["group"], str(r["count"]), _pct(r["cohort_share"]),
                      _pct(r["census_share"]), _ci(r, "rri_census"), _pct(r["suspect_share"]),
                      _ci(r, "rri_suspects"), "n<5" if r["small_cell"] else "")
    console.print(table)
    stem = f"equality_{as_of.isoformat()}" + (f"_{borough}" if borough else "")
    files = equality_files(report, trend, as_of=as_of, area=area, cohort=cohort.value,
                           stem=stem)
    write_files(out, files)
    console.print(f"Wrote {len(files)} files to {out}: open {out / f'{stem}.html'}")


@app.command()
def quarterly(
    quarter: Annotated[str, typer.Option(help="The quarter, e.g. 2024Q1 (ends 2024-03-31).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the release files.")],
    cohort: CohortOption = CohortKind.REGISTER,
) -> None:
    """The quarterly statistical release: counts by borough x harm band, ethnic group,
    age band and sex, with counts of 1-4 suppressed (R-PUBLISH)."""
    try:
        day = quarter_end(quarter)
    except ValueError as e:
        raise GvmError(f"--quarter: {e}") from None
    label = quarter.strip().upper()
    names = {code: b.name for code, b in reference.boroughs().items()}

    def compute(inputs):
        return release_tables(inputs[day].cohort, day, names)

    def summarise(tables):
        return {"total": tables[0].total,
                "suppressed_cells": sum(t.suppressed_cells for t in tables)}

    register = bootstrap()
    try:
        tables = run_report(
            register.unit_of_work, report="quarterly release", dates=[day],
            policy=register.policy, catalogue=register.catalogue, cohort=cohort,
            compute=compute, summarise=summarise,
            actor=operator_name(register.settings.actor), actor_role=CLI_ROLE)
    finally:
        register.close()
    written = write_release(tables, out, quarter=label, as_of=day,
                            cohort_label=cohort.value)
    console.print(f"Release {label} (to {day.isoformat()}): {tables[0].total} people; "
                  f"wrote {len(written)} files to {out}")


@app.command()
def backtest(
    as_of: Annotated[date, typer.Option("--as-of", parser=_date, metavar="DATE",
                                        help="The past date to score on, YYYY-MM-DD.")],
    horizon_months: Annotated[int, typer.Option(
        "--horizon-months", min=1, max=120,
        help="Months after AS_OF in which the outcome is looked for.")] = 12,
    cohort: Annotated[CohortKind, typer.Option(
        "--cohort", help="The cohort at AS_OF for the per-cohort tables and coverage: "
        "eligible (default) or register.")] = CohortKind.ELIGIBLE,
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML page, CSV files "
                                      "and charts.")] = Path("."),
) -> None:
    """Does the score work? Scores everyone held on AS_OF and compares with who was
    involved in in-scope violence (suspect or victim) in the following months: ROC AUC
    with 95% CI, calibration per harm band (Wilson 95% CI), per group (docs/BACKTEST.md)."""
    import polars as pl

    from gvm.reports.backtest import backtest as compute_backtest
    from gvm.reports.model_charts import backtest_files
    from gvm.services.backtest import run_backtest

    def summarise(result):
        top = result.headline()
        return {"auc_harm": top["auc"], "auc_harm_low": top["auc_low"],
                "auc_harm_high": top["auc_high"], **result.coverage}

    register = bootstrap()
    try:
        with err_console.status(f"Backtest as of {as_of.isoformat()}..."):
            result = run_backtest(
                register.unit_of_work, as_of=as_of, horizon_months=horizon_months,
                policy=register.policy, catalogue=register.catalogue, cohort=cohort,
                compute=lambda frame: compute_backtest(frame, as_of, horizon_months),
                summarise=summarise, actor=operator_name(register.settings.actor),
                actor_role=CLI_ROLE)
    finally:
        register.close()
    disc = result.discrimination.filter(pl.col("breakdown") == "all")
    table = Table(title=f"Backtest as of {as_of.isoformat()}, in-scope violence within "
                        f"{horizon_months} months: ROC AUC (DeLong 95% CI)")
    for col in ("outcome", "population", "score", "people", "involved", "AUC (95% CI)"):
        table.add_column(col, justify="right" if col in ("people", "involved",
                                                         "AUC (95% CI)") else "left")
    for r in disc.iter_rows(named=True):
        table.add_row(r["outcome"], r["population"], r["score"], str(r["n"]),
                      str(r["events"]), _ci(r, "auc"))
    console.print(table)
    cal = result.calibration.filter(pl.col("outcome") == "involved",
                                    pl.col("population") == "scored",
                                    pl.col("breakdown") == "all")
    table = Table(title="Calibration: observed rate of future violence per harm band "
                        "(Wilson 95% CI), everyone known on AS_OF")
    for col in ("harm band", "people", "involved", "rate (95% CI)"):
        table.add_column(col, justify="left" if col == "harm band" else "right")
    for r in cal.iter_rows(named=True):
        rate = "-" if r["rate"] is None else (
            f"{_pct(r['rate'])} ({_pct(r['rate_low'])}-{_pct(r['rate_high'])})")
        table.add_row(r["harm_band"], str(r["n"]), str(r["events"]), rate)
    console.print(table)
    c = result.coverage
    console.print(f"Involved in in-scope violence after {as_of.isoformat()}: {c['involved']}; "
                  f"in the {cohort.value} cohort on the date: {c['in_cohort']}; known but "
                  f"not in it: {c['known_not_in_cohort']}; not known: {c['not_known']} "
                  f"(share not in the cohort {_pct(c['share_not_in_cohort'])}).")
    stem = f"backtest_{as_of.isoformat()}"
    files = backtest_files(result, stem=stem)
    write_files(out, files)
    console.print(f"Wrote {len(files)} files to {out}: open {out / f'{stem}.html'}")


@app.command()
def gangs(
    as_of: Annotated[date, typer.Option("--as-of", parser=_date, metavar="DATE",
                                        help="Report date, YYYY-MM-DD.")],
    borough: Annotated[str | None, typer.Option(help="Only this borough's gangs and the "
                                                "gangs they touch (GSS code).")] = None,
    months: Annotated[int, typer.Option(help="Months of violence up to AS_OF.", min=1,
                                        max=120)] = 12,
    out: Annotated[Path, typer.Option("--out", help="Folder for the chart (PNG, SVG), the "
                                      "CSV of edges and nodes, and the page.")] = Path("."),
) -> None:
    """The gang conflict picture: gangs (sized by their members' harm), recorded
    rivalries and alliances, and violence between members of different gangs."""
    from gvm.reports.gang_chart import gang_files
    from gvm.reports.gangs import picture_of
    from gvm.services.gang_picture import run_gang_picture

    _check_borough(borough)

    register = bootstrap()
    try:
        with err_console.status(f"Gang conflict picture as of {as_of.isoformat()}..."):
            picture = run_gang_picture(
                register.unit_of_work, as_of=as_of, months=months, policy=register.policy,
                catalogue=register.catalogue,
                compute=lambda i: picture_of(i, borough=borough),
                summarise=lambda p: p.totals(), actor=operator_name(register.settings.actor),
                actor_role=CLI_ROLE, borough=borough)
    finally:
        register.close()
    t = picture.totals()
    console.print(f"Gangs {t['gangs']}; incidents between members of different gangs "
                  f"{t['incidents']} over {t['violent_pairs']} pairs; rivalries "
                  f"{t['rivalries']}, alliances {t['alliances']}.")
    stem = f"gangs_{as_of.isoformat()}" + (f"_{borough}" if borough else "")
    files = gang_files(picture, stem=stem,
                       area_name=reference.boroughs()[borough].name if borough else None)
    write_files(out, files)
    console.print(f"Wrote {len(files)} files to {out}: open {out / f'{stem}.html'}")
