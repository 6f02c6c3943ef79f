"""`gvm isa list`, `gvm share` and `gvm meeting ...` end to end on SQLite and PostgreSQL
(R-ISA, R-SELECTED, R-NOT-SOLE, R-MEETING, R-CONFIDENTIAL): the exported file holds only
the ISA's fields; no ISA in force, no export; no signature, no pack; stdout has ids,
counts and references, never names."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader

from gvm.authz import Actor, Role
from gvm.bootstrap import bootstrap
from gvm.config import Settings
from gvm.services import sharing
from gvm.services.register import decide_inclusion

LEWISHAM = "E09000023"
FILES = {
    "people.csv": "person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code\n"
                  f"P1,Zanzibarova,Ada,2001-03-01,M,Black,{LEWISHAM}\n",
    "gangs.csv": f"gang_id,name,borough_code\nG1,Northfield Crew,{LEWISHAM}\n",
    "offences.csv": "event_id,date,ho_offence_code,person_id,role,outcome\n"
                    "E1,2024-01-10,34B,P1,suspect,convicted\n",
    "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                        "source_grade,intel_grade,handling_code,summary\n"
                        "I1,2024-01-01,P1,G1,gang_membership,S1,police,1,A,P,seen\n"
                        "I2,2024-02-01,P1,G1,gang_membership,S2,community,1,B,P,seen\n",
    "custody.csv": "person_id,start_date,end_date\n",
}


def _seed(gvm, tmp_path: Path) -> tuple[int, int]:
    """The bundle, P1 on the register, an ISA in force and an expired one."""
    folder = tmp_path / "b"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    gvm("import", str(folder))
    register = bootstrap(Settings(mode="dev", database_url=gvm.url, policy_path=None))
    try:
        lead = Actor(1, "lead", Role.GANG_LEAD, borough_code=LEWISHAM)
        decide_inclusion(register.unit_of_work, "P1", actor=lead, as_of=date(2024, 6, 30),
                         rationale="two graded sources corroborate membership",
                         policy=register.policy, catalogue=register.catalogue)
        ids = []
        for end in (date(2099, 1, 1), date(2024, 3, 31)):
            ids.append(sharing.register_isa(
                register.unit_of_work, Actor(2, "dora", Role.DPO),
                organisation="Lewisham Youth Offending Service",
                organisation_type="youth_offending_service",
                purpose="safeguarding young people at risk of serious violence",
                boroughs=[LEWISHAM], permitted_fields=["person_id", "harm_band",
                                                       "score_explanation"],
                handling_conditions="named caseworkers", start_date=date(2024, 1, 1),
                end_date=end).isa_id)
    finally:
        register.close()
    return ids[0], ids[1]


def test_share_writes_only_the_isa_fields_and_refuses_without_an_isa(gvm, tmp_path: Path):
    live, expired = _seed(gvm, tmp_path)
    listed = gvm("isa", "list").stdout
    assert "Lewisham Youth Offending" in listed and "NO" in listed
    out = {}
    for fmt in ("csv", "xlsx", "pdf"):
        out[fmt] = tmp_path / f"d.{fmt}"
        run = gvm("share", "--isa", str(live), "--borough", LEWISHAM, "--format", fmt,
                  "--out", str(out[fmt]), "--justification", "youth panel",
                  "--as-of", "2024-06-30")
        assert "1 person(s)" in run.stdout and "Zanzibarova" not in run.stdout
        assert "GVM-D" in run.stdout
    rows = list(csv.reader(io.StringIO(out["csv"].read_text(encoding="utf-8-sig"))))
    assert rows[rows.index([]) + 1] == ["person_id", "harm_band", "score_explanation"]
    pdf = " ".join(p.extract_text() for p in PdfReader(str(out["pdf"])).pages)
    for text in (out["csv"].read_text(encoding="utf-8-sig"), pdf):
        assert "P1" in text and "Zanzibarova" not in text and "2001-03-01" not in text
    refused = gvm("share", "--isa", str(expired), "--borough", LEWISHAM, "--out",
                  str(tmp_path / "x.csv"), "--justification", "youth panel", check=False)
    assert refused.returncode == 2 and "not in force" in refused.stderr
    assert not (tmp_path / "x.csv").exists()


def test_meeting_commands_give_no_pack_to_an_unsigned_attendee(gvm, tmp_path: Path):
    _seed(gvm, tmp_path)
    today = datetime.now(UTC).date()
    made = gvm("meeting", "schedule", "--borough", LEWISHAM, "--first", today.isoformat(),
               "--count", "2").stdout
    assert (today + timedelta(days=28)).isoformat() in made
    meeting_id = made.split()[1].rstrip(":")
    assert today.isoformat() in gvm("meeting", "list", "--borough", LEWISHAM).stdout
    rep = gvm("meeting", "attend", meeting_id, "--name", "Jo Rep", "--organisation",
              "Lewisham Youth Offending Service").stdout.split()[1]
    other = gvm("meeting", "attend", meeting_id, "--name", "Al Rep", "--organisation",
                "Lewisham Youth Offending Service").stdout.split()[1]
    gvm("meeting", "sign", meeting_id, rep, "--read-out-by", "lead")
    pack = tmp_path / "pack.pdf"
    done = gvm("meeting", "pack", meeting_id, rep, "--out", str(pack))
    assert "1 person(s)" in done.stdout
    text = " ".join(p.extract_text() for p in PdfReader(str(pack)).pages)
    assert "P1" in text and "Zanzibarova" not in text  # the ISA gives no names
    refused = gvm("meeting", "pack", meeting_id, other, "--out", str(tmp_path / "no.pdf"),
                  check=False)
    assert refused.returncode == 2 and "R-CONFIDENTIAL" in refused.stderr
    assert not (tmp_path / "no.pdf").exists()
    assert gvm("audit", "verify").returncode == 0
