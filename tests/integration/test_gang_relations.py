"""Gang relations in storage (issue 6, gang conflict picture), on SQLite and PostgreSQL:
imported idempotently by their natural key, read back for the picture with gangs and
gang membership (ids and dates only), and refused by the schema when a gang is paired
with itself or the relation is unknown."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from gvm.domain.model import GangLink, GangRelation


def _save(db, bundle, sha):
    with db.unit_of_work() as uow:
        counts = uow.save_bundle(bundle, source_name="bundle", sha256=sha)
        uow.commit()
    return counts


def test_relations_round_trip_and_reimport_changes_nothing(database, bundle, sha):
    link = GangLink("G1", "G2", GangRelation.RIVALRY, date(2024, 3, 1), "police intelligence")
    with_links = replace(bundle, gang_relations=(link,))
    assert _save(database, with_links, sha)["gang_relations"]["new"] == 1
    again = _save(database, replace(with_links, gang_relations=(
        replace(link, source="partner agency"),)), sha)
    assert again["gang_relations"]["updated"] == 1
    with database.unit_of_work() as uow:
        gangs, relations, memberships = uow.gang_frames()
    assert gangs.rows() == [("G1", "Northside", "E09000007"), ("G2", "Riverside", "E09000012")]
    assert relations.rows() == [("G1", "G2", "rivalry", date(2024, 3, 1))]
    assert sorted(memberships.rows()) == [("P1", "G1", date(2024, 5, 1)),
                                          ("P1", "G1", date(2024, 6, 1))]
    assert "gang_relations" not in _save(database, bundle, sha)  # without the file


@pytest.mark.parametrize(("gang_b", "relation"), [("G1", "rivalry"), ("G2", "beef")])
def test_schema_refuses_a_bad_relation(database, bundle, sha, gang_b, relation):
    _save(database, bundle, sha)
    with pytest.raises(sa.exc.IntegrityError), database.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO gang_relations (gang_a, gang_b, relation, date, "
                             "source) VALUES ('G1', :b, :r, '2024-01-01', 'x')"),
                     {"b": gang_b, "r": relation})
