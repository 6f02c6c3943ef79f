"""The name search's vocabulary (migration 0010, whose triggers keep it in step with
`people`), on the metadata of gvm.storage.tables (import it from there: that module
imports this one last), and the names of the search's index objects kept outside it."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, UniqueConstraint

from gvm.storage.tables import metadata, one_of

# Every distinct surname and forenames held, with how many people bear it: what a
# one-word name search matches before it reads any person (migration 0010, whose
# triggers keep it in step with `people`; a name goes with its last bearer).
name_vocabulary = Table(
    "name_vocabulary", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("field", String, nullable=False),
    Column("name", String, nullable=False),
    Column("people", Integer, nullable=False),
    one_of("field", ("surname", "forenames")),
    UniqueConstraint("field", "name"),
)

# The name search's trigram indexes (migrations 0008 and 0010) are not in this metadata:
# on SQLite FTS5 tables (with the shadow tables FTS5 makes for them) and a key table, on
# PostgreSQL GIN expression indexes. What compares the database with `metadata` skips them.
NAME_SEARCH_OBJECTS = frozenset({
    "people_name_keys", "people_names", "people_names_data", "people_names_idx",
    "people_names_content", "people_names_docsize", "people_names_config",
    "ix_people_surname_trgm", "ix_people_forenames_trgm",
    "name_trigrams", "name_trigrams_data", "name_trigrams_idx", "name_trigrams_docsize",
    "name_trigrams_config", "ix_name_vocabulary_trgm",
})

