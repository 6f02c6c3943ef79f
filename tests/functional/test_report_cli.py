"""`gvm report` end to end (R-EQUALITY, R-PUBLISH), on SQLite: the equality report sees
recording bias planted in the synthetic data, and the quarterly release never shows a
count of 1 to 4."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.functional.conftest import Gvm

AS_OF = "2024-06-30"


@pytest.fixture
def sqlite_gvm(tmp_path: Path):
    def make(name: str) -> Gvm:
        home = tmp_path / name
        home.mkdir()
        return Gvm(f"sqlite:///{home / 'register.db'}", home)
    return make


def black_rri_vs_census(gvm: Gvm, tmp_path: Path, bias: list[str]) -> float:
    bundle = tmp_path / "bundle"
    gvm("synth", "--scale", "small", "--out", str(bundle), "--as-of", AS_OF, *bias)
    gvm("import", str(bundle))
    gvm("score", "--as-of", AS_OF, "--format", "csv")
    out = tmp_path / "equality"
    run = gvm("report", "equality", "--as-of", AS_OF, "--cohort", "eligible", "--out",
              str(out))
    assert "RRI vs census" in run.stdout and "Black" in run.stdout
    with (out / f"equality_{AS_OF}.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["area"] == "London"
                and r["breakdown"] == "all" and r["group"] == "Black"]
    assert len(rows) == 1
    assert (out / f"equality_{AS_OF}_trend.csv").exists()
    page = (out / f"equality_{AS_OF}.html").read_text(encoding="utf-8")
    for chart in ("shares", "rri", "age_band", "sex", "harm_band", "trend"):
        assert f'src="equality_{AS_OF}_{chart}.svg"' in page, chart
        assert (out / f"equality_{AS_OF}_{chart}.png").stat().st_size > 1000, chart
    assert_no_person(out)
    return float(rows[0]["rri_census"])


def assert_no_person(out: Path) -> None:
    """No synthetic person id (P0000001...) in any file of the report."""
    for path in out.iterdir():
        assert "P000" not in path.read_text(encoding="utf-8", errors="replace"), path.name


GANG_BUNDLE = {
    "people": ["person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code",
               *(f"PX-{c},Surname{c},Forename{c},2000-01-01,M,White,E09000001" for c in "ABCDE")],
    "gangs": ["gang_id,name,borough_code", "G1,North Crew,E09000001",
              "G2,East Set,E09000001", "G3,River Boys,E09000002"],
    "intelligence": ["intel_id,date,person_id,gang_id,category,source_id,source_type,"
                     "source_grade,intel_grade,handling_code,summary",
                     *(f"I{i},{day},PX-{p},{g},gang_membership,S1,police,1,A,P,seen"
                       for i, (p, g, day) in enumerate([
                           ("A", "G1", "2024-01-01"), ("B", "G2", "2024-01-01"),
                           ("C", "G3", "2024-01-01"), ("D", "G1", "2024-01-01"),
                           ("D", "G3", "2024-01-01"), ("E", "G2", "2021-01-01")]))],
    "offences": ["event_id,date,ho_offence_code,person_id,role,outcome",
                 # the events of tests/unit/test_gangs.py: G1-G2 3, G1-G3 2, G2-G3 1
                 *(f"{e},{day},{code},PX-{p},{role},{'charged' if role == 'suspect' else ''}"
                   for e, day, code, parts in [
                       ("E1", "2024-03-01", "8N", "A:suspect B:victim"),
                       ("E2", "2024-04-01", "8N", "B:suspect A:victim"),
                       ("E3", "2024-04-02", "92A", "A:suspect B:victim"),
                       ("E4", "2024-04-03", "8N", "A:suspect E:victim"),
                       ("E5", "2024-05-01", "8N", "D:suspect B:victim"),
                       ("E6", "2024-05-02", "8N", "A:suspect D:victim"),
                       ("E7", "2024-01-15", "8N", "A:suspect B:victim"),
                       ("E8", "2024-06-01", "8N", "A:suspect D:suspect C:victim"),
                       ("E9", "2024-07-15", "8N", "A:suspect B:victim")]
                   for p, role in (x.split(":") for x in parts.split()))],
    "custody": ["person_id,start_date,end_date"],  # SPEC 4: required, may be empty
    "gang_relations": ["gang_a,gang_b,relation,date,source",
                       "G2,G1,rivalry,2023-05-01,police intelligence",
                       "G1,G3,alliance,2024-02-01,partner agency",
                       "G2,G3,rivalry,2024-08-01,community intelligence"],
}


def test_gang_picture_counts_violence_between_gangs(sqlite_gvm, tmp_path):
    gvm = sqlite_gvm("gangs")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name, lines in GANG_BUNDLE.items():
        (bundle / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "3 gang_relations" in gvm("import", str(bundle)).stdout.replace(",", "")
    out = tmp_path / "picture"
    run = gvm("report", "gangs", "--as-of", AS_OF, "--months", "5", "--out", str(out))
    assert "incidents between members of different gangs 6 over 3 pairs" in run.stdout
    with (out / f"gangs_{AS_OF}_edges.csv").open(encoding="utf-8") as f:
        edges = {(e["gang_a"], e["gang_b"]): (int(e["incidents"]), e["rivalry"], e["alliance"])
                 for e in csv.DictReader(f)}
    assert edges == {("G1", "G2"): (3, "true", "false"), ("G1", "G3"): (2, "false", "true"),
                     ("G2", "G3"): (1, "false", "false")}
    assert (out / f"gangs_{AS_OF}.png").stat().st_size > 1000
    for path in out.iterdir():  # no person: ids, names, dates of birth
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(s in text for s in ("PX-", "Surname", "2000-01-01")), path.name
    gvm("report", "gangs", "--as-of", AS_OF, "--months", "5", "--borough", "E09000002",
        "--out", str(out))
    with (out / f"gangs_{AS_OF}_E09000002_edges.csv").open(encoding="utf-8") as f:
        assert {(e["gang_a"], e["gang_b"]) for e in csv.DictReader(f)} == {("G1", "G3"),
                                                                            ("G2", "G3")}
    assert "intact" in gvm("audit", "verify").stdout


def test_equality_report_detects_recording_bias(sqlite_gvm, tmp_path):
    unbiased = black_rri_vs_census(sqlite_gvm("plain"), tmp_path / "plain", [])
    biased = black_rri_vs_census(sqlite_gvm("biased"), tmp_path / "biased",
                                 ["--recording-bias", "Black=2.0"])
    assert biased > unbiased * 1.2, (unbiased, biased)


def test_quarterly_release_suppresses_small_counts(sqlite_gvm, tmp_path):
    gvm = sqlite_gvm("release")
    bundle = tmp_path / "bundle"
    gvm("synth", "--scale", "small", "--out", str(bundle), "--as-of", AS_OF)
    gvm("import", str(bundle))
    out = tmp_path / "release"
    gvm("report", "quarterly", "--quarter", "2024Q2", "--out", str(out), "--cohort", "eligible")
    files = sorted(out.glob("2024Q2_*.csv"))
    assert {f.name for f in files} == {"2024Q2_borough_by_harm_band.csv",
                                       "2024Q2_ethnic_group.csv", "2024Q2_age_band.csv",
                                       "2024Q2_sex.csv"}
    shown = 0
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for row in list(csv.reader(fh))[1:]:
                for cell in row[1:]:
                    assert cell == "[c]" or not 1 <= int(cell) <= 4, (f.name, row)
                    shown += cell != "[c]"
    assert shown > 0
    assert "Suppression rule" in (out / "2024Q2_summary.md").read_text(encoding="utf-8")
    # the run is in the s.62 log, and the chain still verifies
    assert "intact" in gvm("audit", "verify").stdout
    bad = gvm("report", "quarterly", "--quarter", "2024Q5", "--out", str(out), check=False)
    assert bad.returncode == 2 and "YYYYQn" in bad.stderr
