"""The name search's indexes (the trigram index of migration 0008, the vocabulary of
names of 0010) change how a search runs, never what it finds: every search below is
checked against the rule itself, written in Python (the name's words inside "forenames
surname" or "surname forenames", both lower-cased as Python does, so "ÉMILE" finds
"Émile" on SQLite too, whose own LIKE folds ASCII only), on both backends, through
imports, renames, erasures and names common enough that the search leaves the index for
its scan."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from gvm.domain.model import Bundle, Ethnicity, Person, Sex
from gvm.domain.views import PersonQuery
from gvm.storage import queries
from gvm.storage.database import Database

CAMDEN, HACKNEY = "E09000007", "E09000012"

NAMES = [
    ("Ashdown", "Kit"), ("ASHDOWN", "kit"), ("Smith", "John"), ("Smithers", "Ajohn"),
    ("Smith-Jones", "Mary Ann"), ("O'Brien", "Sean"), ("Émile", "Zoë"), ("ÉMILE", "ZOË"),
    ("Nguyễn", "Thị"), ("Okafor", "Dami"), ('Quote"d', "Name"), ("Per%cent", "Under_score"),
    ("Back\\slash", "Tab\tbed"), ("Ng", "Li"), ("Al", "Bo"), ("Kowalska", "Anna Maria"),
    ("Brennan", "Sam"), ("Mc Donald", "Ron"), ("Smith", "Jo"), ("Johnson", "Smith"),
]

QUERIES = [
    "smi", "SMITH", "mith", "john smith", "ajohn smith", "hn sm", "ith jo", "ann smith",
    "mary ann", "Émile", "émile", "ÉMI", "zoë", "o'br", 'quote"d', "per%cent", "%",
    "_", "under_score", "back\\slash", "tab", "ng", "al", "li", "nguyễn", "kowalska anna",
    "anna maria kowalska", "maria", "smith, john", "  smith   john ", "donald", "mc donald",
    "zzz", "okafor dami", "dami okafor", "sam brennan", "brennan, sam", "jo", "smi jo",
]


def expected(people: list[Person], name: str, boroughs: tuple[str, ...] | None,
             limit: int) -> list[str]:
    words = " ".join(name.replace(",", " ").split()).lower()
    found = [p for p in people
             if (boroughs is None or p.borough_code in boroughs)
             and any(words in s.lower() for s in (f"{p.forenames} {p.surname}",
                                                       f"{p.surname} {p.forenames}"))]
    found.sort(key=lambda p: (p.surname, p.forenames, p.person_id))
    return [p.person_id for p in found[:limit]]


def person(i: int, surname: str, forenames: str, borough: str = CAMDEN) -> Person:
    return Person(f"P{i:05d}", surname, forenames, date(2000, 1, 1), Sex.MALE,
                  Ethnicity.WHITE, borough)


def save(db: Database, people: list[Person], name: str) -> None:
    with db.unit_of_work() as uow:
        uow.save_bundle(Bundle(people=tuple(people)), source_name=name,
                        sha256=hashlib.sha256(name.encode()).hexdigest())
        uow.commit()


def found(db: Database, name: str, boroughs: tuple[str, ...] | None = None,
          limit: int = 50) -> list[str]:
    with db.unit_of_work(read_only=True) as uow:
        return [h.person_id for h in uow.search_people(
            PersonQuery(name=name, boroughs=boroughs, limit=limit))]


def check_all(db: Database, people: list[Person], queries_: list[str]) -> None:
    for q in queries_:
        for boroughs in (None, (CAMDEN,), (HACKNEY,)):
            for limit in (50, 2):
                assert found(db, q, boroughs, limit) == expected(people, q, boroughs, limit), (
                    q, boroughs, limit)


@pytest.fixture
def people() -> list[Person]:
    return [person(i, s, f, CAMDEN if i % 3 else HACKNEY) for i, (s, f) in enumerate(NAMES)]


def test_search_finds_what_the_rule_says_for_awkward_names(database, people):
    save(database, people, "a")
    rng = random.Random(7)
    # and substrings cut at random from the names, across the space between them
    cut = []
    for p in people:
        full = f"{p.forenames} {p.surname}"
        start = rng.randrange(len(full))
        cut.append(full[start:start + rng.randrange(1, 9)])
    check_all(database, people, QUERIES + cut)


def test_index_follows_renames_and_erasure(database, people):
    save(database, people, "a")
    renamed = [person(2, "Wolfe", "Johanna") if p.person_id == "P00002" else p for p in people]
    save(database, renamed, "b")  # the upsert updates the name in place
    assert "P00002" in found(database, "wolfe") and "P00002" not in found(database, "smith")
    with database.unit_of_work() as uow:
        assert uow.erase_person("P00003")
        uow.commit()
    left = [p for p in renamed if p.person_id != "P00003"]
    check_all(database, left, ["smi", "smithers", "wolfe", "johanna", "ajohn", "mary"])


def test_common_names_leave_the_index_and_still_find_the_same(database):
    many = [person(i, f"Smith{i % 7}", f"Name{i}") for i in range(queries.MAX_CANDIDATES + 150)]
    many += [person(5000 + i, "Rare", f"Smi{i}", HACKNEY) for i in range(3)]
    save(database, many, "c")
    check_all(database, many, ["smi", "smith3", "rare", "name10", "rare smi1"])


def test_sqlite_keeps_the_trigram_table_in_step_with_people(make_database, people):
    db = make_database()
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 table is SQLite's")
    db.upgrade()
    save(db, people, "a")
    with db.engine.connect() as conn:
        held = conn.execute(sa.text(
            "SELECT k.person_id, n.surname, n.forenames FROM people_names n "
            "JOIN people_name_keys k ON k.key = n.rowid ORDER BY k.person_id")).all()
    assert [tuple(r) for r in held] == sorted((p.person_id, p.surname, p.forenames)
                                              for p in people)


@pytest.mark.postgres
def test_postgresql_has_trigram_indexes_on_both_names(make_database):
    db = make_database()
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    db.upgrade()
    with db.engine.connect() as conn:
        names = set(conn.execute(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'people' "
            "AND schemaname = current_schema()")).scalars())
    assert {"ix_people_surname_trgm", "ix_people_forenames_trgm"} <= names


def vocabulary(db: Database) -> Counter:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT field, name, people FROM name_vocabulary")).all()
    return Counter({(r.field, r.name): r.people for r in rows})


def names_of(people: list[Person]) -> Counter:
    return Counter([("surname", p.surname) for p in people]
                   + [("forenames", p.forenames) for p in people])


def test_the_vocabulary_counts_the_names_held_and_forgets_a_name_with_its_last_bearer(
        database, people):
    save(database, people, "a")
    assert vocabulary(database) == names_of(people)
    renamed = [person(2, "Wolfe", "Johanna") if p.person_id == "P00002" else p for p in people]
    save(database, renamed, "b")
    assert vocabulary(database) == names_of(renamed)
    assert ("surname", "Wolfe") in vocabulary(database)
    with database.unit_of_work() as uow:  # the one Okafor
        assert uow.erase_person("P00009")
        uow.commit()
    left = [p for p in renamed if p.person_id != "P00009"]
    assert vocabulary(database) == names_of(left)
    assert ("surname", "Okafor") not in vocabulary(database)
    assert found(database, "okafor") == []


def test_many_bearers_of_few_names_page_in_name_order(database):
    """A page comes from the people of the matching names in order, merged across
    surnames and forenames, in and out of borough scope."""
    rng = random.Random(3)
    many = [person(i, rng.choice(["Osei", "Rose", "Ambrose", "Oseni", "Lin"]),
                   rng.choice(["Rose", "Jose", "Kofi", "Mary Rose", "Osei"]),
                   CAMDEN if i % 4 else HACKNEY) for i in range(400)]
    save(database, many, "d")
    check_all(database, many, ["ose", "ros", "osei", "rose", "lin", "kofi", "o", "se"])
