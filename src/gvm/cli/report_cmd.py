"""`gvm report equality` (R-EQUALITY) and `gvm report quarterly` (R-PUBLISH)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gvm import reference
from gvm.bootstrap import bootstrap
from gvm.cli.output import console, err_console, operator_name
from gvm.domain.errors import GvmError
from gvm.reports import charts
from gvm.reports.equality import (
    FORCE_WIDE,
    census_frame,
    equality_report,
    equality_trend,
    headline,
)
from gvm.reports.release import quarter_end, quarter_ends, release_tables, write_release
from gvm.services.oversight_reports import CohortKind, run_report

CLI_ROLE = "operator"

app = typer.Typer(help="Oversight reports: equality monitoring and the quarterly release.",
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
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV files (and charts).")]
    = Path("."),
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
        now = inputs[as_of]
        report = equality_report(now.cohort, now.suspects, census, as_of, borough=borough)
        trend = equality_trend({d: (i.cohort, i.suspects) for d, i in inputs.items()},
                               census, borough=borough)
        return report, trend

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
    out.mkdir(parents=True, exist_ok=True)
    stem = f"equality_{as_of.isoformat()}" + (f"_{borough}" if borough else "")
    report.write_csv(out / f"{stem}.csv")
    trend.write_csv(out / f"{stem}_trend.csv")
    written = [out / f"{stem}.csv", out / f"{stem}_trend.csv"]
    if charts.available():
        written += charts.rri_chart(top, out / stem,
                                    title=f"RRI by ethnic group, {area}, {as_of.isoformat()}")
    else:
        err_console.print("matplotlib is not installed: no chart written.")
    console.print("Wrote " + ", ".join(str(p) for p in written))


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
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV files.")] = Path("."),
) -> None:
    """Does the score work? Scores everyone held on AS_OF and compares with who was
    involved in in-scope violence (suspect or victim) in the following months: ROC AUC
    with 95% CI, calibration per harm band (Wilson 95% CI), per group (docs/BACKTEST.md)."""
    import polars as pl

    from gvm.reports.backtest import backtest as compute_backtest
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
    out.mkdir(parents=True, exist_ok=True)
    stem = f"backtest_{as_of.isoformat()}"
    result.discrimination.write_csv(out / f"{stem}_auc.csv")
    result.calibration.write_csv(out / f"{stem}_calibration.csv")
    pl.DataFrame([c]).write_csv(out / f"{stem}_coverage.csv")
    console.print(f"Wrote {out / f'{stem}_auc.csv'}, {out / f'{stem}_calibration.csv'}, "
                  f"{out / f'{stem}_coverage.csv'}")
