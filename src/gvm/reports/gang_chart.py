"""The gang conflict picture as a network chart, with its CSVs and page.

Layout without a graph library: force-wide, the boroughs sit on a large circle (in GSS
code order, so the same borough is always in the same place) and each borough's gangs on
a small circle around its point; for one borough, its gangs on a circle and the gangs of
other boroughs they touch on an outer ring. Node area follows harm, edge width follows
incidents; rivalries are dashed, alliances dotted, so the kinds differ without colour.
"""

from __future__ import annotations

import math

import polars as pl

from gvm.reports.charts import PALETTE, Rendered, figure, render
from gvm.reports.gangs import GangPicture
from gvm.reports.pages import Files, HtmlTable, Section, add_chart, add_csv, page

LABELS_FORCE_WIDE = 15  # name only the gangs with the most harm when showing London


def _ring(ids: list[str], cx: float, cy: float, r: float) -> dict[str, tuple[float, float]]:
    n = max(len(ids), 1)
    return {g: (cx + r * math.cos(2 * math.pi * i / n), cy + r * math.sin(2 * math.pi * i / n))
            for i, g in enumerate(ids)}


def layout(picture: GangPicture) -> dict[str, tuple[float, float]]:
    nodes = picture.nodes.sort("gang_id")
    if picture.borough is None:
        boroughs = sorted(set(nodes["borough_code"].to_list()))
        centres = _ring(boroughs, 0, 0, 10)
        pos: dict[str, tuple[float, float]] = {}
        for code in boroughs:
            ids = nodes.filter(pl.col("borough_code") == code)["gang_id"].to_list()
            pos |= _ring(ids, *centres[code], 0.35 + 0.12 * len(ids))
        return pos
    home = nodes.filter(pl.col("home"))["gang_id"].to_list()
    away = nodes.filter(~pl.col("home"))["gang_id"].to_list()
    return _ring(home, 0, 0, 4) | _ring(away, 0, 0, 8)


def network_chart(picture: GangPicture, *, title: str) -> Rendered:
    pos = layout(picture)
    nodes, edges = picture.nodes, picture.edges
    top_harm = max([h for h in nodes["harm"].to_list() if h] or [1.0])
    top_incidents = max(edges["incidents"].max() or 1, 1) if edges.height else 1
    with figure(size=(10, 10)) as (fig, (ax,)):
        for r in edges.iter_rows(named=True):
            if r["gang_a"] not in pos or r["gang_b"] not in pos:
                continue
            (x0, y0), (x1, y1) = pos[r["gang_a"]], pos[r["gang_b"]]
            if r["incidents"]:  # one incident a thin line, the most a thick one
                ax.plot([x0, x1], [y0, y1], color=PALETTE[6], alpha=0.6, zorder=1,
                        linewidth=1 + 5 * (r["incidents"] - 1) / max(top_incidents - 1, 1))
                if picture.borough is not None:
                    ax.annotate(str(r["incidents"]), ((x0 + x1) / 2, (y0 + y1) / 2),
                                fontsize=7, ha="center", zorder=4,
                                bbox={"boxstyle": "round", "fc": "white", "ec": "none"})
            if r["rivalry"]:
                ax.plot([x0, x1], [y0, y1], color=PALETTE[5], linestyle="--", linewidth=1.2,
                        zorder=2)
            if r["alliance"]:
                ax.plot([x0, x1], [y0, y1], color=PALETTE[0], linestyle=":", linewidth=1.6,
                        zorder=2)
        rows = nodes.to_dicts()
        xs = [pos[r["gang_id"]][0] for r in rows]
        ys = [pos[r["gang_id"]][1] for r in rows]
        sizes = [30 + 600 * (r["harm"] or 0) / top_harm for r in rows]
        colours = [PALETTE[1] if r["home"] else PALETTE[4] for r in rows]
        ax.scatter(xs, ys, s=sizes, c=colours, edgecolors="black", linewidths=0.5, zorder=3)
        named = rows if picture.borough is not None else sorted(
            rows, key=lambda r: -(r["harm"] or 0))[:LABELS_FORCE_WIDE]
        for r in named:
            x, y = pos[r["gang_id"]]
            ax.annotate(r["name"], (x, y), xytext=(4, 4), textcoords="offset points",
                        fontsize=7, zorder=4)
        ax.plot([], [], color=PALETTE[6], linewidth=3, label="violence between members")
        ax.plot([], [], color=PALETTE[5], linestyle="--", label="recorded rivalry")
        ax.plot([], [], color=PALETTE[0], linestyle=":", label="recorded alliance")
        if picture.borough is not None:
            ax.scatter([], [], c=PALETTE[1], edgecolors="black", label="gang of the borough")
            ax.scatter([], [], c=PALETTE[4], edgecolors="black",
                       label="gang of another borough")
        ax.set_aspect("equal")
        ax.axis("off")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8,
                  frameon=False)
        ax.set_title(title)
        return render(fig)


def _pair_table(picture: GangPicture, limit: int = 15) -> HtmlTable:
    top = picture.edges.filter(pl.col("incidents") > 0).sort(
        "incidents", "gang_a", descending=[True, False]).head(limit)
    rows = [(f"{r['name_a']} - {r['name_b']}", str(r["incidents"]),
             "yes" if r["rivalry"] else "", "yes" if r["alliance"] else "")
            for r in top.iter_rows(named=True)]
    return HtmlTable(f"The {limit} pairs of gangs with the most incidents",
                     ("gangs", "incidents", "rivalry", "alliance"), rows)


def gang_files(picture: GangPicture, *, stem: str, area_name: str | None = None) -> Files:
    """The chart, the CSVs of edges and nodes, and the page; `area_name` names the
    borough shown (default its code)."""
    area = area_name or picture.borough or "London"
    period = f"{picture.start.isoformat()} to {picture.as_of.isoformat()}"
    t = picture.totals()
    files: Files = {}
    section = Section("Gang conflict picture", text=[
        f"{t['gangs']} gangs; {t['incidents']} incidents of in-scope violence between "
        f"members of different gangs across {t['violent_pairs']} pairs of gangs; "
        f"{t['rivalries']} recorded rivalries and {t['alliances']} alliances."])
    add_chart(files, section, stem, network_chart(
        picture, title=f"Gang conflict, {area}, {period}"),
        f"Network of gangs in {area}: node size by the harm of their members, edge width by "
        "incidents of violence between members, dashed recorded rivalries, dotted alliances")
    section.tables.append(_pair_table(picture))
    add_csv(files, section, f"{stem}_edges.csv", picture.edges)
    add_csv(files, section, f"{stem}_nodes.csv", picture.nodes)
    files[f"{stem}.html"] = page(f"Gang conflict picture: {area}", f"Violence {period}.",
                                 [section])
    return files
