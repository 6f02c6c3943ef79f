"""An erased person, or a name corrected by a later import, leaves no copy of the names
in an SQLite register's file (R-RETENTION: no shadow copies): not in free pages
(secure_delete) and not in the full-text name indexes, where a delete only adds a
tombstone and the name's trigrams, with their positions, would otherwise stay in older
segments. PostgreSQL keeps dead
rows and index entries until VACUUM (docs/OPERATIONS.md)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from gvm.domain.model import Bundle, Ethnicity, Person, Sex
from gvm.domain.views import PersonQuery
from gvm.storage import Database

CAMDEN = "E09000007"
# Trigrams found in no other name of the register, so that any of them in the file is
# the erased person's.
SURNAME, FORENAMES = "Qxjvwkpl", "Yzqrvm"
TRIGRAMS = [SURNAME.lower()[i:i + 3] for i in range(len(SURNAME) - 2)] + [
    FORENAMES.lower()[i:i + 3] for i in range(len(FORENAMES) - 2)]


def _person(person_id: str, surname: str, forenames: str) -> Person:
    return Person(person_id, surname, forenames, date(1990, 1, 1), Sex.MALE,
                  Ethnicity.WHITE, CAMDEN)


def _traces(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:  # the WAL's pages into the file, the WAL emptied
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes().lower()
    return {t: n for t in [SURNAME.lower(), FORENAMES.lower(), *TRIGRAMS]
            if (n := data.count(t.encode()))}


@contextmanager
def _register(path, sha) -> Iterator[Database]:
    """5,000 people, then X1 with the names to trace, in one import."""
    with Database(f"sqlite:///{path}") as db:
        db.upgrade()
        others = tuple(_person(f"Q{i:05d}", f"Surname{i % 97}", f"Fore{i % 89}")
                       for i in range(5000))
        with db.unit_of_work() as uow:
            uow.save_bundle(Bundle(people=(*others, _person("X1", SURNAME, FORENAMES))),
                            source_name="a.csv", sha256=sha)
            uow.commit()
        yield db


@pytest.mark.parametrize("later_imports", [0, 3])
def test_an_erased_persons_names_leave_the_file(tmp_path, sha, later_imports):
    path = tmp_path / "register.db"
    with _register(path, sha) as db:
        for n in range(later_imports):  # more segments in the indexes
            with db.unit_of_work() as uow:
                uow.save_bundle(Bundle(people=(_person(f"Z{n}", "Later", "One"),)),
                                source_name=f"b{n}.csv", sha256=f"{n:064d}")
                uow.commit()
        assert _traces(path)  # the check can see the names while they are held
        with db.unit_of_work() as uow:
            assert uow.erase_person("X1")
            uow.commit()
        with db.unit_of_work(read_only=True) as uow:  # the indexes still answer
            found = uow.search_people(PersonQuery(name="Surname13", limit=500))
            gone = uow.search_people(PersonQuery(name=SURNAME))
        assert {h.person_id for h in found} == {f"Q{i:05d}" for i in range(13, 5000, 97)}
        assert gone == []
    assert _traces(path) == {}


def test_every_sqlite_connection_overwrites_what_it_deletes(tmp_path):
    with Database(f"sqlite:///{tmp_path / 'r.db'}") as db:
        db.upgrade()
        with db.unit_of_work() as uow:
            assert uow.connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_a_name_corrected_by_a_later_import_leaves_no_trace_of_the_old(tmp_path, sha):
    path = tmp_path / "register.db"
    with _register(path, sha) as db:
        with db.unit_of_work() as uow:
            counts = uow.save_bundle(Bundle(people=(_person("X1", "Corrected", "Name"),)),
                                     source_name="b.csv", sha256="1" * 64)
            uow.commit()
        assert counts["people"]["updated"] == 1
        assert _traces_in_files(path) == {}  # nor in the write-ahead log
        with db.unit_of_work(read_only=True) as uow:
            assert uow.search_people(PersonQuery(name=SURNAME)) == []
            assert [h.person_id for h in uow.search_people(PersonQuery(name="Corrected"))
                    ] == ["X1"]
    assert _traces(path) == {}


def _traces_in_files(path) -> dict[str, int]:
    """The file and its WAL as they are, with the register still open: no checkpoint."""
    data = b"".join(p.read_bytes().lower() for p in (path, path.with_name(path.name + "-wal"))
                    if p.exists())
    return {t: n for t in [SURNAME.lower(), FORENAMES.lower(), *TRIGRAMS]
            if (n := data.count(t.encode()))}


def test_an_erasure_leaves_no_copy_in_the_write_ahead_log(tmp_path, sha):
    """The WAL keeps the pages of earlier transactions (the import that brought the
    person in) until they are overwritten, and a WAL is reused from its start without
    being shortened: the erasure empties it once it has committed."""
    path = tmp_path / "register.db"
    with _register(path, sha) as db:
        assert _traces_in_files(path)
        with db.unit_of_work() as uow:
            assert uow.erase_person("X1")
            uow.commit()
        assert _traces_in_files(path) == {}
        with db.unit_of_work(read_only=True) as uow:  # and the register reads on
            assert len(uow.search_people(PersonQuery(name="Surname13", limit=500))) == 52
