"""Charts of the backtest (does the score work?) and of the policy what-if, with their
files and pages. Aggregates only: the what-if's list of people who change band is
personal data and is never drawn or put on a page here."""

from __future__ import annotations

from datetime import date

import polars as pl

from gvm.reports.backtest import ALL, Backtest
from gvm.reports.charts import MARKERS, PALETTE, Rendered, figure, render
from gvm.reports.equality import HARM_BANDS
from gvm.reports.pages import Files, Section, add_chart, add_csv, page
from gvm.reports.whatif import BANDS, WhatIf, transition_matrix

# ------------------------------------------------------------------------- backtest

def roc_chart(result: Backtest) -> Rendered:
    """The ROC curve of each score (everyone scored), AUC in the legend, chance marked."""
    with figure(size=(5.5, 5)) as (fig, (ax,)):
        for i, (score, part) in enumerate(result.roc.partition_by("score", as_dict=True,
                                                                   maintain_order=True).items()):
            name = score[0]
            top = result.headline(score=name)
            ax.plot(part["fpr"], part["tpr"], color=PALETTE[i], marker=MARKERS[i],
                    markersize=3, label=f"{name} (AUC {top['auc']:.2f})"
                    if top["auc"] is not None else name)
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="chance")
        ax.set_xlabel("false positive rate (not involved, flagged)")
        ax.set_ylabel("true positive rate (involved, flagged)")
        ax.set_title(f"ROC, as of {result.as_of.isoformat()}, {result.horizon_months} months")
        ax.legend(loc="lower right")
        return render(fig)


def calibration_chart(result: Backtest) -> Rendered:
    """Observed rate of future involvement per harm band with Wilson 95% intervals,
    among everyone scored and among the cohort."""
    cal = result.calibration.filter(pl.col("outcome") == "involved",
                                    pl.col("breakdown") == ALL)
    with figure(size=(7, 4.5)) as (fig, (ax,)):
        for i, population in enumerate(("scored", "cohort")):
            rows = {r["harm_band"]: r for r in cal.filter(pl.col("population") == population)
                    .iter_rows(named=True)}
            got = [rows.get(b, {}) for b in HARM_BANDS]
            keep = [j for j, r in enumerate(got) if r.get("rate") is not None]
            ax.errorbar([j + (i - 0.5) * 0.2 for j in keep], [got[j]["rate"] for j in keep],
                        yerr=[[got[j]["rate"] - got[j]["rate_low"] for j in keep],
                              [got[j]["rate_high"] - got[j]["rate"] for j in keep]],
                        marker=MARKERS[i], color=PALETTE[i], capsize=3, linestyle="none",
                        label=population)
        ax.set_xticks(range(len(HARM_BANDS)))
        ax.set_xticklabels(HARM_BANDS)
        ax.set_ylabel("involved in in-scope violence afterwards")
        ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.set_title("Calibration by harm band (Wilson 95% CI)")
        ax.legend()
        return render(fig)


def group_auc_chart(result: Backtest, *, score: str = "harm") -> Rendered:
    """AUC with DeLong 95% interval per ethnic group, age band and sex (everyone scored,
    involvement as suspect or victim); 0.5 is chance."""
    disc = result.discrimination.filter(
        pl.col("outcome") == "involved", pl.col("population") == "scored",
        pl.col("score") == score, pl.col("auc").is_not_null())
    rows = disc.to_dicts()
    labels = [f"{r['stratum']} (n={r['n']})" if r["breakdown"] != ALL else
              f"everyone (n={r['n']})" for r in rows]
    with figure(size=(7, 0.35 * len(rows) + 1.5)) as (fig, (ax,)):
        ys = list(range(len(rows)))[::-1]
        for y, r in zip(ys, rows, strict=True):
            colour = PALETTE[("all", "group", "age_band", "sex").index(r["breakdown"]) % 4]
            lo = r["auc_low"] if r["auc_low"] is not None else r["auc"]
            hi = r["auc_high"] if r["auc_high"] is not None else r["auc"]
            ax.errorbar([r["auc"]], [y], xerr=[[r["auc"] - lo], [hi - r["auc"]]], marker="o",
                        color=colour, capsize=3)
        ax.axvline(0.5, color="grey", linestyle="--", linewidth=1)
        ax.set_yticks(ys)
        ax.set_yticklabels(labels)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"ROC AUC of the {score} score (DeLong 95% CI)")
        ax.set_title("Discrimination per group")
        return render(fig)


def backtest_files(result: Backtest, *, stem: str) -> Files:
    files: Files = {}
    section = Section("Does the score work?")
    add_chart(files, section, f"{stem}_roc", roc_chart(result),
              "ROC curves of the harm score and harm plus victim score for involvement in "
              "in-scope violence after the date")
    add_chart(files, section, f"{stem}_calibration", calibration_chart(result),
              "Observed rate of future involvement per harm band with 95% intervals")
    add_chart(files, section, f"{stem}_group_auc", group_auc_chart(result),
              "ROC AUC of the harm score per ethnic group, age band and sex")
    add_csv(files, section, f"{stem}_auc.csv", result.discrimination)
    add_csv(files, section, f"{stem}_calibration.csv", result.calibration)
    add_csv(files, section, f"{stem}_coverage.csv", pl.DataFrame([result.coverage]))
    add_csv(files, section, f"{stem}_roc.csv", result.roc)
    files[f"{stem}.html"] = page(
        f"Backtest as of {result.as_of.isoformat()}",
        f"Outcome: involvement in in-scope violence within {result.horizon_months} months. "
        "Method: docs/BACKTEST.md.", [section])
    return files


# ------------------------------------------------------------------------- what-if

def transitions_chart(result: WhatIf) -> Rendered:
    """Heat maps of people by current band (rows) and proposed band (columns), harm and
    victim, each cell labelled with its count."""
    with figure(2, size=(10, 4.5)) as (fig, axes):
        for ax, (label, table) in zip(axes, (("harm", result.harm), ("victim", result.victim)),
                                      strict=True):
            matrix = transition_matrix(table).select(BANDS).to_numpy()
            ax.imshow(matrix, cmap="Blues")
            for i in range(len(BANDS)):
                for j in range(len(BANDS)):
                    value = int(matrix[i, j])
                    ax.text(j, i, str(value), ha="center", va="center",
                            color="white" if value > matrix.max() / 2 else "black")
            ax.set_xticks(range(len(BANDS)), BANDS)
            ax.set_yticks(range(len(BANDS)), BANDS)
            ax.set_xlabel("proposed policy")
            ax.set_ylabel("current policy")
            ax.set_title(f"{label} band transitions")
        return render(fig)


def makeup_chart(result: WhatIf) -> Rendered:
    """Change in the cohort's share (percentage points) per ethnic group, age band and
    sex, proposed minus current."""
    part = result.makeup.filter(pl.col("breakdown") != "borough")
    rows = part.to_dicts()
    with figure(size=(7, 0.35 * len(rows) + 1.5)) as (fig, (ax,)):
        ys = list(range(len(rows)))[::-1]
        colours = [PALETTE[("ethnic_group", "age_band", "sex").index(r["breakdown"])]
                   for r in rows]
        ax.barh(ys, [r["share_change_pp"] or 0.0 for r in rows], color=colours)
        ax.axvline(0, color="black", linewidth=1)
        if not any(r["share_change_pp"] for r in rows):
            ax.text(0.5, 0.5, "the same make-up under both policies", ha="center",
                    transform=ax.transAxes, bbox={"facecolor": "white", "edgecolor": "grey"})
        ax.set_yticks(ys)
        ax.set_yticklabels([f"{r['category']} ({r['count_current']} -> {r['count_proposed']})"
                            for r in rows])
        ax.set_xlabel("change in share of the cohort (percentage points)")
        ax.set_title(f"Cohort make-up shift: {result.cohort_current} -> "
                     f"{result.cohort_proposed} people")
        return render(fig)


def whatif_files(result: WhatIf, *, stem: str, current: str, proposed: str,
                 as_of: date) -> Files:
    """The aggregate files of the comparison (the list of changes is not among them)."""
    files: Files = {}
    section = Section(f"{current} -> {proposed}")
    add_chart(files, section, f"{stem}_transitions", transitions_chart(result),
              "Counts of people by harm and victim band under the current and the proposed "
              "policy")
    add_chart(files, section, f"{stem}_makeup", makeup_chart(result),
              "Change in the cohort's share per ethnic group, age band and sex")
    add_csv(files, section, f"{stem}_transitions.csv", result.harm.vstack(result.victim))
    add_csv(files, section, f"{stem}_makeup.csv", result.makeup)
    add_csv(files, section, f"{stem}_equality.csv", result.equality)
    files[f"{stem}.html"] = page(f"Policy what-if as of {as_of.isoformat()}",
                                 f"Current {current}, proposed {proposed}.", [section])
    return files
