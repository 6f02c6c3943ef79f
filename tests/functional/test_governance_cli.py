"""`gvm review due`, `gvm retention due` and `gvm subject-report` end to end (R-REVIEW,
R-RETENTION, R-SUBJECT): counts and ids only, never names."""

from __future__ import annotations

from pathlib import Path

FILES = {
    "people.csv": "person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code\n"
                  "P1,Zanzibarova,Ada,2004-03-01,M,Black,E09000022\n"
                  "P2,Quillfeather,Bo,2006-07-15,F,,E09000028\n",
    "gangs.csv": "gang_id,name,borough_code\nG1,Northfield Crew,E09000022\n",
    "offences.csv": "event_id,date,ho_offence_code,person_id,role,outcome\n"
                    "E1,2024-01-10,34B,P1,suspect,convicted\n"
                    "E1,2024-01-10,34B,P2,victim,\n",
    "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                        "source_grade,intel_grade,handling_code,summary\n"
                        "I1,2024-01-01,P1,G1,gang_membership,S1,police,1,A,P,seen\n",
    "custody.csv": "person_id,start_date,end_date\n",
}


def test_governance_commands(gvm, tmp_path: Path):
    folder = tmp_path / "b"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    gvm("import", str(folder))

    due = gvm("retention", "due", "--today", "2024-06-01").stdout
    assert "0 candidate(s) due for erasure" in due
    due = gvm("retention", "due", "--today", "2024-07-10").stdout
    assert "2 candidate(s) due for erasure" in due and "P1" in due and "P2" in due
    assert "Zanzibarova" not in due and "0 removal request(s) overdue" in due

    review = gvm("review", "due", "--today", "2024-07-10").stdout
    assert "0 borough(s) due" in review and "0 person(s)" in review

    report = gvm("subject-report", "P1").stdout
    assert "records held: yes" in report and "disclosures: 0" in report
    assert "offences 1" in report and "Zanzibarova" not in report
    log = gvm("audit", "verify")
    assert log.returncode == 0
