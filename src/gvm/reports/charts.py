"""Charts of the equality report (matplotlib, Agg backend: no display needed). Optional:
`available()` is False when matplotlib is not installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def rri_chart(headline: pl.DataFrame, out_stem: Path, *, title: str) -> list[Path]:
    """RRI with its 95% interval per ethnic group, against the census and against the
    suspects, on a log scale with parity (1) marked. Writes <stem>.png and <stem>.svg."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rows = headline.to_dicts()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for offset, (key, label, marker) in enumerate((("rri_census", "vs Census 2021", "o"),
                                                   ("rri_suspects", "vs suspects", "s"))):
        xs, ys, lows, highs = [], [], [], []
        for i, r in enumerate(rows):
            if r[key] is None or r[key] <= 0:
                continue
            lo, hi = r[f"{key}_low"], r[f"{key}_high"]
            xs.append(i + (offset - 0.5) * 0.25)
            ys.append(r[key])
            lows.append(r[key] - lo if lo is not None else 0)
            highs.append(hi - r[key] if hi is not None else 0)
        ax.errorbar(xs, ys, yerr=[lows, highs], fmt=marker, capsize=4, label=label)
    ax.axhline(1.0, color="grey", linewidth=1, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([f"{r['group']}\n(n={r['count']})" for r in rows])
    ax.set_ylabel("relative rate index (log scale)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    written = []
    for suffix in (".png", ".svg"):
        path = out_stem.with_suffix(suffix)
        fig.savefig(path, dpi=120)
        written.append(path)
    plt.close(fig)
    return written
