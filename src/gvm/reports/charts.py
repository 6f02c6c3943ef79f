"""Charts of the equality report (matplotlib, Agg backend: no display needed).

Rendering only: each chart comes back as {"png": bytes, "svg": bytes}; whoever calls it
decides where the files go. The charts show aggregates (counts, shares, ratios), never a
person. Colours are the Okabe-Ito palette (distinguishable with colour-blindness) and each
series also has its own marker, so nothing depends on colour alone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

from gvm.reports.backtest import wilson
from gvm.reports.equality import GROUPS, HARM_BANDS

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X")
Rendered = dict[str, bytes]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "gvm", "font.size": 10,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


@contextmanager
def figure(ncols: int = 1, *, size: tuple[float, float] = (8, 4.5)) -> Iterator[tuple]:
    """A figure and its axes, closed afterwards whatever happens."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, ncols, figsize=size, squeeze=False)
    try:
        yield fig, list(axes[0])
    finally:
        plt.close(fig)


def render(fig: Any) -> Rendered:
    """The figure as PNG and SVG bytes (no creation date: the same data, the same SVG)."""
    fig.tight_layout()
    out: Rendered = {}
    for fmt, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=120, metadata=metadata)
        out[fmt] = buffer.getvalue()
    return out


def wilson_error(k: int, n: int) -> tuple[float, float, float]:
    """(share, minus, plus) of k in n with the Wilson 95% interval, for error bars."""
    p, lo, hi = wilson(k, n)
    if p is None or lo is None or hi is None:
        return 0.0, 0.0, 0.0
    return p, p - lo, hi - p


def _errorbar(ax: Any, xs: list[float], ys: list[float | None], lows: list, highs: list,
              **style: Any) -> None:
    keep = [i for i, y in enumerate(ys) if y is not None and y > 0]
    ax.errorbar([xs[i] for i in keep], [ys[i] for i in keep],
                yerr=[[ys[i] - (lows[i] if lows[i] is not None else ys[i]) for i in keep],
                      [(highs[i] if highs[i] is not None else ys[i]) - ys[i] for i in keep]],
                capsize=3, linestyle="none", **style)


_RATIO_TICKS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 20, 50)


def log_ratio_axis(ax: Any) -> None:
    """A log scale for ratios with plain labels (0.5, 1, 2), parity (1) marked."""
    from matplotlib.ticker import NullLocator

    ax.axhline(1.0, color="grey", linewidth=1, linestyle="--")
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    ticks = [t for t in _RATIO_TICKS if low <= t <= high]
    while len(ticks) > 8:  # thin out, keeping 1
        ticks = [t for i, t in enumerate(ticks) if t == 1 or i % 2 == 0]
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])


def _rri_axis(ax: Any, labels: list[str], ylabel: str) -> None:
    log_ratio_axis(ax)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_ylabel(ylabel)


def rri_chart(headline: pl.DataFrame, *, title: str) -> Rendered:
    """RRI with its 95% interval per ethnic group, against the census and against the
    suspects, on a log scale with parity (1) marked."""
    rows = headline.to_dicts()
    with figure() as (fig, (ax,)):
        for i, (key, label) in enumerate((("rri_census", "vs Census 2021"),
                                          ("rri_suspects", "vs suspects"))):
            _errorbar(ax, [j + (i - 0.5) * 0.25 for j in range(len(rows))],
                      [r[key] for r in rows], [r[f"{key}_low"] for r in rows],
                      [r[f"{key}_high"] for r in rows], marker=MARKERS[i],
                      color=PALETTE[i], label=label)
        _rri_axis(ax, [f"{r['group']}\n(n={r['count']})" for r in rows],
                  "relative rate index (log scale)")
        ax.set_title(title)
        ax.legend()
        return render(fig)


def share_chart(headline: pl.DataFrame, *, title: str) -> Rendered:
    """Each group's share of the register, of the census population and of the suspects,
    side by side; the register and suspect shares with Wilson 95% intervals."""
    rows = headline.to_dicts()
    width = 0.27
    with figure() as (fig, (ax,)):
        xs = range(len(rows))
        series = (("register", "count", "cohort_n"), ("census", None, None),
                  ("suspects", "suspects_count", "suspects_n"))
        for i, (label, k, n) in enumerate(series):
            pos = [x + (i - 1) * width for x in xs]
            if k is None:
                shares = [r["census_share"] or 0.0 for r in rows]
                ax.bar(pos, shares, width, label="Census 2021", color=PALETTE[i],
                       hatch="//", edgecolor="white")
                continue
            bars = [wilson_error(r[k], r[n]) for r in rows]
            ax.bar(pos, [b[0] for b in bars], width, color=PALETTE[i],
                   yerr=[[b[1] for b in bars], [b[2] for b in bars]], capsize=3,
                   label=label)
        ax.set_xticks(list(xs))
        ax.set_xticklabels([r["group"] for r in rows])
        ax.set_ylabel("share of the people counted")
        ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.set_title(title)
        ax.legend()
        return render(fig)


def strata_chart(report: pl.DataFrame, area: str, breakdown: str, *, title: str
                 ) -> Rendered:
    """RRI per ethnic group within each stratum of `breakdown` (age_band, sex or
    harm_band): vs census on the left, vs suspects on the right, a series per stratum."""
    part = report.filter(pl.col("area") == area, pl.col("breakdown") == breakdown)
    strata = list(dict.fromkeys(part["stratum"].to_list()))
    if breakdown == "harm_band":
        strata = [s for s in HARM_BANDS if s in strata]
    groups = [g for g in GROUPS if g in set(part["group"].to_list())]
    with figure(2, size=(11, 4.5)) as (fig, axes):
        for ax, key, label in zip(axes, ("rri_census", "rri_suspects"),
                                  ("vs Census 2021", "vs suspects"), strict=True):
            for i, stratum in enumerate(strata):
                rows = {r["group"]: r for r in part.filter(pl.col("stratum") == stratum)
                        .iter_rows(named=True)}
                got = [rows.get(g, {}) for g in groups]
                offset = (i - (len(strata) - 1) / 2) * 0.8 / max(len(strata), 1)
                _errorbar(ax, [j + offset for j in range(len(groups))],
                          [r.get(key) for r in got], [r.get(f"{key}_low") for r in got],
                          [r.get(f"{key}_high") for r in got],
                          marker=MARKERS[i % len(MARKERS)], color=PALETTE[i % len(PALETTE)],
                          label=stratum)
            _rri_axis(ax, groups, f"RRI {label} (log scale)")
            ax.set_title(label)
        axes[1].legend(title=breakdown.replace("_", " "), fontsize=8)
        fig.suptitle(title)
        return render(fig)


def trend_chart(trend: pl.DataFrame, *, title: str) -> Rendered:
    """Over the quarter ends: each group's share of the register (left) and its RRI vs
    the census (right)."""
    with figure(2, size=(11, 4.5)) as (fig, axes):
        for i, group in enumerate(GROUPS):
            rows = trend.filter(pl.col("group") == group).sort("as_of")
            if rows.height == 0:
                continue
            style = {"marker": MARKERS[i % len(MARKERS)], "color": PALETTE[i % len(PALETTE)],
                     "label": group}
            days = rows["as_of"].to_list()
            axes[0].plot(days, [v or 0 for v in rows["cohort_share"].to_list()], **style)
            rri = [(d, v) for d, v in zip(days, rows["rri_census"].to_list(), strict=True)
                   if v]
            if rri:
                axes[1].plot([d for d, _ in rri], [v for _, v in rri], **style)
        axes[0].set_ylabel("share of the register")
        axes[0].yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        log_ratio_axis(axes[1])
        axes[1].set_ylabel("RRI vs Census 2021 (log scale)")
        days = sorted(set(trend["as_of"].to_list()))
        for ax in axes:
            ax.set_xticks(days, [d.isoformat() for d in days])
            ax.tick_params(axis="x", labelrotation=30)
        axes[0].legend(fontsize=8)
        fig.suptitle(title)
        return render(fig)
