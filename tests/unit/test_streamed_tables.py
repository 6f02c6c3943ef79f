"""The streamed import (BundleStream: duplicates and events judged from spilled ledgers
when a table ends, person ids in a compact array) against read_bundle (dicts, row by
row), on generated bundles where every table has good, odd and bad values, repeated
keys, inconsistent events, unknown references, ragged and blank lines, a BOM or a
truncated last record, and often more than the 50 problems a report stops at: the
same problems in the same order, or the same values to store."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_streamed_import import GOOD as INTEL_GOOD
from test_streamed_import import _outcome, _stored

from gvm.interchange import BundleError, BundleStream, known_ids, ledger, read_bundle
from gvm.interchange.columns import COLUMNS
from gvm.storage.bundle_store import SPECS

TODAY = date(2025, 1, 15)
PIDS = ["P1", "P2", "P3", "P4", "Ï5", "P6", "P7"]
GOOD: dict[str, dict[str, list[str]]] = {
    "people": {"person_id": PIDS, "surname": ["Khan", "Adebayo"], "forenames": ["", "Amira"],
               "date_of_birth": ["1990-01-01", "2004-11-30"], "sex": ["M", "f", "X"],
               "ethnicity": ["", "Black", "white"], "borough_code": ["E09000001", "e09000028"]},
    "gangs": {"gang_id": ["G1", "G2"], "name": ["Northside"], "borough_code": ["E09000028"]},
    "aliases": {"person_id": PIDS, "surname": ["Khan", "K", ""], "forenames": ["A"]},
    "offences": {"event_id": ["E1", "E2", "E3"], "date": ["2023-01-01", "2023-01-02"],
                 "ho_offence_code": ["8N", "105A", "8n"], "person_id": PIDS,
                 "role": ["suspect", "victim", "witness", "Victim"],
                 "outcome": ["convicted", "arrested", ""]},
    "intelligence": {**INTEL_GOOD, "person_id": PIDS, "intel_id": ["K1", "K2", "K3"]},
    "custody": {"person_id": PIDS, "start_date": ["2020-01-01", "2021-01-01"],
                "end_date": ["", "2022-01-01"]},
}
BAD: dict[str, dict[str, list[str]]] = {
    "people": {"person_id": ["", "P\x01", "Q" * 65], "surname": ["", "a\tb", "x" * 201],
               "forenames": ["y" * 201], "date_of_birth": ["2030-01-01", "1899-01-01", "x"],
               "sex": ["Q"], "ethnicity": ["Martian"], "borough_code": ["E1"]},
    "gangs": {"gang_id": ["", "G1"], "name": [""], "borough_code": ["E1"]},
    "aliases": {"person_id": ["P9", "", "P1\x00"], "surname": ["a\x01"], "forenames": ["b\n"]},
    "offences": {"event_id": ["", "E\x01", "E" * 65], "date": ["2023-13-01", "", "1800-01-01"],
                 "ho_offence_code": ["ZZZ", ""], "person_id": ["P9", "", "p1"],
                 "role": ["boss", ""], "outcome": ["meh"]},
    "intelligence": {"person_id": ["P9", "", "P\x7f"], "intel_id": ["", "I\x01"],
                     "date": ["2023-02-30", "1899-12-31"], "category": ["drill", ""],
                     "source_grade": ["4"], "summary": ["bell\x07"]},
    "custody": {"person_id": ["P9", ""], "start_date": ["", "2020-02-30", "1800-01-01"],
                "end_date": ["nope", "2019-01-01"]},
}


KEYS = {"people": "P{}", "offences": "E{}", "intelligence": "I{}"}


@st.composite
def bundles(draw: Any) -> dict[str, Any]:
    """Mostly unique keys (repeated at `repeat_rate`), values bad at `bad_rate`; a
    third of the bundles have neither, and valid ones are common enough."""
    bad_rate = draw(st.sampled_from([0.0, 0.0, 0.02, 0.1, 0.3]))
    repeat_rate = draw(st.sampled_from([0.0, 0.0, 0.1, 0.4]))
    n_people = draw(st.integers(1, len(PIDS)))
    tables: dict[str, list[list[str]]] = {}
    for table, good in GOOD.items():
        n = {"people": n_people, "gangs": 2}.get(table) or draw(st.integers(0, 12))
        rows: list[list[str]] = []
        for i in range(n):
            row = []
            for column in COLUMNS[table]:
                bad = BAD[table].get(column)
                if bad and draw(st.floats(0, 1)) < bad_rate:
                    row.append(draw(st.sampled_from(bad)))
                elif column == "person_id":
                    row.append(PIDS[i] if table == "people"
                               else draw(st.sampled_from(PIDS[:n_people])))
                else:
                    row.append(draw(st.sampled_from(good.get(column) or [""])))
            if table in ("offences", "intelligence") and row[0] in good[COLUMNS[table][0]]:
                row[0] = KEYS[table].format(i)  # a key of its own, unless bad
            if table == "gangs" and row[0] in ("G1", "G2"):
                row[0] = f"G{i + 1}"
            if table == "aliases" and row[2] == "A":
                row[2] = f"A{i}"
            if table == "custody" and row[1] in good["start_date"]:
                row[1] = f"{2000 + i}-01-01"
            if table == "offences" and row[4].lower() == "suspect" and not row[5]:
                row[5] = "charged"
            if rows and draw(st.floats(0, 1)) < repeat_rate:  # an earlier row's key
                earlier = draw(st.sampled_from(rows))
                width = {"offences": draw(st.sampled_from([1, 3])), "aliases": 3,
                         "custody": 2}.get(table, 1)
                row[:width] = earlier[:width]
                if table == "offences" and draw(st.booleans()):
                    row[3] = earlier[3]
            rows.append(row)
        if table == "intelligence":
            for row in rows:
                if row[4].lower() == "gang_membership" and not row[3]:
                    row[3] = "G1"
        tables[table] = rows
    ragged = draw(st.booleans()) and bad_rate > 0
    odd = st.sets(st.integers(0, 11), max_size=2 if ragged else 0)
    return {"rates": (bad_rate, repeat_rate), "tables": tables,
            "extras": {t: draw(odd) for t in GOOD},
            "blank": {t: draw(st.sets(st.integers(0, 11), max_size=2)) for t in GOOD},
            "bom": draw(st.sampled_from(sorted(GOOD))),
            "truncated": draw(st.sampled_from([None] * 18 + sorted(GOOD)))}


def write(folder: Path, spec: dict[str, Any]) -> None:
    import csv

    for table, rows in spec["tables"].items():
        encoding = "utf-8-sig" if spec["bom"] == table else "utf-8"
        with (folder / f"{table}.csv").open("w", encoding=encoding, newline="") as f:
            out = csv.writer(f)
            out.writerow(COLUMNS[table])
            for i, r in enumerate(rows):
                if i in spec["blank"][table]:
                    f.write("\r\n")
                out.writerow([*r, "extra"] if i in spec["extras"][table] else r)
            if spec["truncated"] == table:
                f.write('P1,"unterminated')


@contextmanager
def tiny_spills():
    """Ledgers in many buckets and flushed every few keys, ids packed every few: the
    paths a national bundle takes, on a bundle of a few rows."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger, "BUCKET_BYTES", 48)
        mp.setattr(ledger, "_FLUSH", 3)
        mp.setattr(known_ids, "_RUN", 2)
        yield


def whole(folder: Path) -> Any:
    bundle = read_bundle(folder, today=TODAY)
    return _stored((t, getattr(bundle, t)) for t in SPECS if getattr(bundle, t))


def streamed(folder: Path, part: int, columnar: bool) -> Any:
    return _stored(BundleStream(folder, today=TODAY, chunk_records=part, columnar=columnar))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=bundles(), part=st.integers(1, 6), columnar=st.booleans(), tiny=st.booleans())
def test_streamed_and_whole_reads_agree_on_every_table(spec: dict[str, Any], part: int,
                                                       columnar: bool, tiny: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder, spec)
        expected = _outcome(lambda: whole(folder))
        if tiny:
            with tiny_spills():
                got = _outcome(lambda: streamed(folder, part, columnar))
        else:
            got = _outcome(lambda: streamed(folder, part, columnar))
        assert got == expected


def _errors(folder: Path, part: int = 50_000) -> list[str]:
    with pytest.raises(BundleError) as whole_error:
        read_bundle(folder, today=TODAY)
    with pytest.raises(BundleError) as streamed_error:
        list(BundleStream(folder, today=TODAY, chunk_records=part))
    assert str(streamed_error.value) == str(whole_error.value)
    return str(streamed_error.value).splitlines()


def _people(n: int) -> list[list[str]]:
    return [[f"P{i}", "Khan", "", "1990-01-01", "M", "", "E09000001"] for i in range(n)]


def test_repeats_are_merged_at_their_rows_and_capped(tmp_path: Path) -> None:
    """Duplicates judged at the table's end come at their rows among the problems found
    as the rows were read (a duplicate intel_id first in its row, a repeated custody
    period last), and the 50-problem cap counts them."""
    intel = [[f"K{i % 3}", "2023-05-01", "P1", "", "at_risk", "S1", "police", "1", "A", "P",
              ""] for i in range(6)]
    intel[4][7] = "9"  # row 6: its duplicate intel_id, then its source_grade
    custody = [["P1", "2020-01-01", "nope"], ["P1", "2020-01-01", ""]]
    spec = {"tables": {"people": _people(3), "intelligence": intel, "custody": custody},
            "extras": {}, "blank": {}, "bom": None, "truncated": None}
    spec["extras"] = spec["blank"] = {t: set() for t in spec["tables"]}
    write(tmp_path, spec)
    assert _errors(tmp_path, part=2) == [
        "intelligence.csv row 5, column intel_id: duplicate intel_id (already used at row 2)",
        "intelligence.csv row 6, column intel_id: duplicate intel_id (already used at row 3)",
        "intelligence.csv row 6, column source_grade: expected a source grade 1, 2 or 3",
        "intelligence.csv row 7, column intel_id: duplicate intel_id (already used at row 4)",
        "custody.csv row 2, column end_date: expected a date as YYYY-MM-DD, or blank while "
        "in custody",
        "custody.csv row 3, column start_date: duplicate custody period (the same person_id "
        "and start_date as row 2)"]
    people = _people(30) + _people(30)  # 30 duplicates, then 30 problems of offences
    offences = [[f"E{i}", "2023-01-01", "ZZZ", "P1", "victim", ""] for i in range(30)]
    spec = {"tables": {"people": people, "offences": offences},
            "extras": {"people": set(), "offences": set()},
            "blank": {"people": set(), "offences": set()}, "bom": None, "truncated": None}
    write(tmp_path, spec)
    lines = _errors(tmp_path, part=7)
    assert len(lines) == 51 and lines[-1] == "(stopped after 50 problems; there may be more)"
    assert lines[29] == ("people.csv row 61, column person_id: duplicate person_id (already "
                         "used at row 31)")
    assert lines[49].startswith("offences.csv row 21, column ho_offence_code")
    # 10 problems of offences, then more repeats of one intel_id than the cap leaves room for
    intel = [["K1", "2023-05-01", "P1", "", "at_risk", "S1", "police", "1", "A", "P", ""]
             ] * 70
    spec["tables"] = {"people": _people(3), "offences": offences[:10], "intelligence": intel}
    spec["extras"] = spec["blank"] = {t: set() for t in spec["tables"]}
    write(tmp_path, spec)
    with tiny_spills():
        lines = _errors(tmp_path, part=4)
    assert len(lines) == 51 and lines[49] == ("intelligence.csv row 42, column intel_id: "
                                              "duplicate intel_id (already used at row 2)")


def test_an_event_is_judged_from_its_first_valid_row(tmp_path: Path) -> None:
    offences = [["E1", "2023-01-01", "8N", "P9", "victim", ""],  # unknown person: not its first
                ["E1", "2023-01-02", "8N", "P1", "victim", ""],
                ["E1", "2023-01-01", "105A", "P2", "victim", ""],
                ["E1", "2023-01-02", "8N", "P1", "witness", ""]]
    spec = {"tables": {"people": _people(3), "offences": offences},
            "extras": {"people": set(), "offences": set()},
            "blank": {"people": set(), "offences": set()}, "bom": None, "truncated": None}
    write(tmp_path, spec)
    with tiny_spills():
        assert _errors(tmp_path, part=1) == [
            "offences.csv row 2, column person_id: unknown person_id (expected a person_id "
            "from people.csv)",
            "offences.csv row 4, column date: every row of an event must have the same date "
            "(this event_id was first used at row 3)",
            "offences.csv row 4, column ho_offence_code: every row of an event must have the "
            "same ho_offence_code (this event_id was first used at row 3)",
            "offences.csv row 5, column person_id: this person already has a row for this "
            "event (event_id and person_id together must be unique; event first at row 3)"]


def test_person_ids_are_looked_up_exactly(tmp_path: Path) -> None:
    """The compact id array: no prefix, padding or longer id is taken for a known one."""
    ids = known_ids.KnownIds(tmp_path / "order.txt")
    for pid in ["P1", "P10", "Ï5", "P2"]:
        ids[pid] = pid
    ids.extend(["Q\u2028R"])  # a line separator, yet no control character
    ids.finish()
    assert ids.resolve(["P1", "P", "P100", "P1\x00", "P1 ", "Ï5", "I5", "P2", "P3", "",
                        "Q\u2028R", "Q"]) == {"P1": "P1", "Ï5": "Ï5", "P2": "P2",
                                             "Q\u2028R": "Q\u2028R"}
    assert ids.in_file_order() == "P1\nP10\nÏ5\nP2\nQ\u2028R\n"
    people = [["P1", "Khan", "", "1990-01-01", "M", "", "E09000001"],
              ["Q\u2028R", "Khan", "", "1990-01-01", "M", "", "E09000001"]]
    spec = {"tables": {"people": people}, "extras": {"people": set()},
            "blank": {"people": set()}, "bom": None, "truncated": None}
    write(tmp_path, spec)
    for process in (False, True):
        stream = BundleStream(tmp_path, today=TODAY, process=process)
        list(stream)
        assert stream.person_ids == ("P1", "Q\u2028R")
        assert list(stream.person_id_parts(1)) == [("P1",), ("Q\u2028R",)]
        assert list(stream.person_id_parts(2)) == [("P1", "Q\u2028R")]
        assert list(stream.person_id_parts(3)) == [("P1", "Q\u2028R")]



@given(ids=st.lists(st.text(st.characters(blacklist_characters="\n"), min_size=1, max_size=4),
                    max_size=30),
       size=st.integers(1, 8))
def test_person_id_parts_hold_every_id_in_order_and_at_most_size(ids: list[str],
                                                                 size: int) -> None:
    stream = BundleStream.__new__(BundleStream)
    stream._person_ids = "".join(f"{i}\n" for i in ids)
    parts = list(stream.person_id_parts(size))
    assert [i for part in parts for i in part] == ids
    assert [len(p) for p in parts[:-1]] == [size] * (len(parts) - 1)
    assert all(0 < len(p) <= size for p in parts)

def _children() -> list[str]:
    return [pid for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=bundles(), part=st.integers(1, 6))
def test_a_reading_process_gives_what_reading_in_process_does(spec: dict[str, Any],
                                                              part: int) -> None:
    """Read in a process of its own, every chunk comes as columns of stored values:
    the same values, or the same BundleError, and the process is gone afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder, spec)
        expected = _outcome(lambda: whole(folder))
        stream = BundleStream(folder, today=TODAY, chunk_records=part, process=True)
        assert _outcome(lambda: _stored(stream)) == expected
        if expected[0] == "ok":
            in_process = BundleStream(folder, today=TODAY, process=False)
            list(in_process)
            assert (stream.counts(), stream.person_ids) == (in_process.counts(),
                                                            in_process.person_ids)
    assert not _children()


def test_a_reading_process_stops_when_the_importer_does(tmp_path: Path) -> None:
    people = _people(40)
    spec = {"tables": {"people": people}, "extras": {"people": set()},
            "blank": {"people": set()}, "bom": None, "truncated": None}
    write(tmp_path, spec)
    chunks = iter(BundleStream(tmp_path, today=TODAY, chunk_records=5, process=True))
    table, chunk = next(chunks)
    assert (table, len(chunk), chunk.columns[0][:2]) == ("people", 5, ["P0", "P1"])
    assert _children()
    chunks.close()  # type: ignore[attr-defined]
    assert not _children()


def test_clean_parts_of_people_and_offences_go_as_columns(tmp_path: Path) -> None:
    people = _people(6)
    people[5][4] = "m"  # to be stored as M: the row-by-row validator's part
    offences = [[f"E{i // 2}", "2023-01-01", "8N", f"P{i % 2}", "suspect", "charged"]
                for i in range(6)]
    offences[1][5] = ""  # a suspect's row without an outcome: its part is judged by rows
    spec = {"tables": {"people": people, "offences": offences},
            "extras": {"people": set(), "offences": set()},
            "blank": {"people": set(), "offences": set()}, "bom": None, "truncated": None}
    write(tmp_path, spec)
    kinds = []
    with pytest.raises(BundleError):
        for t, c in BundleStream(tmp_path, today=TODAY, chunk_records=4):
            kinds.append((t, type(c).__name__, len(c)))
    assert kinds == [("people", "ColumnChunk", 4), ("people", "list", 2)]
    assert _errors(tmp_path, part=4) == [
        "offences.csv row 3, column outcome: a suspect's row needs an outcome: arrested, "
        "charged, convicted, no_further_action or acquitted"]
    offences[1][5] = "convicted"
    write(tmp_path, spec)
    kinds = [(t, type(c).__name__, len(c))
             for t, c in BundleStream(tmp_path, today=TODAY, chunk_records=4)
             if t in ("people", "offences")]
    assert kinds == [("people", "ColumnChunk", 4), ("people", "list", 2),
                     ("offences", "ColumnChunk", 4), ("offences", "ColumnChunk", 2)]
    assert _stored(BundleStream(tmp_path, today=TODAY, chunk_records=4)) == whole(tmp_path)


def test_spill_folders_are_removed_after_the_read_and_when_their_process_died(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """R-RETENTION: the keys and rows an import spills to disk do not outlive it; a
    folder left by a process killed outright is removed by the next import, one whose
    process still runs is left alone."""
    import subprocess
    import sys

    from gvm.interchange import spill

    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = root / f"{spill.PREFIX}{dead}-abc"
    (stale / "bucket").mkdir(parents=True)
    (stale / "bucket" / "keys.arrow").write_text("P1,Adebayo")
    alive = root / f"{spill.PREFIX}{os.getppid()}-def"
    alive.mkdir()
    bundle = tmp_path / "b"
    bundle.mkdir()
    write(bundle, {"tables": {"people": _people(3)}, "extras": {"people": set()},
                   "blank": {"people": set()}, "bom": None, "truncated": None})
    assert list(BundleStream(bundle, today=date(2025, 1, 1)))
    assert not stale.exists() and alive.exists()
    assert sorted(p.name for p in root.iterdir()) == [alive.name]  # this read's is gone
