"""The core commands end to end on SQLite and PostgreSQL: init, import, score,
explain, audit verify (issue: the register's core)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

AS_OF = "2024-06-30"


def write_bundle(folder: Path, **overrides: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "people.csv": "person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code\n"
                      "P1,Zanzibarova,Ada,2004-03-01,M,Black,E09000022\n"
                      "P2,Quillfeather,Bo,2006-07-15,F,,E09000028\n"
                      "P3,Marchbanks,Cy,1990-01-01,X,White,E09000022\n",
        "gangs.csv": "gang_id,name,borough_code\nG1,Northfield Crew,E09000022\n",
        "offences.csv": "event_id,date,ho_offence_code,person_id,role,outcome\n"
                         "E1,2024-01-10,8N,P1,suspect,convicted\n"
                         "E1,2024-01-10,8N,P2,victim,\n"
                         "E2,2021-06-30,10D,P1,suspect,convicted\n"
                         "E3,2021-07-01,34B,P1,suspect,charged\n"
                         "E4,2023-05-05,1-4.1-4.10-4.2,P3,victim,\n",
        "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                            "source_grade,intel_grade,handling_code,summary\n"
                            "I1,2024-01-01,P1,G1,gang_membership,S1,police,1,A,P,seen with group\n"
                            "I2,2023-12-01,P1,G1,gang_membership,S2,social_media,2,B,P,post\n"
                            "I3,2024-06-01,P1,,weapon_access,S3,community,2,C,C,knife\n"
                            "I4,2024-06-30,P2,,at_risk,S1,police,1,B,P,threat\n",
        "custody.csv": "person_id,start_date,end_date\nP3,2024-01-01,\nP1,2020-01-01,2020-06-01\n",
    }
    files.update(overrides)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def scores(gvm, as_of: str = AS_OF) -> dict[str, dict]:
    out = gvm("score", "--as-of", as_of, "--format", "jsonl").stdout
    return {r["person_id"]: r for r in map(json.loads, out.splitlines())}


def test_import_then_score_jsonl(gvm, tmp_path):
    """R-DUAL, R-TIMESCALE, R-THRESHOLD, R-CUSTODY through the real command line."""
    gvm("init")
    gvm("init")  # idempotent
    gvm("import", str(write_bundle(tmp_path / "b")))
    got = scores(gvm)
    assert set(got) == {"P1", "P2", "P3"}
    p1 = got["P1"]
    # 8N convicted 365 + 34B charged 182.5 (2021-07-01 is inside 3 years) + weapon intel 100;
    # 10D on 2021-06-30 is exactly 3 years before as_of: outside.
    assert p1["harm_score"] == 647.5
    assert p1["harm_band"] == "Amber"
    assert p1["victim_score"] == 0 and p1["victim_band"] == "Zero"
    assert p1["eligible"] is True  # police + social media, two sources
    assert p1["in_custody"] is False
    assert got["P2"]["victim_score"] == 465.0  # 365 + at_risk 100 on as_of itself
    assert got["P2"]["victim_band"] == "Amber" and got["P2"]["eligible"] is False
    assert got["P3"]["victim_score"] == 5475.0 and got["P3"]["victim_band"] == "Red"
    assert got["P3"]["in_custody"] is True
    assert {r["policy_version"] for r in got.values()} == {"default-2026.1"}
    keys = {"person_id", "harm_score", "victim_score", "harm_band", "victim_band", "eligible",
            "in_custody", "policy_version"}
    assert all(keys <= set(r) for r in got.values())


def test_reimport_is_idempotent(gvm, tmp_path):
    bundle = write_bundle(tmp_path / "b")
    gvm("import", str(bundle))
    first = scores(gvm)
    gvm("import", str(bundle))
    assert scores(gvm) == first


def test_bad_bundle_rejected_whole_without_personal_data(gvm, tmp_path):
    """R-MUSIC and all-or-nothing import: nothing is written, the error names file,
    row and column, and echoes no personal data."""
    bundle = write_bundle(tmp_path / "b", **{
        "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                            "source_grade,intel_grade,handling_code,summary\n"
                            "I1,2024-01-01,P1,G1,gang_membership,S1,police,1,A,P,x\n"
                            "I2,2024-01-02,P1,,drill_music,S2,police,1,A,P,Zanzibarova\n"})
    run = gvm("import", str(bundle), check=False)
    assert run.returncode == 2
    assert "intelligence.csv" in run.stderr and "row 3" in run.stderr
    assert "category" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "Zanzibarova" not in run.stderr + run.stdout
    assert scores(gvm) == {}  # nothing written


def test_score_csv_and_borough_filter(gvm, tmp_path):
    gvm("import", str(write_bundle(tmp_path / "b")))
    out = gvm("score", "--as-of", AS_OF, "--format", "csv", "--borough", "E09000028").stdout
    lines = out.splitlines()
    assert lines[0].split(",")[:3] == ["person_id", "harm_score", "victim_score"]
    assert [ln.split(",")[0] for ln in lines[1:]] == ["P2"]
    bad = gvm("score", "--as-of", AS_OF, "--borough", "E09999999", check=False)
    assert bad.returncode == 2 and "borough" in bad.stderr


def test_explain_lists_counted_and_excluded_items(gvm, tmp_path):
    gvm("import", str(write_bundle(tmp_path / "b")))
    run = gvm("explain", "P1", "--as-of", AS_OF, "--format", "jsonl",
              "--justification", "case review")
    data = json.loads(run.stdout)
    reasons = {i["ref"]: i["reason"] for i in data["harm_items"]}
    assert reasons == {"E1": "counted", "E2": "outside window", "E3": "counted", "I3": "counted"}
    assert sum(i["points"] for i in data["harm_items"]) == data["harm_score"] == 647.5
    no_reason = gvm("explain", "P1", "--as-of", AS_OF, check=False, stdin="")
    assert no_reason.returncode == 2 and "justification" in no_reason.stderr
    missing = gvm("explain", "P404", "--as-of", AS_OF, "--justification", "x", check=False)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_audit_log_records_and_verifies(gvm, tmp_path):
    """R-LOG: import (collection), score (combination) and explain (consultation) are
    logged and the chain verifies."""
    gvm("import", str(write_bundle(tmp_path / "b")))
    scores(gvm)
    gvm("explain", "P2", "--as-of", AS_OF, "--justification", "safeguarding check")
    run = gvm("audit", "verify")
    assert "intact" in run.stdout.lower()
    assert "3" in run.stdout


@pytest.mark.parametrize("bad_date", ["2024-13-01", "30/06/2024", "tomorrow"])
def test_score_rejects_bad_as_of(gvm, bad_date):
    run = gvm("score", "--as-of", bad_date, check=False)
    assert run.returncode != 0 and "YYYY-MM-DD" in run.stderr


EDGE_BUNDLE = {
    "offences.csv": "event_id,date,ho_offence_code,person_id,role,outcome\n"
                    "E1,2021-02-28,8N,P1,suspect,convicted\n"  # 29 Feb 2024 - 3 years: out
                    "E2,2021-03-01,10D,P1,suspect,arrested\n"  # 273.75 x 0.25
                    "E3,2024-02-29,34A,P1,suspect,charged\n"  # as_of itself: 182.5
                    "E4,2024-03-01,8N,P1,suspect,convicted\n"  # after as_of
                    "E5,2021-03-01,8N,P2,victim,\n"
                    "E3,2024-02-29,34A,P2,victim,\n"
                    "E6,2024-02-29,1-4.1-4.10-4.2,P2,witness,\n",
    "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                        "source_grade,intel_grade,handling_code,summary\n"
                        "I1,2023-08-29,P1,,weapon_access,S1,police,1,A,P,6 months back\n"
                        "I2,2023-08-30,P1,,weapon_access,S1,police,2,C,P,in\n"
                        "I3,2024-01-01,P1,,violence_involvement,S1,police,1,A,P,\n"
                        "I4,2024-01-01,P1,,violence_involvement,S2,police,1,A,P,\n"
                        "I5,2024-01-01,P1,,violence_involvement,S3,police,1,A,P,\n"
                        "I6,2024-01-01,P1,,violence_involvement,S4,police,1,A,P,\n"
                        "I7,2023-01-01,P1,G1,gang_membership,S1,social_media,1,A,P,\n"
                        "I8,2023-01-01,P1,G1,gang_membership,S2,social_media,1,A,P,\n"
                        "I9,2022-03-01,P1,G1,gang_membership,S1,police,2,B,P,\n"
                        "I10,2024-02-01,P2,,at_risk,S1,police,1,A,P,\n"
                        "I11,2024-02-02,P2,,at_risk,S1,police,1,A,P,\n"
                        "I12,2024-02-03,P2,,at_risk,S1,police,1,A,P,\n"
                        "I13,2024-02-04,P2,,at_risk,S1,police,1,A,P,\n"
                        "I14,2024-02-01,P2,G1,gang_membership,S1,social_media,1,A,P,\n"
                        "I15,2024-02-01,P2,G1,gang_membership,S2,social_media,1,A,P,\n"
                        "I16,2022-02-28,P2,G1,gang_membership,S3,police,1,A,P,\n",
    "custody.csv": "person_id,start_date,end_date\nP2,2023-01-01,2024-02-29\n"
                   "P3,2024-03-01,\n",
}


def test_score_jsonl_on_window_edges_matches_explain(gvm, tmp_path):
    """SPEC 3.1-3.4 and the `gvm score --format jsonl` output (SPEC 4) on 29 February:
    window edges, quarter factors, the cap, social-media-only corroboration and custody
    ending on as_of; every person's line agrees with the one-person explanation."""
    gvm("import", str(write_bundle(tmp_path / "b", **EDGE_BUNDLE)))
    as_of = "2024-02-29"
    got = scores(gvm, as_of)
    assert set(got) == {"P1", "P2", "P3"}
    # 68.4375 + 182.5 + 100 (I2) + 3 x 50 (I3-I6, capped)
    assert got["P1"]["harm_score"] == 500.9375 and got["P1"]["harm_band"] == "Amber"
    assert got["P1"]["eligible"] is True  # I9 (police, S1) with I8 (social media, S2)
    # 365 + 365 + 3 x 100 (I10-I13, capped); the witness row scores nothing
    assert got["P2"]["victim_score"] == 1030.0 and got["P2"]["victim_band"] == "Red"
    assert got["P2"]["eligible"] is False  # I16 is exactly 24 months back
    assert got["P2"]["in_custody"] is True and got["P3"]["in_custody"] is False
    assert got["P3"]["harm_band"] == got["P3"]["victim_band"] == "Zero"
    for person_id, line in got.items():
        assert isinstance(line["harm_score"], float) and isinstance(line["eligible"], bool)
        run = gvm("explain", person_id, "--as-of", as_of, "--format", "jsonl",
                  "--justification", "spec check")
        explained = json.loads(run.stdout)
        for key in ("harm_score", "victim_score", "harm_band", "victim_band", "eligible",
                    "in_custody", "policy_version"):
            assert line[key] == explained[key], (person_id, key)
