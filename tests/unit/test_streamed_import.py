"""The streamed import (BundleStream) against read_bundle, on generated bundles: the
same problems in the same order, or the same values to store, whichever way each part of
intelligence.csv goes (column-wise check or row by row) and whatever the part size."""

from __future__ import annotations

import csv
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvm.interchange import BundleError, BundleStream, read_bundle
from gvm.interchange.columns import COLUMNS
from gvm.storage.bundle_store import SPECS

TODAY = date(2025, 1, 15)
NOW = datetime(2025, 1, 15, 12, tzinfo=UTC)

PEOPLE = [("P1", "Adebayo", "Tunde", "1998-04-02", "M", "Black", "E09000028"),
          ("P2", "Khan", "Amira", "2004-11-30", "F", "", "E09000001"),
          ("P3", "Quix", "Zeb", "1999-07-13", "X", "White", "E09000022")]
GANGS = [("G1", "Northside", "E09000028"), ("G2", "Estate", "E09000022")]

# Per intelligence column: values the row-by-row rules accept (canonical or not), and
# values they refuse; the generated rows mix them.
GOOD = {
    "intel_id": ["K1", " K2 ", "Ï3"],
    "date": ["2023-05-01", "2020-02-29", "1900-01-01", " 2024-12-31"],
    "person_id": ["P1", "P2", "P3"],
    "gang_id": ["", "G1", "G2"],
    "category": ["gang_membership", "weapon_access", "violence_involvement", "at_risk",
                 "Weapon_Access", "AT_RISK"],
    "source_id": ["S1", "S2", "S3"],
    "source_type": ["police", "partner_agency", "community", "social_media", "Police"],
    "source_grade": ["1", "2", "3"],
    "intel_grade": ["A", "B", "C", "D", "E", "b"],
    "handling_code": ["P", "C", "c"],
    "summary": ["", "seen with the group", "line\nbreak", "tab\there", 'a "quote", comma',
                "x" * 2000],
}
BAD = {
    "intel_id": ["", "I\x01", "I" * 65, "I1"],
    "date": ["", "2023-02-30", "20230501", "1899-12-31", "01/05/2023", "２０２３-05-01"],
    "person_id": ["", "P9", "p1", "P\x7f"],
    "gang_id": ["G9", "g1", "G\x00"],
    "category": ["", "music", "drill", "gang"],
    "source_id": ["", "S\t1", "S" * 65],
    "source_type": ["", "press"],
    "source_grade": ["", "4", "01"],
    "intel_grade": ["", "F", "AA"],
    "handling_code": ["", "X"],
    "summary": ["bell\x07", "y" * 2001],
}
COLS = COLUMNS["intelligence"]


@st.composite
def intelligence_rows(draw: Any) -> list[list[str]]:
    n = draw(st.integers(1, 14))
    rows = []
    for i in range(n):
        row = [draw(st.sampled_from(GOOD[c])) for c in COLS]
        row[0] = f"I{i}" if draw(st.integers(0, 5)) else row[0]
        # SPEC 4: a gang_id on gang_membership rows, blank on the others.
        if row[4].lower() == "gang_membership":
            row[3] = row[3] or "G1"
        else:
            row[3] = ""
        rows.append(row)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        r, c = draw(st.integers(0, n - 1)), draw(st.integers(0, len(COLS) - 1))
        if COLS[c] == "gang_id" and draw(st.booleans()):
            if draw(st.booleans()):
                rows[r][3], rows[r][4] = "", "gang_membership"
            else:
                rows[r][3], rows[r][4] = "G1", "weapon_access"
        else:
            rows[r][c] = draw(st.sampled_from(BAD[COLS[c]]))
    return rows


def _write(folder: Path, rows: list[list[str]], extras: set[int], blank: set[int],
           bom: bool) -> None:
    def table(name: str, data: list[Any], encoding: str = "utf-8") -> None:
        with (folder / f"{name}.csv").open("w", encoding=encoding, newline="") as f:
            out = csv.writer(f)
            out.writerow(COLUMNS[name])
            for i, r in enumerate(data):
                if i in blank:
                    f.write("\r\n")
                out.writerow([*r, "extra"] if i in extras else r)

    table("people", PEOPLE)
    table("gangs", GANGS)
    table("intelligence", rows, "utf-8-sig" if bom else "utf-8")
    table("offences", [("E1", "2023-03-01", "8N", "P1", "suspect", "convicted")])
    table("custody", [])


def _stored(chunks: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows as they would be stored (dates as ISO text, as a ColumnChunk
    holds them), in file order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table, records in chunks:
        columns = SPECS[table].values(records, NOW)
        rows = [tuple(v.isoformat() if isinstance(v, date) and not isinstance(v, datetime)
                      else v for v in row) for row in zip(*columns, strict=True)]
        out.setdefault(table, []).extend(rows)
    return out


def _outcome(read: Any) -> tuple[str, Any]:
    try:
        return "ok", read()
    except BundleError as e:
        return "error", str(e)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=intelligence_rows(), part=st.integers(1, 5),
       extras=st.sets(st.integers(0, 13), max_size=2), blank=st.sets(st.integers(0, 13),
                                                                    max_size=2),
       bom=st.booleans())
def test_streamed_and_whole_reads_agree(rows: list[list[str]], part: int, extras: set[int],
                                        blank: set[int], bom: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, rows, extras, blank, bom)

        def whole() -> Any:
            bundle = read_bundle(folder, today=TODAY)
            return _stored((t, getattr(bundle, t)) for t in SPECS if getattr(bundle, t))

        def streamed(columnar: bool) -> Any:
            return _stored(BundleStream(folder, today=TODAY, chunk_records=part,
                                        columnar=columnar))

        expected = _outcome(whole)
        assert _outcome(lambda: streamed(True)) == expected
        assert _outcome(lambda: streamed(False)) == expected


def test_a_clean_part_is_checked_column_wise(tmp_path: Path) -> None:
    rows = [[f"I{i}", "2023-05-01", "P1", "G1", "gang_membership", "S1", "police", "1", "A",
             "P", "seen"] for i in range(6)]
    _write(tmp_path, rows, set(), set(), False)
    chunks = list(BundleStream(tmp_path, today=TODAY, chunk_records=4))
    kinds = [(t, type(c).__name__, len(c)) for t, c in chunks if t == "intelligence"]
    assert kinds == [("intelligence", "ColumnChunk", 4), ("intelligence", "ColumnChunk", 2)]


def test_a_duplicate_across_parts_is_named_with_its_first_row(tmp_path: Path) -> None:
    rows = [[f"I{i % 5}", "2023-05-01", "P1", "", "at_risk", "S1", "police", "1", "A", "P",
             ""] for i in range(7)]
    _write(tmp_path, rows, set(), set(), False)
    stream = BundleStream(tmp_path, today=TODAY, chunk_records=5)
    try:
        list(stream)
    except BundleError as e:
        assert str(e).splitlines() == [
            "intelligence.csv row 7, column intel_id: duplicate intel_id (already used at row 2)",
            "intelligence.csv row 8, column intel_id: duplicate intel_id (already used at row 3)"]
    else:
        raise AssertionError("the duplicate was not found")


def test_counts_and_person_ids_after_a_complete_read(tmp_path: Path) -> None:
    rows = [["I1", "2023-05-01", "P2", "", "at_risk", "S1", "police", "1", "A", "P", ""]]
    _write(tmp_path, rows, set(), set(), False)
    stream = BundleStream(tmp_path, today=TODAY)
    list(stream)
    assert stream.counts() == read_bundle(tmp_path, today=TODAY).counts()
    assert stream.person_ids == ("P1", "P2", "P3")
