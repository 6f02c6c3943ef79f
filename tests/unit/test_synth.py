"""The synthetic London generator (gvm.synth): deterministic, SPEC section 4 bundles,
calibrated to the published Matrix figures, and biased only through the recording knob.

Files are read back with the csv module only (the interchange reader is separate).
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from gvm.domain.model import (
    CustodyPeriod,
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    Offence,
    Outcome,
    PersonRecords,
    Role,
    SourceGrade,
    SourceType,
)
from gvm.domain.scoring import ScoreResult, score_person
from gvm.reference import boroughs, default_policy, offence_catalogue
from gvm.synth import generate

AS_OF = date(2026, 9, 30)

# SPEC section 4, column for column.
SPEC_COLUMNS = {
    "people": ["person_id", "surname", "forenames", "date_of_birth", "sex", "ethnicity",
               "borough_code"],
    "gangs": ["gang_id", "name", "borough_code"],
    "offences": ["event_id", "date", "ho_offence_code", "person_id", "role", "outcome"],
    "intelligence": ["intel_id", "date", "person_id", "gang_id", "category", "source_id",
                     "source_type", "source_grade", "intel_grade", "handling_code", "summary"],
    "custody": ["person_id", "start_date", "end_date"],
    "aliases": ["person_id", "surname", "forenames"],
}


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in SPEC_COLUMNS:
        h.update((folder / f"{name}.csv").read_bytes())
    return h.hexdigest()


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _score(folder: Path) -> list[tuple[dict[str, str], ScoreResult]]:
    """Every person of a bundle scored on AS_OF with the one-person scorer."""
    d = date.fromisoformat
    offences: dict[str, list[Offence]] = defaultdict(list)
    intel: dict[str, list[Intelligence]] = defaultdict(list)
    custody: dict[str, list[CustodyPeriod]] = defaultdict(list)
    for r in _read(folder, "offences"):
        offences[r["person_id"]].append(Offence(
            r["event_id"], d(r["date"]), r["ho_offence_code"], r["person_id"], Role(r["role"]),
            Outcome(r["outcome"]) if r["outcome"] else None))
    for r in _read(folder, "intelligence"):
        intel[r["person_id"]].append(Intelligence(
            r["intel_id"], d(r["date"]), r["person_id"], r["gang_id"] or None,
            IntelCategory(r["category"]), r["source_id"], SourceType(r["source_type"]),
            SourceGrade(r["source_grade"]), IntelGrade(r["intel_grade"]),
            HandlingCode(r["handling_code"]), r["summary"]))
    for r in _read(folder, "custody"):
        custody[r["person_id"]].append(CustodyPeriod(
            r["person_id"], d(r["start_date"]), d(r["end_date"]) if r["end_date"] else None))
    policy, catalogue = default_policy(), offence_catalogue()
    out = []
    for p in _read(folder, "people"):
        pid = p["person_id"]
        records = PersonRecords(pid, tuple(offences[pid]), tuple(intel[pid]),
                                tuple(custody[pid]))
        out.append((p, score_person(records, AS_OF, policy, catalogue)))
    return out


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("synth")
    runs = {"a": (1, None), "a_again": (1, None), "b": (2, None),
            "biased": (1, {"Black": 2.0})}
    for key, (seed, bias) in runs.items():
        generate(root / key, seed=seed, scale="small", as_of=AS_OF, recording_bias=bias)
    return {key: root / key for key in runs}


@pytest.fixture(scope="module")
def scored(bundles: dict[str, Path]) -> list[tuple[dict[str, str], ScoreResult]]:
    return _score(bundles["a"])


def test_same_seed_same_bytes_and_different_seed_differs(bundles: dict[str, Path]) -> None:
    assert _digest(bundles["a"]) == _digest(bundles["a_again"])
    assert _digest(bundles["a"]) != _digest(bundles["b"])


def test_every_file_has_the_spec_header_and_summary_counts_rows(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = generate(tmp_path, seed=3, scale="small",
                       progress=lambda stage, done, total: calls.append((stage, done, total)))
    for name, columns in SPEC_COLUMNS.items():
        with (tmp_path / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == columns, name
        assert all(len(r) == len(columns) for r in rows[1:]), name
        assert summary.counts()[name] == len(rows) - 1, name
    assert calls[-1] == ("people", summary.people, summary.people)
    assert 300 <= summary.people <= 600


def test_codes_boroughs_references_and_enums_are_valid(bundles: dict[str, Path]) -> None:
    folder = bundles["a"]
    people = _read(folder, "people")
    ids = {p["person_id"] for p in people}
    gangs = _read(folder, "gangs")
    gang_ids = {g["gang_id"] for g in gangs}
    valid_boroughs = set(boroughs())
    assert {p["borough_code"] for p in people} <= valid_boroughs
    assert {g["borough_code"] for g in gangs} <= valid_boroughs
    assert len({(g["name"], g["borough_code"]) for g in gangs}) == len(gangs)
    assert {p["sex"] for p in people} <= {"M", "F", "X"}
    assert {p["ethnicity"] for p in people} <= {"Asian", "Black", "Mixed", "White", "Other", ""}
    assert sum(p["sex"] == "M" for p in people) / len(people) > 0.95

    catalogue = offence_catalogue()
    offences = _read(folder, "offences")
    assert {o["ho_offence_code"] for o in offences} <= set(catalogue)
    assert {o["person_id"] for o in offences} <= ids
    for o in offences:
        if o["role"] == "suspect":
            assert Outcome(o["outcome"])
        else:
            assert o["role"] in {"victim", "witness"} and o["outcome"] == ""
    days = [date.fromisoformat(o["date"]) for o in offences]
    assert min(days) < date(2021, 6, 1) and AS_OF < max(days) <= date(2027, 9, 30)
    # Some events join a suspect and a victim who are both held.
    roles_by_event: dict[str, set[str]] = defaultdict(set)
    for o in offences:
        roles_by_event[o["event_id"]].add(o["role"])
    assert any({"suspect", "victim"} <= r for r in roles_by_event.values())
    pairs = [(o["event_id"], o["person_id"]) for o in offences]
    assert len(set(pairs)) == len(pairs)  # one row per person and event

    for i in _read(folder, "intelligence"):
        assert i["person_id"] in ids
        if i["category"] == "gang_membership":
            assert i["gang_id"] in gang_ids
        else:
            assert i["gang_id"] == ""
        assert i["source_grade"] in {"1", "2", "3"} and i["intel_grade"] in set("ABCDE")
        assert i["handling_code"] in {"P", "C"}
        assert not any(w in i["summary"].lower() for w in ("music", "drill", "lyric", "rap "))
    assert {c["person_id"] for c in _read(folder, "custody")} <= ids
    aliases = [tuple(a.values()) for a in _read(folder, "aliases")]
    assert {a[0] for a in aliases} <= ids and len(set(aliases)) == len(aliases)
    names = {(p["person_id"], p["surname"], p["forenames"]) for p in people}
    assert not names & set(aliases)


def test_everyone_is_at_least_12_on_as_of(bundles: dict[str, Path]) -> None:
    ages = [_age(date.fromisoformat(p["date_of_birth"]), AS_OF)
            for p in _read(bundles["a"], "people")]
    assert min(ages) >= 12
    assert sum(15 <= a <= 24 for a in ages) / len(ages) > 0.5


def test_calibration_against_the_published_matrix(
    scored: list[tuple[dict[str, str], ScoreResult]],
) -> None:
    eligible = [(p, s) for p, s in scored if s.eligible]
    n = len(eligible)
    assert 0.25 * len(scored) < n < 0.75 * len(scored)  # candidates and victims held too
    zero = sum(s.harm_units == 0 for _, s in eligible) / n
    assert 0.25 <= zero <= 0.55
    bands = Counter(s.harm_band for _, s in eligible if s.harm_units > 0)
    assert bands.most_common(1)[0][0] == "Green"
    under_18 = sum(_age(date.fromisoformat(p["date_of_birth"]), AS_OF) < 18
                   for p, _ in eligible) / n
    assert 0.08 <= under_18 <= 0.25
    assert sum(s.victim_units > 0 for _, s in eligible) / n > 0.5


def _suspect_rate_by_group(folder: Path) -> dict[str, float]:
    group = {p["person_id"]: p["ethnicity"] for p in _read(folder, "people")}
    people = Counter(group.values())
    suspect = Counter(group[o["person_id"]] for o in _read(folder, "offences")
                      if o["role"] == "suspect")
    return {g: suspect[g] / people[g] for g in people}


def test_recording_bias_raises_the_share_without_changing_behaviour(
    bundles: dict[str, Path], scored: list[tuple[dict[str, str], ScoreResult]],
) -> None:
    def black_share(results: list[tuple[dict[str, str], ScoreResult]]) -> float:
        eligible = [p for p, s in results if s.eligible]
        return sum(p["ethnicity"] == "Black" for p in eligible) / len(eligible)

    assert black_share(_score(bundles["biased"])) > black_share(scored)
    plain, biased = (_suspect_rate_by_group(bundles[k]) for k in ("a", "biased"))
    assert plain.keys() == biased.keys()
    for g, rate in plain.items():
        assert biased[g] == pytest.approx(rate, rel=0.05), g


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ethnic group"):
        generate(tmp_path, scale="small", recording_bias={"Martian": 2.0})
    with pytest.raises(ValueError, match="multiplier"):
        generate(tmp_path, scale="small", recording_bias={"Black": -1.0})
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale="galactic")  # type: ignore[arg-type]
