"""The quarterly statistical release (R-PUBLISH): counts of the cohort at a quarter end by
borough x harm band, ethnic group, age band and sex, with small numbers suppressed.

Suppression rule:
- primary: every cell counting 1 to 4 people is shown as "[c]"; zero is shown;
- totals are counts of people too: a total of 1 to 4 is suppressed the same way;
- secondary: a row or column (with its total) with exactly one suppressed entry would
  give it away by subtraction, so the smallest other entry of that row or column (a cell
  before a total, a non-zero one before a zero) is suppressed too; repeated until no row
  or column has exactly one suppressed entry;
- the totals shown are the true totals (of all the cells, suppressed or not).

Pure computation: no storage, no I/O except `write_release`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from gvm.reports.equality import AGE_BANDS, GROUPS, HARM_BANDS, NOT_STATED, UNDER_10, prepare

SUPPRESSED = "[c]"
MIN_SHOWN = 5  # counts 1..MIN_SHOWN-1 are suppressed
SEXES = {"M": "Male", "F": "Female", "X": "Other"}

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def quarter_end(quarter: str) -> date:
    """"2024Q1" -> 2024-03-31."""
    m = _QUARTER.match(quarter.strip().upper())
    if not m:
        raise ValueError(f"quarter {quarter!r}: expected YYYYQn, e.g. 2024Q1")
    month, day = _QUARTER_END[int(m.group(2))]
    return date(int(m.group(1)), month, day)


def quarter_ends(last: date, n: int) -> list[date]:
    """The last `n` quarter ends up to and including the quarter containing `last`,
    oldest first."""
    q = (last.month - 1) // 3 + 1
    year = last.year
    out = []
    for _ in range(n):
        month, day = _QUARTER_END[q]
        out.append(date(year, month, day))
        q -= 1
        if q == 0:
            q, year = 4, year - 1
    return out[::-1]


def augmented(counts: np.ndarray) -> np.ndarray:
    """The table with its totals: a last column of row totals, a last row of column
    totals and the grand total in the corner. Each row and each column of it is one
    additive relation (its cells sum to its total)."""
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("expected a 2-D table")
    rows = np.hstack([counts, counts.sum(axis=1, keepdims=True)])
    return np.vstack([rows, rows.sum(axis=0, keepdims=True)])


def suppress(counts: np.ndarray) -> np.ndarray:
    """What to hide of `counts` with its totals: a boolean mask the shape of
    `augmented(counts)`.

    Primary: every entry (cell or total) of 1 to 4. Secondary: while a row or column of
    the augmented table (a relation: cells and their total) has exactly one hidden entry,
    hide its smallest other entry too: a cell before a total, non-zero before zero."""
    table = augmented(counts)
    if table.shape == (2, 2):  # one cell: it is every total too
        return np.full((2, 2), bool(1 <= table[0, 0] < MIN_SHOWN))
    if table.shape[1] == 2:  # one column: each row total is its cell; one relation left
        column = suppress(table[:-1, :1].T)[0, :]
        return np.repeat(column[:, None], 2, axis=1)
    hidden = (table >= 1) & (table < MIN_SHOWN)
    n_rows, n_cols = table.shape
    changed = True
    while changed:
        changed = False
        for i in range(n_rows):
            if hidden[i].sum() == 1:
                j = _next_smallest(table[i], hidden[i], total_at=n_cols - 1)
                if j is not None:
                    hidden[i, j] = changed = True
        for j in range(n_cols):
            if hidden[:, j].sum() == 1:
                i = _next_smallest(table[:, j], hidden[:, j], total_at=n_rows - 1)
                if i is not None:
                    hidden[i, j] = changed = True
    return hidden


def _next_smallest(values: np.ndarray, mask: np.ndarray, total_at: int) -> int | None:
    """The entry to hide next in a line: not hidden yet; a cell before the total, then
    non-zero before zero, then the smallest. None if nothing is left."""
    candidates = [(k == total_at, v == 0, v, k) for k, v in enumerate(values.tolist())
                  if not mask[k]]
    return min(candidates)[3] if candidates else None


@dataclass(frozen=True, slots=True)
class ReleaseTable:
    """A table of the release: row labels, column labels, counts and what is hidden."""

    name: str
    title: str
    row_header: str
    rows: list[str]
    columns: list[str]
    counts: np.ndarray
    hidden: np.ndarray  # over augmented(counts): cells, then totals

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def entry(self, i: int, j: int) -> str:
        """Cell (or total, at the last row / column) i, j as published."""
        return SUPPRESSED if self.hidden[i, j] else str(int(augmented(self.counts)[i, j]))

    def lines(self) -> list[list[str]]:
        """The table as published: header, rows, and a total row; a total column when
        there is more than one column (with one it would repeat the cells)."""
        n_cols = self.counts.shape[1]
        with_total = n_cols > 1
        last = n_cols + 1 if with_total else n_cols
        out = [[self.row_header, *self.columns, *(["Total"] if with_total else [])]]
        for i, label in enumerate([*self.rows, "Total"]):
            out.append([label, *(self.entry(i, j) for j in range(last))])
        return out

    @property
    def suppressed_cells(self) -> int:
        """Hidden entries, totals included."""
        return int(self.hidden.sum())


def _table(name: str, title: str, row_header: str, rows: list[str], columns: list[str],
           counts: np.ndarray) -> ReleaseTable:
    return ReleaseTable(name, title, row_header, rows, columns, counts, suppress(counts))


def _one_way(frame: pl.DataFrame, column: str, categories: list[str]) -> np.ndarray:
    got = frame.group_by(column).len()
    counts = dict(zip(got[column].to_list(), got["len"].to_list(), strict=True))
    return np.array([[counts.get(c, 0)] for c in categories], dtype=np.int64)


def release_tables(cohort: pl.DataFrame, as_of: date,
                   boroughs: dict[str, str]) -> list[ReleaseTable]:
    """The release's tables for the cohort (columns as in gvm.reports.equality) on
    `as_of`. `boroughs` maps GSS code -> name: every borough gets a row, zeros shown."""
    frame = prepare(cohort, as_of)
    codes = sorted(boroughs)
    got = frame.group_by("borough_code", "harm_band").len()
    index = {(r["borough_code"], r["harm_band"]): r["len"] for r in got.iter_rows(named=True)}
    extra = sorted({c for c, _ in index} - set(codes) - {None})
    codes += extra
    by_band = np.array([[index.get((c, b), 0) for b in HARM_BANDS] for c in codes],
                       dtype=np.int64)
    labels = [f"{boroughs.get(c, c)} ({c})" for c in codes]
    ages = [*AGE_BANDS] + ([UNDER_10] if (frame["age_band"] == UNDER_10).any() else [])
    sexes = [*SEXES]
    sex_counts = _one_way(frame, "sex", sexes)
    return [
        _table("borough_by_harm_band", "People by borough and harm band", "Borough", labels,
               list(HARM_BANDS), by_band),
        _table("ethnic_group", "People by ethnic group", "Ethnic group", list(GROUPS),
               ["People"], _one_way(frame, "group", list(GROUPS))),
        _table("age_band", "People by age band (age on the quarter end)", "Age band", ages,
               ["People"], _one_way(frame, "age_band", ages)),
        _table("sex", "People by sex", "Sex", [SEXES[s] for s in sexes], ["People"],
               sex_counts),
    ]


def summary_markdown(tables: list[ReleaseTable], *, quarter: str, as_of: date,
                     cohort_label: str) -> str:
    total = tables[0].total if tables else 0
    lines = [
        f"# Quarterly statistical release: {quarter}",
        "",
        f"People in the cohort ({cohort_label}) on {as_of.isoformat()}: **{total}**.",
        "",
        "| table | total | cells suppressed |",
        "|---|---:|---:|",
        *(f"| {t.title} | {t.total} | {t.suppressed_cells} |" for t in tables),
        "",
        "## Totals",
        "",
    ]
    for t in tables:
        shown = t.lines()
        if len(t.columns) > 1:
            totals = dict(zip(t.columns, shown[-1][1:-1], strict=True))
        else:
            totals = {r[0]: r[1] for r in shown[1:-1]}
        lines.append(f"- {t.title}: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    lines += [
        "",
        "## Suppression rule",
        "",
        f"Counts of 1 to {MIN_SHOWN - 1} people, totals included, are shown as "
        f"`{SUPPRESSED}`; zero is shown. Where a row or column would then have exactly one "
        "suppressed entry (which its total would give away), the next smallest entry of "
        "that row or column is suppressed as well, repeated until no row or column has "
        "exactly one. The totals shown are the true totals. "
        f"Ethnic group is as recorded; \"{NOT_STATED}\" means none was recorded. Age is "
        "on the quarter end.",
        "",
    ]
    return "\n".join(lines)


def write_release(tables: list[ReleaseTable], out: Path, *, quarter: str, as_of: date,
                  cohort_label: str) -> list[Path]:
    """One CSV per table and summary.md in `out`; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for t in tables:
        path = out / f"{quarter}_{t.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(t.lines())
        written.append(path)
    summary = out / f"{quarter}_summary.md"
    summary.write_text(summary_markdown(tables, quarter=quarter, as_of=as_of,
                                        cohort_label=cohort_label), encoding="utf-8")
    written.append(summary)
    return written
