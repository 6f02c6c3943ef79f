"""The gang conflict picture (issue 6, item 5): violence between members of different
gangs counted on a fixture whose answer is known by hand, membership by the 24-month
window of R-THRESHOLD, node harm, relations up to the date, the borough view, and the
chart and files it makes (no person in any of them)."""

from __future__ import annotations

from datetime import date

import polars as pl
from tests.unit.test_report_files import check_files

from gvm.reports.gang_chart import gang_files
from gvm.reports.gangs import gang_picture, violence_between

AS_OF, START = date(2024, 6, 30), date(2024, 1, 31)
B1, B2 = "E09000001", "E09000002"
CODES = ("8N",)  # in scope; 92A is not


def fixture():
    gangs = pl.DataFrame({"gang_id": ["G1", "G2", "G3"],
                          "name": ["North Crew", "East Set", "River Boys"],
                          "borough_code": [B1, B1, B2]})
    joined = date(2024, 1, 1)
    memberships = pl.DataFrame(
        [("PX-A", "G1", joined), ("PX-B", "G2", joined), ("PX-C", "G3", joined),
         ("PX-D", "G1", joined), ("PX-D", "G3", joined),
         ("PX-E", "G2", date(2021, 1, 1))],  # expired long before the events
        schema={"person_id": pl.String, "gang_id": pl.String, "date": pl.Date}, orient="row")
    rows = []
    for event, day, code, parts in [
        ("E1", date(2024, 3, 1), "8N", [("PX-A", "suspect"), ("PX-B", "victim")]),  # G1-G2
        ("E2", date(2024, 4, 1), "8N", [("PX-B", "suspect"), ("PX-A", "victim")]),  # G1-G2
        ("E3", date(2024, 4, 2), "92A", [("PX-A", "suspect"), ("PX-B", "victim")]),  # out
        ("E4", date(2024, 4, 3), "8N", [("PX-A", "suspect"), ("PX-E", "victim")]),  # expired
        # D is in G1 and G3: against B (G2) this is G1-G2 and G2-G3
        ("E5", date(2024, 5, 1), "8N", [("PX-D", "suspect"), ("PX-B", "victim")]),
        # A (G1) against D (G1, G3): G1-G1 is not between gangs; G1-G3 is
        ("E6", date(2024, 5, 2), "8N", [("PX-A", "suspect"), ("PX-D", "victim")]),
        ("E7", date(2024, 1, 15), "8N", [("PX-A", "suspect"), ("PX-B", "victim")]),  # early
        # two suspects of G1 against C (G3): one incident G1-G3, not two
        ("E8", date(2024, 6, 1), "8N", [("PX-A", "suspect"), ("PX-D", "suspect"),
                                        ("PX-C", "victim")]),
        ("E9", date(2024, 7, 15), "8N", [("PX-A", "suspect"), ("PX-B", "victim")]),  # late
        ("E10", date(2024, 6, 2), "8N", [("PX-A", "suspect"), ("PX-C", "witness")]),
    ]:
        rows += [(pid, event, day, code, role, "charged" if role == "suspect" else None)
                 for pid, role in parts]
    offences = pl.DataFrame(rows, orient="row", schema={
        "person_id": pl.String, "event_id": pl.String, "date": pl.Date,
        "ho_offence_code": pl.String, "role": pl.String, "outcome": pl.String})
    relations = pl.DataFrame(
        [("G2", "G1", "rivalry", date(2023, 5, 1)), ("G1", "G3", "alliance", date(2024, 2, 1)),
         ("G2", "G3", "rivalry", date(2024, 8, 1))],  # recorded after as_of
        schema={"gang_a": pl.String, "gang_b": pl.String, "relation": pl.String,
                "date": pl.Date}, orient="row")
    scores = pl.DataFrame({"person_id": ["PX-A", "PX-B", "PX-C", "PX-D", "PX-E"],
                           "harm_score": [100.0, 50.0, 10.0, 30.0, 999.0]})
    return gangs, relations, memberships, offences, scores


def test_violence_between_gangs_hand_counted():
    _, _, memberships, offences, _ = fixture()
    got = violence_between(offences, memberships, CODES, START, AS_OF)
    assert got.rows() == [("G1", "G2", 3), ("G1", "G3", 2), ("G2", "G3", 1)]


def test_force_wide_picture_nodes_and_edges():
    picture = gang_picture(*fixture(), CODES, as_of=AS_OF, start=START)
    nodes = {r["gang_id"]: (r["members"], r["harm"]) for r in picture.nodes.iter_rows(named=True)}
    assert nodes == {"G1": (2, 130.0), "G2": (1, 50.0), "G3": (2, 40.0)}  # E expired
    edges = {(r["gang_a"], r["gang_b"]): (r["incidents"], r["rivalry"], r["alliance"])
             for r in picture.edges.iter_rows(named=True)}
    assert edges == {("G1", "G2"): (3, True, False), ("G1", "G3"): (2, False, True),
                     ("G2", "G3"): (1, False, False)}  # the later rivalry is not yet known
    assert picture.totals() == {"gangs": 3, "incidents": 6, "violent_pairs": 3,
                                "rivalries": 1, "alliances": 1}


def test_borough_picture_keeps_the_other_end_of_its_edges():
    picture = gang_picture(*fixture(), CODES, as_of=AS_OF, start=START, borough=B2)
    assert {(r["gang_a"], r["gang_b"]) for r in picture.edges.iter_rows(named=True)} == {
        ("G1", "G3"), ("G2", "G3")}
    home = dict(zip(picture.nodes["gang_id"], picture.nodes["home"], strict=True))
    assert home == {"G1": False, "G2": False, "G3": True}


def test_gang_files_parse_and_hold_no_person():
    for borough in (None, B2):
        picture = gang_picture(*fixture(), CODES, as_of=AS_OF, start=START, borough=borough)
        files = gang_files(picture, stem="gangs")
        check_files(files, ["PX-", "2024-06-01", "charged"])
        edges = pl.read_csv(files["gangs_edges.csv"])
        assert edges["incidents"].sum() == (6 if borough is None else 3)
        assert "River Boys" in files["gangs.html"].decode("utf-8")
