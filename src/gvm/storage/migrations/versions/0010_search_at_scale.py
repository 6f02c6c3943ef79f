"""The name search at any size, and the current bands in one place.

1. A vocabulary of names (`name_vocabulary`): every distinct surname and forenames held,
   with how many people bear it, kept in step with `people` by triggers (a name goes
   when its last bearer does, so an erased person's name does not linger). A one-word
   search matches the vocabulary (thousands of names, trigram-indexed) instead of every
   person (a million), then reads the people of the matching names in name order and
   stops at a page (gvm.storage.queries). SQLite: row triggers, and an FTS5 `trigram`
   table over the vocabulary with it as external content (ids kept: its id is an
   INTEGER PRIMARY KEY, which VACUUM keeps). PostgreSQL: statement triggers over the
   transition tables (one statement per written statement, as migration 0009's), and a
   GIN trigram index on lower(name) where pg_trgm is installed (migration 0008).
2. The people indexes in the search's order (surname, forenames, person_id) and
   (forenames, surname, person_id), replacing (surname, forenames, date_of_birth) and
   (forenames): the rows of one name then come in order, and a page needs no sort of
   every bearer of a common name.
3. `current_scores` filled from the score runs: each person's freshest stored score (by
   as_of, then by when it was computed). From now on a score run updates it too
   (gvm.storage.scores), so the bands shown beside every search hit are one join away.

Written out by hand like 0001-0009.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FIELDS = ("surname", "forenames")

_SQLITE_COUNT = (
    "INSERT INTO name_vocabulary (field, name, people) VALUES "
    "('surname', {row}.surname, {sign}1), ('forenames', {row}.forenames, {sign}1) "
    "ON CONFLICT (field, name) DO UPDATE SET people = people {sign} 1;")
_SQLITE_DROP_ZEROS = (
    "DELETE FROM name_vocabulary WHERE people <= 0 AND ((field = 'surname' AND name = "
    "old.surname) OR (field = 'forenames' AND name = old.forenames));")
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE name_trigrams USING fts5(name, content = 'name_vocabulary', "
    "content_rowid = 'id', tokenize = 'trigram')",
    "CREATE TRIGGER name_vocabulary_insert AFTER INSERT ON name_vocabulary BEGIN "
    "INSERT INTO name_trigrams (rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER name_vocabulary_delete AFTER DELETE ON name_vocabulary BEGIN "
    "INSERT INTO name_trigrams (name_trigrams, rowid, name) VALUES ('delete', old.id, "
    "old.name); END",
    "CREATE TRIGGER people_vocabulary_insert AFTER INSERT ON people BEGIN "
    + _SQLITE_COUNT.format(row="new", sign="+") + " END",
    "CREATE TRIGGER people_vocabulary_update AFTER UPDATE OF surname, forenames ON people "
    "WHEN old.surname IS NOT new.surname OR old.forenames IS NOT new.forenames BEGIN "
    + _SQLITE_COUNT.format(row="old", sign="-") + " " + _SQLITE_DROP_ZEROS + " "
    + _SQLITE_COUNT.format(row="new", sign="+") + " END",
    "CREATE TRIGGER people_vocabulary_delete AFTER DELETE ON people BEGIN "
    + _SQLITE_COUNT.format(row="old", sign="-") + " " + _SQLITE_DROP_ZEROS + " END",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS people_vocabulary_delete",
    "DROP TRIGGER IF EXISTS people_vocabulary_update",
    "DROP TRIGGER IF EXISTS people_vocabulary_insert",
    "DROP TRIGGER IF EXISTS name_vocabulary_delete",
    "DROP TRIGGER IF EXISTS name_vocabulary_insert",
    "DROP TABLE IF EXISTS name_trigrams",
)

# The names of a set of people rows (a transition table), counted.
_PG_NAMES = ("SELECT 'surname' AS field, surname AS name, count(*) AS people FROM {0} "
             "GROUP BY surname UNION ALL SELECT 'forenames', forenames, count(*) FROM {0} "
             "GROUP BY forenames")
_PG_VOCABULARY = f"""
CREATE FUNCTION name_vocabulary_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE name_vocabulary v SET people = v.people - gone.people
    FROM ({_PG_NAMES.format("before_change")}) gone
    WHERE v.field = gone.field AND v.name = gone.name;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO name_vocabulary (field, name, people)
    SELECT field, name, people FROM ({_PG_NAMES.format("changed")}) came
    ORDER BY field, name
    ON CONFLICT (field, name) DO UPDATE SET people = name_vocabulary.people + excluded.people;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM name_vocabulary v USING ({_PG_NAMES.format("before_change")}) gone
    WHERE v.field = gone.field AND v.name = gone.name AND v.people <= 0;
  END IF;
  RETURN NULL;
END $$
"""  # noqa: S608 - constants only
_PG_TRIGGERS = (
    ("insert", "INSERT", "REFERENCING NEW TABLE AS changed"),
    ("update", "UPDATE", "REFERENCING OLD TABLE AS before_change NEW TABLE AS changed"),
    ("delete", "DELETE", "REFERENCING OLD TABLE AS before_change"),
)

# Each person's freshest run score (as gvm.storage.scores.latest_score picks it), into
# current_scores where it is fresher. ("AND true": SQLite would read the upsert's ON as
# a join's without it.)
_BACKFILL = """
INSERT INTO current_scores (person_id, as_of, policy_name, policy_version, policy_hash,
    scored_at, harm_units, victim_units, harm_band, victim_band, eligible, in_custody)
SELECT s.person_id, r.as_of, r.policy_name, r.policy_version, r.policy_hash, r.created_at,
    s.harm_units, s.victim_units, s.harm_band, s.victim_band, s.eligible, s.in_custody
FROM scores s JOIN score_runs r ON r.id = s.run_id
WHERE r.id = (SELECT s2.run_id FROM scores s2 JOIN score_runs r2 ON r2.id = s2.run_id
              WHERE s2.person_id = s.person_id ORDER BY r2.as_of DESC, r2.id DESC
              LIMIT 1) AND true
ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of,
    policy_name = excluded.policy_name, policy_version = excluded.policy_version,
    policy_hash = excluded.policy_hash, scored_at = excluded.scored_at,
    harm_units = excluded.harm_units, victim_units = excluded.victim_units,
    harm_band = excluded.harm_band, victim_band = excluded.victim_band,
    eligible = excluded.eligible, in_custody = excluded.in_custody
WHERE (excluded.as_of, excluded.scored_at) > (current_scores.as_of, current_scores.scored_at)
"""


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    op.create_table(
        "name_vocabulary",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("field", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("people", sa.Integer, nullable=False),
        sa.CheckConstraint("field IN ('surname', 'forenames')", name="field"),
        sa.UniqueConstraint("field", "name"),
    )
    op.execute("INSERT INTO name_vocabulary (field, name, people) "
               + _PG_NAMES.format("people") + " ORDER BY 1, 2")
    op.drop_index("ix_people_name", table_name="people")
    op.drop_index("ix_people_forenames", table_name="people")
    op.create_index("ix_people_surname_order", "people", ["surname", "forenames", "person_id"])
    op.create_index("ix_people_forenames_order", "people",
                    ["forenames", "surname", "person_id"])
    if postgresql:
        _postgresql_vocabulary(bind)
    else:
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
        op.execute("INSERT INTO name_trigrams (name_trigrams) VALUES ('rebuild')")
    op.execute(_BACKFILL)


def _postgresql_vocabulary(bind: sa.Connection) -> None:
    op.execute(_PG_VOCABULARY)
    for event, operation, transitions in _PG_TRIGGERS:
        op.execute(f"CREATE TRIGGER people_vocabulary_{event} AFTER {operation} ON people "
                   f"{transitions} FOR EACH STATEMENT EXECUTE FUNCTION name_vocabulary_count()")
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one_or_none()
    if schema is not None:  # else the vocabulary is scanned: it is small
        op.execute("CREATE INDEX ix_name_vocabulary_trgm ON name_vocabulary "
                   f'USING gin (lower(name) "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for event, _, _ in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS people_vocabulary_{event} ON people")
        op.execute("DROP FUNCTION IF EXISTS name_vocabulary_count()")
    else:
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    op.drop_index("ix_people_forenames_order", table_name="people")
    op.drop_index("ix_people_surname_order", table_name="people")
    op.create_index("ix_people_name", "people", ["surname", "forenames", "date_of_birth"])
    op.create_index("ix_people_forenames", "people", ["forenames"])
    op.drop_table("name_vocabulary")
