"""SPEC section 4 (the interchange format) read literally: which files a bundle must
hold, and each column's allowed values, in a CSV folder and in an .xlsx workbook, row
by row and through the streamed (column-wise) reader. Each rejection must name file,
row and column. Each test names the requirement or SPEC section it checks.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from gvm.domain.model import IntelCategory, Outcome, Role
from gvm.interchange import BundleError, BundleStream, read_bundle
from gvm.interchange.columns import COLUMNS

TODAY = date(2025, 1, 15)
REQUIRED = ("people", "gangs", "offences", "intelligence", "custody")


def tables() -> dict[str, list[list[str]]]:
    """A small valid bundle, every SPEC 4 file present; row i is file row i + 2."""
    return {
        "people": [["P1", "Adebayo", "Tunde", "1998-04-02", "M", "Black", "E09000028"],
                   ["P2", "Khan", "Amira", "2004-11-30", "F", "", "E09000001"]],
        "gangs": [["G1", "Northside", "E09000028"]],
        "offences": [["E1", "2023-03-01", "8N", "P1", "suspect", "convicted"],
                     ["E1", "2023-03-01", "8N", "P2", "victim", ""],
                     ["E2", "2023-04-01", "34B", "P2", "witness", ""]],
        "intelligence": [
            ["I1", "2023-05-01", "P1", "G1", "gang_membership", "S1", "police", "1", "A", "P",
             "seen with the group"],
            ["I2", "2023-05-02", "P1", "", "weapon_access", "S2", "community", "2", "B", "C",
             ""]],
        "custody": [["P1", "2023-08-01", ""]],
        "aliases": [["P1", "Adebayo", "T"]],
    }


def write_folder(folder: Path, data: dict[str, list[list[str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in data.items():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS[table])
        writer.writerows(rows)
        (folder / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder


def write_book(path: Path, data: dict[str, list[list[str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, rows in data.items():
        sheet = book.create_sheet(table)
        sheet.append(list(COLUMNS[table]))
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def problems(path: Path) -> list[tuple[str, int | None, str | None, str]]:
    """The problems reading `path` reports, the same whole and streamed (both ways)."""
    found = []
    for read in (lambda: read_bundle(path, today=TODAY),
                 lambda: list(BundleStream(path, today=TODAY, chunk_records=1)),
                 lambda: list(BundleStream(path, today=TODAY, columnar=False))):
        try:
            read()
        except BundleError as e:
            found.append([(p.file, p.row, p.column, p.message) for p in e.problems])
        else:
            found.append([])
    assert found[0] == found[1] == found[2], found
    return found[0]


def with_value(tmp_path: Path, table: str, row: int, column: str, value: str,
               *, xlsx: bool = False) -> list[tuple[str, int | None, str | None, str]]:
    data = tables()
    data[table][row][COLUMNS[table].index(column)] = value
    if xlsx:
        return problems(write_book(tmp_path / "b.xlsx", data))
    return problems(write_folder(tmp_path / "b", data))


def only_problem(found: list, file: str, row: int | None, column: str | None,
                 fragment: str = "") -> None:
    assert len(found) == 1, found
    assert found[0][:3] == (file, row, column), found
    assert fragment in found[0][3], found


def test_spec_4_the_reference_bundle_is_valid(tmp_path):
    """SPEC 4: the bundle the other tests spoil is itself valid, as CSV and as .xlsx."""
    assert problems(write_folder(tmp_path / "b", tables())) == []
    assert problems(write_book(tmp_path / "b.xlsx", tables())) == []
    assert read_bundle(tmp_path / "b", today=TODAY) == read_bundle(tmp_path / "b.xlsx",
                                                                   today=TODAY)


# --- Files: people.csv required; an absent file holds no rows ---------------------------

def test_spec_4_people_is_required(tmp_path):
    """SPEC 4: a bundle is its people first; without people.csv (or the people sheet)
    it is refused, naming the file."""
    data = tables()
    del data["people"]
    found = problems(write_folder(tmp_path / "b", data))
    assert ("people.csv", None, None) in [p[:3] for p in found], found
    assert ("sheet people", None, None) in [
        p[:3] for p in problems(write_book(tmp_path / "b.xlsx", data))]


@pytest.mark.parametrize("table", [t for t in REQUIRED if t != "people"] + ["aliases"])
@pytest.mark.parametrize("xlsx", [False, True])
def test_spec_4_a_file_left_out_holds_no_rows(tmp_path, table, xlsx):
    """SPEC 4 marks aliases.csv optional and is silent on the others: a bundle that
    leaves out a file with nothing in it (no one in custody, say) imports as if it
    held only its header row (references to what it would have held still fail)."""
    data = tables()
    if table == "gangs":  # membership items name gangs: a bundle without them has none
        data["intelligence"] = [r for r in data["intelligence"] if r[4] != "gang_membership"]
    del data[table]
    path = write_book(tmp_path / "b.xlsx", data) if xlsx else write_folder(tmp_path / "b", data)
    assert problems(path) == []
    assert getattr(read_bundle(path, today=TODAY), table) == ()


@pytest.mark.parametrize("xlsx", [False, True])
def test_spec_4_aliases_are_optional_and_files_may_be_empty_but_for_the_header(tmp_path, xlsx):
    """SPEC 4: aliases.csv (optional) may be absent; a required file with only its
    header row holds no records."""
    data = tables()
    del data["aliases"]
    data["custody"] = []
    path = write_book(tmp_path / "b.xlsx", data) if xlsx else write_folder(tmp_path / "b", data)
    assert problems(path) == []
    bundle = read_bundle(path, today=TODAY)
    assert bundle.aliases == () and bundle.custody == ()


# --- offences.csv: an outcome for a suspect; a victim's or witness's does not count --

@pytest.mark.parametrize("outcome", [o.value for o in Outcome])
@pytest.mark.parametrize(("row", "role"), [(1, "victim"), (2, "witness")])
def test_spec_4_victim_and_witness_rows_may_carry_the_case_outcome(tmp_path, outcome, row,
                                                                  role):
    """SPEC 4 leaves the outcome blank for victims and witnesses in the usual export;
    SPEC 3.2 says it does not matter to the victim score. A row that carries one imports
    (test_spec_edges holds the victim score to it); a value that is no outcome is refused."""
    assert with_value(tmp_path, "offences", row, "outcome", outcome) == []
    found = with_value(tmp_path, "offences", row, "outcome", "cautioned")
    only_problem(found, "offences.csv", row + 2, "outcome", "expected blank, or")


def test_spec_4_a_suspect_row_needs_an_outcome(tmp_path):
    """SPEC 4: a suspect's outcome is one of the five; blank is refused."""
    found = with_value(tmp_path, "offences", 0, "outcome", "")
    only_problem(found, "offences.csv", 2, "outcome", "needs an outcome")


@pytest.mark.parametrize("outcome", [o.value for o in Outcome])
def test_spec_4_every_outcome_of_a_suspect_is_accepted(tmp_path, outcome):
    """SPEC 4: arrested, charged, convicted, no_further_action, acquitted."""
    assert with_value(tmp_path, "offences", 0, "outcome", outcome) == []


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_spec_4_every_role_is_accepted(tmp_path, role):
    """SPEC 4: suspect, victim or witness (an outcome only for a suspect)."""
    data = tables()
    data["offences"][0][4:6] = [role, "convicted" if role == "suspect" else ""]
    assert problems(write_folder(tmp_path / "b", data)) == []


@pytest.mark.parametrize("role", ["", "offender", "perpetrator", "associate"])
def test_spec_4_other_roles_are_refused(tmp_path, role):
    found = with_value(tmp_path, "offences", 1, "role", role)
    only_problem(found, "offences.csv", 3, "role", "suspect, victim or witness")


# --- intelligence.csv: gang_id only on gang_membership -----------------------------------

@pytest.mark.parametrize("category", ["weapon_access", "violence_involvement", "at_risk"])
@pytest.mark.parametrize("gang_id", ["G1", "G-NOWHERE"])
def test_spec_4_gang_id_is_blank_unless_gang_membership(tmp_path, category, gang_id):
    """SPEC 4: gang_id is required for gang_membership and blank otherwise (row by row
    and through the column-wise check of the streamed reader)."""
    data = tables()
    data["intelligence"][1][3:5] = [gang_id, category]
    found = problems(write_folder(tmp_path / "b", data))
    only_problem(found, "intelligence.csv", 3, "gang_id", "must be blank")


def test_spec_4_gang_id_rule_in_a_workbook(tmp_path):
    data = tables()
    data["intelligence"][1][3] = "G1"
    only_problem(problems(write_book(tmp_path / "b.xlsx", data)), "sheet intelligence", 3,
                 "gang_id", "must be blank")


def test_spec_4_gang_membership_needs_a_known_gang(tmp_path):
    """SPEC 4: gang_membership without a gang_id, or with one not in gangs.csv."""
    only_problem(with_value(tmp_path / "a", "intelligence", 0, "gang_id", ""),
                 "intelligence.csv", 2, "gang_id", "needs a gang_id")
    only_problem(with_value(tmp_path / "b", "intelligence", 0, "gang_id", "G9"),
                 "intelligence.csv", 2, "gang_id", "unknown gang_id")


@pytest.mark.parametrize("category", [c.value for c in IntelCategory])
def test_spec_4_every_category_is_accepted(tmp_path, category):
    data = tables()
    data["intelligence"][1][3:5] = ["G1" if category == "gang_membership" else "", category]
    assert problems(write_folder(tmp_path / "b", data)) == []


@pytest.mark.parametrize("category", ["music", "drill", "music_taste", "grime_video"])
def test_r_music_a_music_category_rejects_the_bundle(tmp_path, category):
    """R-MUSIC: there is no music category; the bundle is refused, saying why."""
    found = with_value(tmp_path, "intelligence", 1, "category", category)
    only_problem(found, "intelligence.csv", 3, "category", "R-MUSIC")


@pytest.mark.parametrize(("column", "good", "bad"), [
    ("source_type", ["police", "partner_agency", "community", "social_media"],
     ["", "press", "informant"]),
    ("source_grade", ["1", "2", "3"], ["", "0", "4", "A"]),
    ("intel_grade", ["A", "B", "C", "D", "E"], ["", "F", "1"]),
    ("handling_code", ["P", "C"], ["", "X", "1"]),
])
def test_spec_4_grading_values(tmp_path, column, good, bad):
    """SPEC 4: source types, 3x5x2 grades and handling codes, and nothing else."""
    for n, value in enumerate(good):
        assert with_value(tmp_path / f"g{n}", "intelligence", 1, column, value) == []
    for n, value in enumerate(bad):
        found = with_value(tmp_path / f"b{n}", "intelligence", 1, column, value)
        only_problem(found, "intelligence.csv", 3, column)


# --- people.csv and gangs.csv ---------------------------------------------------------------

BOROUGHS = [f"E090000{n:02d}" for n in range(1, 34)]


def test_r_scope_all_33_borough_codes_and_no_others(tmp_path):
    """R-SCOPE, SPEC 4: E09000001..E09000033 are accepted for people and gangs."""
    data = tables()
    data["people"] = [[f"P{n}", "Surname", "", "1990-01-01", "X", "", code]
                      for n, code in enumerate(BOROUGHS, start=1)]
    data["gangs"] = [[f"G{n}", "Name", code] for n, code in enumerate(BOROUGHS, start=1)]
    assert problems(write_folder(tmp_path / "b", data)) == []


@pytest.mark.parametrize("code", ["", "E09000000", "E09000034", "E0900001", "E08000001",
                                  "W09000001", "E090000010"])
def test_r_scope_other_borough_codes_are_refused(tmp_path, code):
    only_problem(with_value(tmp_path / "p", "people", 1, "borough_code", code),
                 "people.csv", 3, "borough_code", "E09000001 to E09000033")
    only_problem(with_value(tmp_path / "g", "gangs", 0, "borough_code", code),
                 "gangs.csv", 2, "borough_code", "E09000001 to E09000033")


@pytest.mark.parametrize(("column", "good", "bad"), [
    ("sex", ["M", "F", "X"], ["", "U", "Male", "MF"]),
    ("ethnicity", ["Asian", "Black", "Mixed", "White", "Other", ""],
     ["Black British", "Unknown", "Not stated", "White Irish"]),
])
def test_spec_4_sex_and_ethnicity_values(tmp_path, column, good, bad):
    """SPEC 4, R-EQUALITY: sex M/F/X; ethnicity an ONS high-level group or blank."""
    for n, value in enumerate(good):
        assert with_value(tmp_path / f"g{n}", "people", 0, column, value) == []
    for n, value in enumerate(bad):
        only_problem(with_value(tmp_path / f"b{n}", "people", 0, column, value),
                     "people.csv", 2, column)


# --- All or nothing -------------------------------------------------------------------------

def test_spec_4_one_bad_row_among_good_ones_rejects_the_bundle(tmp_path):
    """SPEC 4: import is all or nothing: the one bad row is named, nothing comes back."""
    data = tables()
    data["intelligence"] += [[f"I{n}", "2023-05-01", "P1", "", "at_risk", f"S{n}", "police",
                              "1", "A", "P", ""] for n in range(3, 40)]
    data["intelligence"][20][5] = ""
    found = problems(write_folder(tmp_path / "b", data))
    only_problem(found, "intelligence.csv", 22, "source_id", "a value is required")


@pytest.mark.parametrize(("text", "stored"), [("8n", "8N"), (" 34b ", "34B"),
                                              ("1-4.1-4.10-4.2", "1-4.1-4.10-4.2")])
def test_spec_4_offence_codes_are_stored_in_their_reference_spelling(tmp_path, text, stored):
    """SPEC 3.2, SPEC 4: a Home Office code is taken ignoring case and surrounding
    blanks and stored exactly as the reference list spells it, which is what scoring
    looks up (tests/unit/test_spec_edges.py: other spellings weigh 0)."""
    data = tables()
    data["offences"][0][2] = text
    data["offences"][1][2] = text
    assert read_bundle(write_folder(tmp_path / "b", data), today=TODAY).offences[0] \
        .ho_offence_code == stored


@pytest.mark.parametrize("text", ["", "8", "8N1", "1-4.1", "Assault with injury"])
def test_spec_4_unknown_offence_codes_are_refused(tmp_path, text):
    found = with_value(tmp_path, "offences", 2, "ho_offence_code", text)
    only_problem(found, "offences.csv", 4, "ho_offence_code", "Home Office")
