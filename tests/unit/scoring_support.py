"""Builders and the engine check shared by the scoring tests.

`score_both` scores people with the one-person path (`score_person`), the batch engine
(`score_batch`) and the re-score engine (`score_tables` on `prepare_tables`), asserts
all three agree on every output column for every person, asserts each explanation sums
to its score, and returns the one-person results.
"""

from __future__ import annotations

import copy
import itertools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import polars as pl

from gvm.domain.batch import score_batch
from gvm.domain.frames import CUSTODY, INTELLIGENCE, OFFENCES, PEOPLE, SCORES
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
from gvm.domain.policy import SCORE_SCALE, Policy, parse_policy
from gvm.domain.rescore import score_tables
from gvm.domain.scoring import (
    AFTER_AS_OF,
    COUNTED,
    OUT_OF_SCOPE,
    OUTCOME_ZERO,
    OUTSIDE_WINDOW,
    OVER_CAP,
    UNGRADED,
    ExplanationItem,
    ScoreResult,
    score_person,
)
from gvm.domain.scoring_tables import prepare_tables
from gvm.reference import default_policy, offence_catalogue

CATALOGUE: Mapping[str, str] = offence_catalogue()
DEFAULT: Policy = default_policy()
PERSON = "P1"

REASONS = {COUNTED, AFTER_AS_OF, OUTSIDE_WINDOW, OUT_OF_SCOPE, UNGRADED, OVER_CAP,
           *OUTCOME_ZERO.values(), "no outcome recorded", "outcome scores 0"}

_ids = itertools.count(1)
_DEFAULT_OUTCOME: Any = object()


def default_policy_data() -> dict[str, Any]:
    """The shipped default policy file, parsed (a fresh copy to modify)."""
    path = resources.files("gvm") / "data" / "policy" / "default.toml"
    with path.open("rb") as f:
        return tomllib.load(f)


def custom_policy(**sections: Mapping[str, Any]) -> Policy:
    """The default policy with some keys of some sections replaced.

    custom_policy(windows={"offender_offences_months": 12}) changes that one key; a
    section named with a trailing underscore (offence_codes_) is replaced whole.
    """
    data = copy.deepcopy(default_policy_data())
    for name, values in sections.items():
        if name.endswith("_"):
            data[name.rstrip("_")] = dict(values)
        elif name == "points":
            data["intelligence"]["points"].update(values)
        else:
            data.setdefault(name, {}).update(values)
    data["policy"]["version"] = data["policy"]["version"] + "-test"
    return parse_policy(data)


def offence(
    day: date,
    code: str = "8N",
    role: Role | str = Role.SUSPECT,
    outcome: Outcome | str | None = _DEFAULT_OUTCOME,
    *,
    person_id: str = PERSON,
    event_id: str | None = None,
) -> Offence:
    role = Role(role)
    if outcome is _DEFAULT_OUTCOME:
        outcome = Outcome.CONVICTED if role is Role.SUSPECT else None
    return Offence(
        event_id=event_id or f"E{next(_ids)}",
        date=day,
        ho_offence_code=code,
        person_id=person_id,
        role=role,
        outcome=None if outcome is None else Outcome(outcome),
    )


def intel(
    day: date,
    category: IntelCategory | str = IntelCategory.WEAPON_ACCESS,
    *,
    source_id: str = "S1",
    source_type: SourceType | str = SourceType.POLICE,
    source_grade: SourceGrade | str = "1",
    intel_grade: IntelGrade | str = "A",
    person_id: str = PERSON,
    intel_id: str | None = None,
) -> Intelligence:
    category = IntelCategory(category)
    return Intelligence(
        intel_id=intel_id or f"I{next(_ids)}",
        date=day,
        person_id=person_id,
        gang_id="G1" if category is IntelCategory.GANG_MEMBERSHIP else None,
        category=category,
        source_id=source_id,
        source_type=SourceType(source_type),
        source_grade=SourceGrade(source_grade),
        intel_grade=IntelGrade(intel_grade),
        handling_code=HandlingCode.P,
        summary="test",
    )


def custody(start: date, end: date | None = None, *, person_id: str = PERSON) -> CustodyPeriod:
    return CustodyPeriod(person_id=person_id, start_date=start, end_date=end)


def records(person_id: str = PERSON, items: Iterable[Any] = ()) -> PersonRecords:
    """A person's records from a mixed list of offences, intelligence and custody."""
    items = list(items)
    return PersonRecords(
        person_id=person_id,
        offences=tuple(i for i in items if isinstance(i, Offence)),
        intelligence=tuple(i for i in items if isinstance(i, Intelligence)),
        custody=tuple(i for i in items if isinstance(i, CustodyPeriod)),
    )


def to_frames(people: Sequence[PersonRecords]) -> tuple[pl.DataFrame, ...]:
    """The frames (gvm.domain.frames layouts) the batch engine reads for `people`."""
    offences = [
        (o.person_id, o.event_id, o.date, o.ho_offence_code, o.role.value,
         None if o.outcome is None else o.outcome.value)
        for p in people for o in p.offences
    ]
    intelligence = [
        (i.person_id, i.intel_id, i.date, i.category.value, i.source_id,
         i.source_type.value, i.source_grade.value, i.intel_grade.value)
        for p in people for i in p.intelligence
    ]
    periods = [(c.person_id, c.start_date, c.end_date) for p in people for c in p.custody]
    return (
        pl.DataFrame([(p.person_id,) for p in people], schema=PEOPLE, orient="row"),
        pl.DataFrame(offences, schema=OFFENCES, orient="row"),
        pl.DataFrame(intelligence, schema=INTELLIGENCE, orient="row"),
        pl.DataFrame(periods, schema=CUSTODY, orient="row"),
    )


def expected_row(result: ScoreResult) -> dict[str, Any]:
    """What the batch engine must say about a person, from the one-person result."""
    return {
        "person_id": result.person_id,
        "harm_units": result.harm_units,
        "victim_units": result.victim_units,
        "harm_score": result.harm_score,
        "victim_score": result.victim_score,
        "harm_band": result.harm_band,
        "victim_band": result.victim_band,
        "eligible": result.eligible,
        "in_custody": result.in_custody,
    }


def check_explanation(result: ScoreResult, policy: Policy) -> None:
    """Every item is counted or excluded with a reason, and the items sum to the score."""
    for items, units in ((result.harm_items, result.harm_units),
                         (result.victim_items, result.victim_units)):
        assert sum(i.points_units for i in items) == units, (items, units)
        for item in items:
            assert item.reason in REASONS, item
            if not item.counted:
                assert item.points_units == 0, item
    assert result.policy_version == policy.label
    assert result.policy_hash == policy.content_hash


def score_both(
    people: Sequence[PersonRecords],
    as_of: date,
    policy: Policy = DEFAULT,
    catalogue: Mapping[str, str] = CATALOGUE,
) -> dict[str, ScoreResult]:
    """Score with the one-person path, the batch engine and the re-score engine on
    encoded tables; assert all three agree exactly; the one-person results."""
    singles = {p.person_id: score_person(p, as_of, policy, catalogue) for p in people}
    for result in singles.values():
        check_explanation(result, policy)
    frames = to_frames(people)
    for lazy in (False, True):
        inputs = [f.lazy() for f in frames] if lazy else list(frames)
        batch = score_batch(*inputs, as_of, policy, catalogue)
        assert batch.schema == pl.Schema(SCORES)
        assert batch["person_id"].to_list() == sorted(singles)
        for row in batch.iter_rows(named=True):
            expected = expected_row(singles[row["person_id"]])
            assert row == expected, (lazy, row, expected)
    rescored = score_tables(prepare_tables(*frames), as_of, policy, catalogue)
    assert rescored.equals(batch), (rescored, batch)
    return singles


def score_one(
    as_of: date, *items: Any, policy: Policy = DEFAULT,
    catalogue: Mapping[str, str] = CATALOGUE,
) -> ScoreResult:
    """One person's result, checked against the batch engine (beside a person with no
    records, who must score nothing)."""
    nobody = PersonRecords(person_id="P0")
    results = score_both([records(PERSON, items), nobody], as_of, policy, catalogue)
    assert expected_row(results["P0"]) == {
        "person_id": "P0", "harm_units": 0, "victim_units": 0, "harm_score": 0.0,
        "victim_score": 0.0, "harm_band": "Zero", "victim_band": "Zero",
        "eligible": False, "in_custody": False,
    }
    return results[PERSON]


def only(items: Sequence[ExplanationItem]) -> ExplanationItem:
    assert len(items) == 1, items
    return items[0]


def units(score: float | str) -> int:
    """A score in days as exact integer units (x SCORE_SCALE)."""
    return int(Decimal(str(score)) * SCORE_SCALE)
