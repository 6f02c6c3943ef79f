"""What the batch scorer reads (exactly the gvm.domain.frames layouts) and how score runs
are stored: with the policy version and content hash that produced them (SPEC 3)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import text

from gvm.domain import frames
from gvm.reference import default_policy

CAMDEN = "E09000007"


@pytest.fixture
def loaded(database, bundle, sha):
    with database.unit_of_work() as uow:
        uow.save_bundle(bundle, source_name="b.csv", sha256=sha)
        uow.commit()
    return database


def test_scoring_frames_have_exactly_the_engine_layouts(loaded):
    with loaded.unit_of_work(read_only=True) as uow:
        people, offences, intelligence, custody = uow.scoring_frames()
    for frame, layout in ((people, frames.PEOPLE), (offences, frames.OFFENCES),
                          (intelligence, frames.INTELLIGENCE), (custody, frames.CUSTODY)):
        assert dict(frame.schema) == layout
    assert people["person_id"].to_list() == ["P1", "P2", "P3"]
    assert offences.sort("person_id", "event_id").rows() == [
        ("P1", "E1", date(2024, 1, 10), "8/1", "suspect", "charged"),
        ("P2", "E2", date(2023, 8, 2), "34B", "suspect", "convicted"),
        ("P2", "E3", date(2022, 2, 2), "8/1", "witness", None),
        ("P3", "E1", date(2024, 1, 10), "8/1", "victim", None),
    ]
    assert intelligence.sort("intel_id").row(0) == (
        "P1", "I1", date(2024, 5, 1), "gang_membership", "S1", "police", "1", "B")
    assert custody.sort("person_id").rows() == [("P1", date(2020, 1, 1), date(2020, 6, 30)),
                              ("P2", date(2024, 1, 1), None)]


def test_scoring_frames_of_one_borough(loaded):
    with loaded.unit_of_work() as uow:
        people, offences, intelligence, custody = uow.scoring_frames(CAMDEN)
        boroughs = uow.people_boroughs()
    assert people["person_id"].to_list() == ["P1", "P2"]
    assert set(offences["person_id"]) == {"P1", "P2"}
    assert set(intelligence["person_id"]) == {"P1"}
    assert set(custody["person_id"]) == {"P1", "P2"}
    assert dict(zip(boroughs["person_id"], boroughs["borough_code"], strict=True)) == {
        "P1": CAMDEN, "P2": CAMDEN, "P3": "E09000012"}


def test_scoring_frames_of_an_empty_register(database):
    with database.unit_of_work() as uow:
        result = uow.scoring_frames()
    for frame, layout in zip(result, (frames.PEOPLE, frames.OFFENCES, frames.INTELLIGENCE,
                                      frames.CUSTODY), strict=True):
        assert frame.height == 0 and dict(frame.schema) == layout


def _scores() -> pl.DataFrame:
    units = [73_000_000_000, 0, 1_000_000_000_000]  # 730, 0, 10,000 days
    return pl.DataFrame({
        "person_id": ["P1", "P2", "P3"],
        "harm_units": units,
        "victim_units": [0, 25_000_000_000, 0],
        "harm_score": [u / 1e8 for u in units],
        "victim_score": [0.0, 250.0, 0.0],
        "harm_band": ["Red", "Zero", "Red"],
        "victim_band": ["Zero", "Amber", "Zero"],
        "eligible": [True, False, False],
        "in_custody": [False, True, False],
    }, schema=frames.SCORES)


def test_a_score_run_stores_the_policy_version_and_hash(loaded, count):
    policy = default_policy()
    with loaded.unit_of_work() as uow:
        run_id = uow.save_score_run(date(2024, 8, 1), policy, _scores(), scope=None)
        uow.commit()
    with loaded.engine.connect() as conn:
        run = conn.execute(text("SELECT * FROM score_runs WHERE id = :i"), {"i": run_id}).one()
    assert (run.policy_name, run.policy_version, run.policy_hash, run.people_count) == (
        policy.name, policy.version, policy.content_hash, 3)
    assert count(loaded, "scores", "run_id = :r", r=run_id) == 3
    with loaded.unit_of_work() as uow:
        stored = uow.latest_scores("P3")
        assert_frame_equal(uow.run_scores(run_id), _scores())
    assert (stored.run_id, stored.as_of, stored.policy_hash) == (
        run_id, date(2024, 8, 1), policy.content_hash)
    assert (stored.harm_units, stored.harm_score, stored.harm_band) == (
        1_000_000_000_000, 10_000.0, "Red")
    assert stored.in_custody is False and stored.eligible is False


def test_latest_scores_come_from_the_latest_run(loaded):
    with loaded.unit_of_work() as uow:
        uow.save_score_run(date(2024, 8, 1), default_policy(), _scores())
        later = uow.save_score_run(date(2024, 11, 1), default_policy(),
                                   _scores().filter(pl.col("person_id") == "P2"), "E09000007")
        uow.save_score_run(date(2024, 5, 1), default_policy(), _scores())
        uow.commit()
    with loaded.unit_of_work() as uow:
        assert uow.latest_scores("P2").run_id == later
        assert uow.latest_scores("P2").scope == "E09000007"
        assert uow.latest_scores("P1").as_of == date(2024, 8, 1)


def test_a_run_makes_the_current_bands_where_it_is_the_fresher(loaded):
    """current_scores holds each person's freshest stored score (by as_of, then by when
    computed), so the bands beside a search hit are the latest run's."""
    def bands() -> dict[str, str]:
        with loaded.unit_of_work(read_only=True) as uow:
            return {h.person_id: (h.harm_band, h.scored_as_of)
                    for h in uow.people_summaries(["P1", "P2", "P3"])}

    with loaded.unit_of_work() as uow:
        uow.save_score_run(date(2024, 8, 1), default_policy(), _scores())
        uow.commit()
    assert bands() == {"P1": ("Red", date(2024, 8, 1)), "P2": ("Zero", date(2024, 8, 1)),
                       "P3": ("Red", date(2024, 8, 1))}
    later = _scores().filter(pl.col("person_id") == "P2").with_columns(harm_band=pl.lit("Green"))
    earlier = _scores().with_columns(harm_band=pl.lit("Amber"))
    with loaded.unit_of_work() as uow:
        uow.save_score_run(date(2024, 11, 1), default_policy(), later, "E09000007")
        uow.save_score_run(date(2024, 5, 1), default_policy(), earlier)  # older: no change
        uow.commit()
    assert bands() == {"P1": ("Red", date(2024, 8, 1)), "P2": ("Green", date(2024, 11, 1)),
                       "P3": ("Red", date(2024, 8, 1))}
    with loaded.unit_of_work() as uow:  # the same as_of, computed later: it wins
        uow.save_score_run(date(2024, 8, 1), default_policy(), earlier)
        uow.commit()
    assert bands() == {"P1": ("Amber", date(2024, 8, 1)), "P2": ("Green", date(2024, 11, 1)),
                       "P3": ("Amber", date(2024, 8, 1))}
    with loaded.unit_of_work(read_only=True) as uow:
        assert uow.latest_scores("P1").harm_band == "Amber"


@pytest.mark.parametrize("broken", [
    lambda f: f.drop("in_custody"),
    lambda f: f.with_columns(harm_band=pl.lit("Purple")),
    lambda f: pl.concat([f, f.head(1)]),
])
def test_a_malformed_scores_frame_is_refused(loaded, broken):
    with pytest.raises(ValueError, match="scores frame"), loaded.unit_of_work() as uow:
        uow.save_score_run(date(2024, 8, 1), default_policy(), broken(_scores()))
