"""The equality report's files (R-EQUALITY): the long CSV, the trend, the by-band table,
the charts and the HTML page that reads them together. Aggregates only."""

from __future__ import annotations

from datetime import date

import polars as pl

from gvm.reports import charts
from gvm.reports.equality import disproportion_by_band, headline
from gvm.reports.pages import (
    Files,
    HtmlTable,
    Section,
    add_chart,
    add_csv,
    ci,
    fmt,
    page,
    pct,
)

_BREAKDOWNS = (("age_band", "age band"), ("sex", "sex"), ("harm_band", "harm band"))


def _headline_table(top: pl.DataFrame) -> HtmlTable:
    rows = [(r["group"], str(r["count"]), pct(r["cohort_share"]), pct(r["census_share"]),
             ci(r, "rri_census"), pct(r["suspect_share"]), ci(r, "rri_suspects"),
             "n<5" if r["small_cell"] else "") for r in top.iter_rows(named=True)]
    return HtmlTable("Register against Census 2021 and suspects of in-scope violence",
                     ("group", "people", "share", "census", "RRI vs census (95% CI)",
                      "suspects", "RRI vs suspects (95% CI)", "small cell"), rows)


def _band_table(report: pl.DataFrame, area: str) -> HtmlTable:
    wide = disproportion_by_band(report, area)
    bands = [c for c in wide.columns if c != "group"]
    rows = [(r["group"], *(fmt(r[b]) for b in bands)) for r in wide.iter_rows(named=True)]
    return HtmlTable("RRI vs Census 2021 per harm band", ("group", *bands), rows)


def equality_files(report: pl.DataFrame, trend: pl.DataFrame, *, as_of: date, area: str,
                   cohort: str, stem: str) -> Files:
    """{file name: content} of the whole report for `area` (London or a borough code);
    the CSVs hold every area the report computed."""
    files: Files = {}
    top = headline(report, area)
    n = int(top["cohort_n"][0]) if top.height else 0
    day = as_of.isoformat()
    main = Section("Register, census and suspects by ethnic group", text=[
        "Shares are of the people whose ethnicity is counted in each column; bars show "
        "Wilson 95% intervals. An RRI above 1 means the group is more represented on the "
        "register than in the comparison; the interval crossing 1 means the difference "
        "could be chance."])
    add_chart(files, main, f"{stem}_shares",
              charts.share_chart(top, title=f"Share by ethnic group, {area}, {day}"),
              f"Share of the register, of the Census 2021 population and of suspects of "
              f"in-scope violence per ethnic group, {area}, {day}")
    add_chart(files, main, f"{stem}_rri",
              charts.rri_chart(top, title=f"RRI by ethnic group, {area}, {day}"),
              f"Relative rate index with 95% interval per ethnic group against the census "
              f"and against the suspects, {area}, {day}")
    main.tables.append(_headline_table(top))
    add_csv(files, main, f"{stem}.csv", report)
    sections = [main]
    for breakdown, label in _BREAKDOWNS:
        part = Section(f"By {label}")
        add_chart(files, part, f"{stem}_{breakdown}",
                  charts.strata_chart(report, area, breakdown,
                                      title=f"RRI by ethnic group and {label}, {area}, {day}"),
                  f"Relative rate index per ethnic group within each {label}, against the "
                  f"census and against the suspects, {area}, {day}")
        if breakdown == "harm_band":
            part.text.append("Each band is compared with all suspects of the area: if Green "
                             "and Zero are further from 1 than Red, the lower bands carry "
                             "more of the disproportion.")
            part.tables.append(_band_table(report, area))
            add_csv(files, part, f"{stem}_by_band.csv", disproportion_by_band(report, area))
        sections.append(part)
    over_time = Section("Trend over quarters")
    add_chart(files, over_time, f"{stem}_trend",
              charts.trend_chart(trend, title=f"Trend, {area}, quarter ends to {day}"),
              f"Each ethnic group's share of the register and RRI vs census at each quarter "
              f"end up to {day}, {area}")
    add_csv(files, over_time, f"{stem}_trend.csv", trend)
    sections.append(over_time)
    files[f"{stem}.html"] = page(
        f"Equality monitoring: {area}, {day}",
        f"Cohort: {cohort} ({n} people). Method: docs/EQUALITY.md.", sections,
        note="Internal report: small cells (fewer than 5) are marked, not suppressed. "
             "Ethnicity and sex are recorded for this monitoring only and are never an "
             "input to a score.")
    return files
