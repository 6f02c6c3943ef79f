"""The oversight reports' files (R-EQUALITY, SPEC 5 what-if and backtest): every CSV,
PNG, SVG and HTML file parses, the page shows every chart it writes and links nothing
missing, the figures in the files are the hand-computed ones, and no file holds a
person's id, name or date of birth."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import numpy as np
import polars as pl
import pytest
from matplotlib import image
from tests.unit.test_backtest import _outcomes
from tests.unit.test_equality import AS_OF, small_case
from tests.unit.test_whatif import CURRENT, PROPOSED, _scores, frames  # noqa: F401

from gvm import reference
from gvm.reports.backtest import auc, backtest, roc_points
from gvm.reports.equality import census_frame, equality_report, equality_trend
from gvm.reports.equality_page import equality_files
from gvm.reports.model_charts import backtest_files, whatif_files
from gvm.reports.pages import Section, page
from gvm.reports.whatif import what_if

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, data):
        self.text.append(data)


def check_files(files: dict[str, bytes], forbidden: list[str]) -> _Links:
    """Every file parses by its kind; the page links only files that exist; none of the
    `forbidden` strings (personal data) appears in any file. Returns the page's links."""
    pages = [name for name in files if name.endswith(".html")]
    assert len(pages) == 1
    for name, content in files.items():
        if name.endswith(".png"):
            assert content.startswith(PNG_MAGIC), name
            pixels = image.imread(io.BytesIO(content), format="png")
            assert pixels.shape[0] > 100 and pixels.shape[1] > 100, name
        elif name.endswith(".svg"):
            assert ET.fromstring(content).tag.endswith("svg"), name
        elif name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
            assert len(rows) >= 2, name
        text = content.decode("utf-8", errors="replace")
        for value in forbidden:
            assert value not in text, (name, value)
    parser = _Links()
    parser.feed(files[pages[0]].decode("utf-8"))
    assert parser.links and set(parser.links) <= set(files)
    charts = {n.removesuffix(".svg") for n in files if n.endswith(".svg")}
    assert charts == {n.removesuffix(".png") for n in files if n.endswith(".png")}
    assert {f"{c}.svg" for c in charts} <= set(parser.links)
    return parser


def _csv(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


def test_equality_files_parse_and_carry_the_hand_computed_figures():
    cohort, suspects, c = small_case()
    cohort, suspects = (f.with_columns(pl.concat_str(pl.lit("PERSON-"), "person_id")
                                       .alias("person_id")) for f in (cohort, suspects))
    report = equality_report(cohort, suspects, c, AS_OF)
    trend = equality_trend({AS_OF: (cohort, suspects), date(2024, 3, 31):
                            (cohort.head(2), suspects)}, c)
    files = equality_files(report, trend, as_of=AS_OF, area="London", cohort="eligible",
                           stem="eq")
    check_files(files, ["PERSON-", "2000-01-01", "2010-01-01"])
    assert {f"eq_{c}.svg" for c in ("shares", "rri", "age_band", "sex", "harm_band",
                                    "trend")} <= set(files)
    black = [r for r in _csv(files, "eq.csv") if r["area"] == "London"
             and r["breakdown"] == "all" and r["group"] == "Black"]
    # 3 of 4 stated in the cohort against a population-weighted census share of 20%
    assert float(black[0]["rri_census"]) == pytest.approx((3 / 4) / 0.2)
    by_band = {r["group"]: r for r in _csv(files, "eq_by_band.csv")}
    assert float(by_band["Black"]["Red"]) == pytest.approx((1 / 1) / 0.2)
    trend_rows = _csv(files, "eq_trend.csv")
    assert {r["as_of"] for r in trend_rows} == {"2024-03-31", "2024-06-30"}
    html = files["eq.html"].decode("utf-8")
    assert "3.75 (" in html and "n&lt;5" in html  # the headline table, escaped


def test_page_escapes_what_it_shows():
    html = page("<script>alert(1)</script>", "meta & more",
                [Section("<b>x</b>", text=["a < b"])]).decode("utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "a &lt; b" in html


def test_roc_points_hand_computed():
    # known people of the backtest fixture: harm 800 T, 300 T, 260 F, 20 T, 10 F, 0 F, 0 T
    fpr, tpr = roc_points([800, 300, 260, 20, 10, 0, 0],
                          [True, True, False, True, False, False, True])
    assert fpr.tolist() == pytest.approx([0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1])
    assert tpr.tolist() == pytest.approx([0, .25, .5, .5, .75, .75, 1])
    # the trapezoids under the points (ties a diagonal step) are the Mann-Whitney AUC
    area = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    assert area == pytest.approx(auc([800, 300, 260, 20, 10, 0, 0],
                                     [True, True, False, True, False, False, True]))


def test_backtest_files():
    outcomes = _outcomes()
    result = backtest(outcomes, AS_OF, 12)
    files = backtest_files(result, stem="bt")
    check_files(files, ["2000-01-01"])  # the ids are single letters: too short to scan
    roc = pl.read_csv(io.BytesIO(files["bt_roc.csv"]))
    harm = roc.filter(pl.col("score") == "harm")
    assert harm["tpr"].to_list() == pytest.approx([0, .25, .5, .5, .75, .75, 1])
    assert {f"bt_{c}.png" for c in ("roc", "calibration", "group_auc")} <= set(files)


def test_whatif_files_hold_no_list_of_people(frames):  # noqa: F811
    cur, new = _scores(frames, CURRENT), _scores(frames, PROPOSED)
    ids = [f"PERSON-{i:03d}" for i in range(1, 8)]
    rename = dict(zip([f"P{i}" for i in range(1, 8)], ids, strict=True))
    cur, new = (s.with_columns(pl.col("person_id").replace(rename)) for s in (cur, new))
    demo = pl.DataFrame({"person_id": ids, "borough_code": ["E09000001"] * 7,
                         "ethnicity": ["Black", "White"] * 3 + ["Asian"], "sex": ["M"] * 7,
                         "date_of_birth": [date(2000, 1, 1)] * 7})

    def cohort(scores):
        return demo.join(scores.filter("eligible").select("person_id", "harm_band"),
                         on="person_id")
    result = what_if(cur, new, scope=cohort(cur).select("person_id"),
                     cohorts=(cohort(cur), cohort(new)), suspects=(demo, demo),
                     census=census_frame(reference.census_rows()), as_of=AS_OF)
    files = whatif_files(result, stem="wi", current="2026.1", proposed="amber400",
                         as_of=AS_OF)
    check_files(files, ["PERSON-", "2000-01-01"])
    moved = {(r["current"], r["proposed"]): int(r["count"])
             for r in _csv(files, "wi_transitions.csv") if r["score"] == "harm"}
    assert moved[("Amber", "Green")] == 2
