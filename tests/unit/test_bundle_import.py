"""Bundle import and export (SPEC 4): all-or-nothing validation whose messages name file,
row and column and never repeat personal data; round trips through CSV and .xlsx.

Requirements checked here: R-SCOPE (borough codes), R-CATEGORY (roles and outcomes kept
apart; intelligence categories), R-MUSIC (no music category).
"""

from __future__ import annotations

import copy
import csv
import io
import re
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gvm.domain.model import (
    Bundle,
    Ethnicity,
    IntelCategory,
    Offence,
    Outcome,
    Person,
    Role,
    Sex,
    SourceGrade,
)
from gvm.interchange import BundleCsvWriter, BundleError, read_bundle, write_bundle, write_xlsx
from gvm.interchange.columns import COLUMNS

TODAY = date(2025, 1, 15)

# The person in the rows made bad below. None of these may ever appear in a message.
SECRETS = ("Quixwellington", "Zebedee", "1999-07-13", "P-QUIXWELL", "Quixroad")


def valid_tables() -> dict[str, list[dict[str, str]]]:
    """A small valid bundle; row i of a table is spreadsheet row i + 2."""
    def rows(table: str, *values: tuple[str, ...]) -> list[dict[str, str]]:
        return [dict(zip(COLUMNS[table], v, strict=True)) for v in values]

    return {
        "people": rows(
            "people",
            ("P1", "Adebayo", "Tunde", "1998-04-02", "M", "Black", "E09000028"),
            ("P-QUIXWELL", "Quixwellington", "Zebedee", "1999-07-13", "M", "White", "E09000022"),
            ("P3", "Khan", "Amira", "2004-11-30", "F", "", "E09000001"),
        ),
        "gangs": rows("gangs", ("G1", "Northside", "E09000028"),
                      ("G2", "Estate", "E09000022")),
        "offences": rows(
            "offences",
            ("E1", "2023-03-01", "8N", "P1", "suspect", "convicted"),
            ("E1", "2023-03-01", "8N", "P-QUIXWELL", "victim", ""),
            ("E2", "2023-06-10", "10A", "P-QUIXWELL", "suspect", "arrested"),
            ("E3", "2022-01-05", "34B", "P3", "witness", ""),
        ),
        "intelligence": rows(
            "intelligence",
            ("I1", "2023-05-01", "P1", "G1", "gang_membership", "S1", "police", "1", "A", "P",
             "seen with the group"),
            ("I2", "2023-05-02", "P1", "G1", "gang_membership", "S2", "community", "2", "B",
             "C", ""),
            ("I3", "2023-07-01", "P-QUIXWELL", "", "weapon_access", "S3", "partner_agency", "2",
             "C", "P", "stash at Quixroad garages"),
        ),
        "custody": rows("custody", ("P1", "2023-08-01", ""),
                        ("P-QUIXWELL", "2020-01-01", "2021-01-01")),
        "aliases": rows("aliases", ("P1", "Adebayo", "T"), ("P-QUIXWELL", "Quixwellington", "Z")),
    }


def csv_text(table: str, rows: list[dict[str, str]], columns: tuple[str, ...] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = columns or COLUMNS[table]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def write_csv_folder(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        (folder / f"{table}.csv").write_text(csv_text(table, rows), encoding="utf-8")
    return folder


def write_workbook(path: Path, tables: dict[str, list[dict[str, object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, rows in tables.items():
        sheet = book.create_sheet(table)
        sheet.append(list(COLUMNS[table]))
        for row in rows:
            sheet.append([row.get(c) for c in COLUMNS[table]])
    book.save(path)
    return path


def bad_bundle(tmp_path: Path, table: str, index: int, column: str, value: str) -> BundleError:
    tables = valid_tables()
    tables[table][index][column] = value
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    return caught.value


def assert_problem(err: BundleError, file: str, row: int | None, column: str | None,
                   *fragments: str, hidden: tuple[str, ...] = ()) -> None:
    """`err` names file, row and column with a message holding `fragments`, and nothing
    of SECRETS or `hidden` appears anywhere in it."""
    text = str(err)
    matching = [p for p in err.problems if (p.file, p.row, p.column) == (file, row, column)]
    assert matching, text
    where = file + (f" row {row}" if row else "") + (f", column {column}" if column else "")
    assert where in text
    for fragment in fragments:
        assert any(fragment in p.message for p in matching), text
    for secret in (*SECRETS, *hidden):
        assert secret not in text, text


# --- valid bundles ---------------------------------------------------------------------


def test_valid_bundle_reads_into_domain_records(tmp_path: Path) -> None:
    """R-CATEGORY: roles and outcomes arrive as distinct typed values."""
    bundle = read_bundle(write_csv_folder(tmp_path / "b", valid_tables()), today=TODAY)
    assert bundle.counts() == {"people": 3, "aliases": 2, "gangs": 2, "offences": 4,
                               "intelligence": 3, "custody": 2}
    assert bundle.people[0] == Person("P1", "Adebayo", "Tunde", date(1998, 4, 2), Sex.MALE,
                                      Ethnicity.BLACK, "E09000028")
    assert bundle.people[2].ethnicity is None
    assert bundle.offences[1] == Offence("E1", date(2023, 3, 1), "8N", "P-QUIXWELL", Role.VICTIM,
                                         None)
    assert bundle.intelligence[2].gang_id is None
    assert bundle.intelligence[0].source_grade is SourceGrade.RELIABLE
    assert bundle.custody[0].end_date is None


def test_round_trip_csv(tmp_path: Path) -> None:
    bundle = read_bundle(write_csv_folder(tmp_path / "b", valid_tables()), today=TODAY)
    folder = write_bundle(bundle, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == [
        "aliases.csv", "custody.csv", "gangs.csv", "intelligence.csv", "offences.csv",
        "people.csv"]
    header = (folder / "intelligence.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(COLUMNS["intelligence"])
    assert read_bundle(folder, today=TODAY) == bundle


def test_round_trip_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["people"][0]["surname"] = "=HYPERLINK(1)"
    tables["intelligence"][0]["summary"] = "line one\nline two, \"quoted\""
    tables["people"][2]["date_of_birth"] = "1900-01-01"
    bundle = read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    path = write_xlsx(bundle, tmp_path / "out.xlsx")
    assert read_bundle(path, today=TODAY) == bundle
    sheet = openpyxl.load_workbook(path)["people"]
    assert sheet["B2"].data_type == "s"


def test_formula_like_text_is_accepted_as_data(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["people"][0]["surname"] = "=cmd|' /C calc'!A0"
    tables["people"][0]["forenames"] = "@Tunde"
    tables["intelligence"][0]["summary"] = "+44 -1 =SUM(A1)"
    bundle = read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert bundle.people[0].surname == "=cmd|' /C calc'!A0"
    assert read_bundle(write_bundle(bundle, tmp_path / "out"), today=TODAY) == bundle


def test_enumerated_values_are_matched_ignoring_case_and_normalised(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["people"][0].update(sex="m", ethnicity="BLACK", borough_code="e09000028")
    tables["offences"][0].update(role="Suspect", outcome="CONVICTED")
    tables["intelligence"][0].update(category="Gang_Membership", intel_grade="a",
                                     handling_code="p", source_type="Police")
    bundle = read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert bundle.people[0].sex is Sex.MALE and bundle.people[0].ethnicity is Ethnicity.BLACK
    assert bundle.people[0].borough_code == "E09000028"
    assert bundle.offences[0].role is Role.SUSPECT
    assert bundle.offences[0].outcome is Outcome.CONVICTED
    assert bundle.intelligence[0].category is IntelCategory.GANG_MEMBERSHIP


def test_optional_files_may_be_absent_and_values_are_stripped(tmp_path: Path) -> None:
    """SPEC 4: aliases.csv is optional; the other files may hold only their header."""
    folder = tmp_path / "b"
    folder.mkdir()
    for table in ("gangs", "offences", "intelligence", "custody"):
        (folder / f"{table}.csv").write_text(",".join(COLUMNS[table]) + "\n",
                                             encoding="utf-8")
    (folder / "people.csv").write_text(
        "person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code\n"
        " P1 , Adebayo ,Tunde, 1998-04-02 ,M,,E09000028\n\n,,,,,,\n", encoding="utf-8")
    bundle = read_bundle(folder, today=TODAY)
    assert bundle.counts()["people"] == 1 and bundle.counts()["offences"] == 0
    assert bundle.people[0].person_id == "P1" and bundle.people[0].surname == "Adebayo"


def test_bom_is_accepted(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "b", valid_tables())
    text = (folder / "people.csv").read_text(encoding="utf-8")
    (folder / "people.csv").write_text(text, encoding="utf-8-sig")
    assert (folder / "people.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_bundle(folder, today=TODAY).people[0].person_id == "P1"


def test_extra_columns_ignored_and_column_order_free(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "b", valid_tables())
    columns = ("notes", *reversed(COLUMNS["people"]), "nickname")
    rows = [dict(r, notes="x", nickname="y") for r in valid_tables()["people"]]
    (folder / "people.csv").write_text(csv_text("people", rows, columns), encoding="utf-8")
    assert read_bundle(folder, today=TODAY).people == read_bundle(
        write_csv_folder(tmp_path / "c", valid_tables()), today=TODAY).people


def test_streaming_writer_takes_records_or_tuples(tmp_path: Path) -> None:
    with BundleCsvWriter(tmp_path / "s") as out:
        out.write_people([("P1", "Adebayo", "Tunde", date(1998, 4, 2), Sex.MALE, None,
                           "E09000028")])
        out.write_people(iter([Person("P2", "Khan", "", date(2004, 1, 2), Sex.FEMALE,
                                      Ethnicity.ASIAN, "E09000001")]))
        out.write_offences(("E1", date(2023, 1, 1), "8N", "P1", "suspect", "charged")
                           for _ in range(1))
    bundle = read_bundle(tmp_path / "s", today=TODAY)
    assert [p.person_id for p in bundle.people] == ["P1", "P2"]
    assert bundle.offences[0].outcome is Outcome.CHARGED
    assert (tmp_path / "s" / "custody.csv").read_bytes() == b"person_id,start_date,end_date\r\n"


# --- bad values: each names file, row and column, and no personal data ----------------


@pytest.mark.parametrize("value", ["13/07/2023", "2023-7-1", "20230701", "2023-W27-1", "xyzzy"])
def test_bad_date(tmp_path: Path, value: str) -> None:
    err = bad_bundle(tmp_path, "offences", 2, "date", value)
    assert_problem(err, "offences.csv", 4, "date", "YYYY-MM-DD", hidden=(value,))


def test_impossible_date(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "offences", 2, "date", "2023-02-29")
    assert_problem(err, "offences.csv", 4, "date", "not a real calendar date",
                   hidden=("2023-02-29",))


@pytest.mark.parametrize(("value", "fragment"), [("2026-01-01", "future"), ("1899-12-31", "1900")])
def test_date_of_birth_bounds(tmp_path: Path, value: str, fragment: str) -> None:
    err = bad_bundle(tmp_path, "people", 1, "date_of_birth", value)
    assert_problem(err, "people.csv", 3, "date_of_birth", fragment, hidden=(value,))


def test_unknown_borough(tmp_path: Path) -> None:
    """R-SCOPE: only the 33 London authorities."""
    err = bad_bundle(tmp_path, "people", 1, "borough_code", "E09000099")
    assert_problem(err, "people.csv", 3, "borough_code", "unknown borough code",
                   hidden=("E09000099",))


def test_unknown_gang_borough(tmp_path: Path) -> None:
    """R-SCOPE."""
    err = bad_bundle(tmp_path, "gangs", 1, "borough_code", "W06000015")
    assert_problem(err, "gangs.csv", 3, "borough_code", "unknown borough code",
                   hidden=("W06000015",))


def test_unknown_home_office_code(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "offences", 1, "ho_offence_code", "99ZQ")
    assert str(err) == ("offences.csv row 3, column ho_offence_code: unknown Home Office "
                        "offence code (expected a code from the Home Office list)")


def test_bad_sex(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "people", 1, "sex", "Bloke")
    assert_problem(err, "people.csv", 3, "sex", "expected M, F or X", hidden=("Bloke",))


def test_bad_ethnicity(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "people", 1, "ethnicity", "Martian")
    assert_problem(err, "people.csv", 3, "ethnicity", "Asian, Black, Mixed, White or Other",
                   hidden=("Martian",))


def test_bad_role(tmp_path: Path) -> None:
    """R-CATEGORY: a person's part is one of suspect, victim, witness."""
    err = bad_bundle(tmp_path, "offences", 1, "role", "bystander")
    assert_problem(err, "offences.csv", 3, "role", "suspect, victim or witness",
                   hidden=("bystander",))


def test_suspect_without_outcome(tmp_path: Path) -> None:
    """R-CATEGORY: a suspect's row says where the case stands."""
    err = bad_bundle(tmp_path, "offences", 2, "outcome", "")
    assert_problem(err, "offences.csv", 4, "outcome", "needs an outcome")


def test_bad_outcome(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "offences", 2, "outcome", "cautioned")
    assert_problem(err, "offences.csv", 4, "outcome", "no_further_action", hidden=("cautioned",))


def test_victim_outcome_may_be_given(tmp_path: Path) -> None:
    """SPEC 3.2: the outcome does not matter to the victim score, so a victim's row that
    carries the case outcome imports (SPEC 4's usual export leaves it blank)."""
    tables = valid_tables()
    tables["offences"][1]["outcome"] = "charged"
    bundle = read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert bundle.offences[1].outcome is Outcome.CHARGED


def test_victim_outcome_must_be_one_of_the_outcomes(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "offences", 1, "outcome", "cautioned")
    assert_problem(err, "offences.csv", 3, "outcome", "expected blank, or",
                   hidden=("cautioned",))


@pytest.mark.parametrize("value", ["music", "drill_music", "music_taste", "Drill", "grime"])
def test_music_category_rejected(tmp_path: Path, value: str) -> None:
    """R-MUSIC: there is no music category; the import says why it refuses one."""
    err = bad_bundle(tmp_path, "intelligence", 2, "category", value)
    assert_problem(err, "intelligence.csv", 4, "category", "R-MUSIC", "music taste",
                   hidden=(value,) if value != "music" else ())


def test_other_unknown_category_lists_allowed(tmp_path: Path) -> None:
    """R-CATEGORY: intelligence categories are fixed."""
    err = bad_bundle(tmp_path, "intelligence", 2, "category", "associate")
    assert_problem(err, "intelligence.csv", 4, "category",
                   "gang_membership, weapon_access, violence_involvement or at_risk",
                   hidden=("associate",))
    assert "R-MUSIC" not in str(err)


def test_gang_membership_without_gang(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["intelligence"][2]["category"] = "gang_membership"
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "intelligence.csv", 4, "gang_id", "needs a gang_id")


def test_unknown_gang_reference(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "intelligence", 0, "gang_id", "G-NOWHERE")
    assert_problem(err, "intelligence.csv", 2, "gang_id", "unknown gang_id",
                   hidden=("G-NOWHERE",))


@pytest.mark.parametrize(("table", "index", "row"),
                         [("offences", 1, 3), ("intelligence", 2, 4), ("custody", 1, 3),
                          ("aliases", 1, 3)])
def test_unknown_person_reference(tmp_path: Path, table: str, index: int, row: int) -> None:
    err = bad_bundle(tmp_path, table, index, "person_id", "P-NOBODY-QX")
    assert_problem(err, f"{table}.csv", row, "person_id", "unknown person_id",
                   hidden=("P-NOBODY-QX",))


@pytest.mark.parametrize(("column", "value", "fragment"), [
    ("source_grade", "4", "1, 2 or 3"),
    ("source_grade", "1.5", "1, 2 or 3"),
    ("intel_grade", "F", "A, B, C, D or E"),
    ("handling_code", "X", "P or C"),
    ("source_type", "rumour", "police, partner_agency, community or social_media"),
])
def test_bad_grading(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    err = bad_bundle(tmp_path, "intelligence", 2, column, value)
    assert_problem(err, "intelligence.csv", 4, column, fragment,
                   hidden=(value,) if len(value) > 1 else ())


def test_duplicate_person_id(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["people"].append(dict(tables["people"][1]))
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "people.csv", 5, "person_id", "duplicate", "row 3")


def test_duplicate_intel_id(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "intelligence", 2, "intel_id", "I1")
    assert_problem(err, "intelligence.csv", 4, "intel_id", "duplicate", "row 2")


def test_duplicate_event_and_person(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["offences"].append(dict(tables["offences"][1]))
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "offences.csv", 6, "person_id", "must be unique")


def test_inconsistent_event_date_and_code(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["offences"][1].update(date="2023-03-02", ho_offence_code="10A")
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "offences.csv", 3, "date", "same date", "row 2",
                   hidden=("2023-03-02",))
    assert_problem(caught.value, "offences.csv", 3, "ho_offence_code", "same ho_offence_code")


def test_custody_end_before_start(tmp_path: Path) -> None:
    err = bad_bundle(tmp_path, "custody", 1, "end_date", "2019-12-31")
    assert_problem(err, "custody.csv", 3, "end_date", "before the start date",
                   hidden=("2019-12-31",))


def test_duplicate_custody_period_and_alias(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["custody"].append(dict(tables["custody"][1]))
    tables["aliases"].append(dict(tables["aliases"][1]))
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "custody.csv", 4, "start_date", "duplicate", "row 3")
    assert_problem(caught.value, "aliases.csv", 4, "person_id", "duplicate alias", "row 3")


@pytest.mark.parametrize(("table", "column", "value", "fragment"), [
    ("people", "person_id", "P" * 65, "at most 64"),
    ("people", "surname", "Quixwellington" * 20, "at most 200"),
    ("people", "surname", "", "required"),
    ("people", "forenames", "Zeb\x00edee", "control characters"),
    ("intelligence", "summary", "Quixroad " * 300, "at most 2000"),
    ("intelligence", "source_id", "", "required"),
])
def test_ids_and_text_limits(tmp_path: Path, table: str, column: str, value: str,
                             fragment: str) -> None:
    index = {"people": 1, "intelligence": 2}[table]
    err = bad_bundle(tmp_path, table, index, column, value)
    assert_problem(err, f"{table}.csv", index + 2, column, fragment)


def test_many_problems_are_collected_and_capped(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["offences"] = [dict(tables["offences"][0], event_id=f"E{i}", role="nope")
                          for i in range(200)]
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert len(caught.value.problems) == 50 and caught.value.truncated
    assert [p.row for p in caught.value.problems[:3]] == [2, 3, 4]
    assert "stopped after 50 problems" in str(caught.value)


# --- bad files -------------------------------------------------------------------------


def test_missing_column(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "b", valid_tables())
    columns = tuple(c for c in COLUMNS["intelligence"] if c != "source_grade")
    text = csv_text("intelligence", valid_tables()["intelligence"], columns)
    (folder / "intelligence.csv").write_text(text, encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        read_bundle(folder, today=TODAY)
    assert_problem(caught.value, "intelligence.csv", 1, "source_grade", "missing")
    assert len(caught.value.problems) == 1


def test_missing_people_csv(tmp_path: Path) -> None:
    tables = valid_tables()
    del tables["people"]
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "people.csv", None, None, "required file is missing")
    assert len(caught.value.problems) == 1  # no follow-on "unknown person" noise


def test_non_utf8_file(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["people"][1]["forenames"] = "Zébedée"
    folder = write_csv_folder(tmp_path / "b", tables)
    text = csv_text("people", tables["people"])
    (folder / "people.csv").write_bytes(text.encode("cp1252"))
    with pytest.raises(BundleError) as caught:
        read_bundle(folder, today=TODAY)
    assert_problem(caught.value, "people.csv", 3, "forenames", "not valid UTF-8",
                   hidden=("Zébedée", "Z\ufffdbed"))
    assert len(caught.value.problems) == 1


def test_row_numbers_count_records_not_lines(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["intelligence"][0]["summary"] = "one\ntwo\nthree"
    tables["intelligence"][1]["intel_grade"] = "Z"
    with pytest.raises(BundleError) as caught:
        read_bundle(write_csv_folder(tmp_path / "b", tables), today=TODAY)
    assert_problem(caught.value, "intelligence.csv", 3, "intel_grade", "A, B, C, D or E")


def test_row_with_more_values_than_header(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path / "b", valid_tables())
    text = csv_text("custody", valid_tables()["custody"]) + "P1,2024-01-01,,Quixwellington\n"
    (folder / "custody.csv").write_text(text, encoding="utf-8")
    with pytest.raises(BundleError) as caught:
        read_bundle(folder, today=TODAY)
    assert_problem(caught.value, "custody.csv", 4, None, "more values than the header")


@pytest.mark.parametrize("name", ["nowhere", "notes.txt"])
def test_path_that_is_not_a_bundle(tmp_path: Path, name: str) -> None:
    if name.endswith(".txt"):
        (tmp_path / name).write_text("hello", encoding="utf-8")
    with pytest.raises(BundleError, match=f"^{re.escape(name)}: "):
        read_bundle(tmp_path / name)


def test_broken_workbook(tmp_path: Path) -> None:
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    with pytest.raises(BundleError, match=r"not a readable \.xlsx workbook"):
        read_bundle(tmp_path / "b.xlsx")


# --- workbooks -------------------------------------------------------------------------


def workbook_tables() -> dict[str, list[dict[str, object]]]:
    """The valid bundle as a spreadsheet would hold it: real dates, numeric grades."""
    tables: dict[str, list[dict[str, object]]] = copy.deepcopy(valid_tables())  # type: ignore[arg-type]
    for rows in tables.values():
        for row in rows:
            for column, value in row.items():
                if value == "":
                    row[column] = None
                elif column in ("date", "date_of_birth", "start_date", "end_date"):
                    row[column] = datetime.fromisoformat(str(value))
    tables["people"][0]["date_of_birth"] = date(1998, 4, 2)
    tables["intelligence"][0]["source_grade"] = 1
    tables["intelligence"][1]["source_grade"] = 2.0
    tables["custody"][0]["start_date"] = "2023-08-01"  # ISO text works too
    return tables


def test_xlsx_with_datetime_cells_and_numeric_grades(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "b.xlsx", workbook_tables())
    from_xlsx = read_bundle(path, today=TODAY)
    from_csv = read_bundle(write_csv_folder(tmp_path / "b", valid_tables()), today=TODAY)
    assert from_xlsx == from_csv


def test_xlsx_trailing_empty_rows_ignored(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "b.xlsx", workbook_tables())
    book = openpyxl.load_workbook(path)
    book["people"]["A20"] = ""
    book["people"]["C30"] = None
    book.save(path)
    assert read_bundle(path, today=TODAY).counts()["people"] == 3


def test_xlsx_bad_value_names_the_sheet(tmp_path: Path) -> None:
    tables = workbook_tables()
    tables["people"][1]["sex"] = "Bloke"
    tables["intelligence"][2]["source_grade"] = 4
    with pytest.raises(BundleError) as caught:
        read_bundle(write_workbook(tmp_path / "b.xlsx", tables), today=TODAY)
    assert_problem(caught.value, "sheet people", 3, "sex", "M, F or X", hidden=("Bloke",))
    assert_problem(caught.value, "sheet intelligence", 4, "source_grade", "1, 2 or 3")


def test_xlsx_datetime_with_time_is_not_a_date(tmp_path: Path) -> None:
    tables = workbook_tables()
    tables["offences"][2]["date"] = datetime(2023, 6, 10, 14, 30)
    with pytest.raises(BundleError) as caught:
        read_bundle(write_workbook(tmp_path / "b.xlsx", tables), today=TODAY)
    assert_problem(caught.value, "sheet offences", 4, "date", "YYYY-MM-DD")


def test_xlsx_missing_people_sheet(tmp_path: Path) -> None:
    tables = workbook_tables()
    del tables["people"]
    with pytest.raises(BundleError) as caught:
        read_bundle(write_workbook(tmp_path / "b.xlsx", tables), today=TODAY)
    assert_problem(caught.value, "sheet people", None, None, "no sheet named people")
    assert len(caught.value.problems) == 1


def test_xlsx_damaged_sheet(tmp_path: Path) -> None:
    good = write_workbook(tmp_path / "good.xlsx", workbook_tables())
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":  # offences
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    with pytest.raises(BundleError) as caught:
        read_bundle(damaged, today=TODAY)
    assert_problem(caught.value, "sheet offences", 2, None, "could not be read")


# --- fuzzing ---------------------------------------------------------------------------

_CELLS = [(t, i, c) for t, rows in valid_tables().items() for i in range(len(rows))
          for c in COLUMNS[t]]


def _read_or_reject(folder: Path) -> Bundle | BundleError:
    try:
        return read_bundle(folder, today=TODAY)
    except BundleError as err:
        assert err.problems and all(isinstance(str(p), str) for p in err.problems)
        return err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.sampled_from(_CELLS), st.text(max_size=80)), min_size=1,
                      max_size=4))
def test_garbage_cells_give_a_bundle_or_a_bundle_error(
        cells: list[tuple[tuple[str, int, str], str]]) -> None:
    tables = valid_tables()
    for (table, index, column), value in cells:
        tables[table][index][column] = value
    with tempfile.TemporaryDirectory() as tmp:
        result = _read_or_reject(write_csv_folder(Path(tmp) / "b", tables))
    if isinstance(result, Bundle):
        assert result.counts()["people"] >= 1


@settings(max_examples=100, deadline=None)
@given(table=st.sampled_from(sorted(COLUMNS)), position=st.integers(min_value=0),
       garbage=st.binary(min_size=1, max_size=40))
def test_garbage_bytes_give_a_bundle_or_a_bundle_error(table: str, position: int,
                                                       garbage: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_csv_folder(Path(tmp) / "b", valid_tables())
        data = (folder / f"{table}.csv").read_bytes()
        at = position % (len(data) + 1)
        (folder / f"{table}.csv").write_bytes(data[:at] + garbage + data[at:])
        _read_or_reject(folder)
