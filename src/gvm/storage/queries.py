"""The read side's SQL (Core, no ORM): people search, gangs, one intelligence item and
its correction, score run summaries.

Searches are bounded (LIMIT) and scoped in SQL (`borough_code IN (...)`, served by
ix_people_borough_code), so a borough user's search never reads another borough's rows.
An exact date of birth or id uses its index; a name is a case-insensitive substring
match (LIKE with escaped wildcards). On SQLite a name whose every word has three
characters or more first looks up its candidates in the trigram index of migration 0008
(`people_names`), and the same LIKE then decides among them; on PostgreSQL the LIKE
itself uses that migration's trigram indexes where pg_trgm is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.sql import column

from gvm.domain.model import (
    HandlingCode,
    IntelCategory,
    IntelGrade,
    Intelligence,
    SourceGrade,
    SourceType,
)
from gvm.domain.views import GangSummary, PersonHit, PersonQuery, ScoreRunSummary
from gvm.storage.engine import UNICODE_LOWER
from gvm.storage.prepared import Prepared
from gvm.storage.tables import (
    aliases,
    current_scores,
    gangs,
    intelligence,
    name_vocabulary,
    people,
    score_runs,
    scores,
)

INTELLIGENCE_FIELDS = ("person_id", "gang_id", "date", "category", "source_id", "source_type",
                       "source_grade", "intel_grade", "handling_code", "summary")


def _pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, case-insensitively, with LIKE's own
    wildcards in `text` taken literally. Commas and runs of spaces count as one space."""
    words = " ".join(text.replace(",", " ").split()).lower()
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like(value: Any, pattern: Any, ascii_only: bool, sqlite: bool) -> Any:
    """`value` LIKE `pattern` (from `_pattern`), case-insensitively. On SQLite, for an
    ASCII pattern, lower() is left out: its LIKE already ignores the case of ASCII
    letters, and a name's other letters cannot match an ASCII pattern whatever their
    case. A pattern with other letters is matched against the names lower-cased by
    Python (engine.UNICODE_LOWER), since SQLite's lower() and LIKE fold ASCII only."""
    if not sqlite:
        value = func.lower(value)
    elif not ascii_only:
        value = getattr(func, UNICODE_LOWER)(value)
    return value.like(pattern, escape="\\")


def _name_matches(surname: Any, forenames: Any, pattern: Any, one_word: bool,
                  ascii_only: bool = True, *, sqlite: bool = False) -> Any:
    """`pattern` (a LIKE pattern from `_pattern`) in "forenames surname" or in "surname
    forenames".

    A pattern of one word (no space: `_pattern` escapes LIKE's wildcards, so none can
    stand for the space either) is in one of those strings exactly when it is in the
    forenames or in the surname: no string is built at all. Otherwise one LIKE over
    "forenames surname forenames", which holds both orders, rejects almost every row,
    and the two exact tests run only on the few rows left (they drop a match that
    straddles both orders).
    """
    if one_word:
        return or_(_like(surname, pattern, ascii_only, sqlite),
                   _like(forenames, pattern, ascii_only, sqlite))
    space = literal(" ", String)
    return and_(_like(forenames + space + surname + space + forenames, pattern, ascii_only,
                      sqlite),
                or_(_like(forenames + space + surname, pattern, ascii_only, sqlite),
                    _like(surname + space + forenames, pattern, ascii_only, sqlite)))


# SQLite only (migrations 0008 and 0010), so not in tables.py's metadata.
_name_keys = Table("people_name_keys", MetaData(), Column("key", Integer, primary_key=True),
                   Column("person_id", String))
_name_candidates = text("SELECT rowid FROM people_names WHERE people_names MATCH :trigrams"
                        ).columns(column("rowid", Integer))
_vocabulary_candidates = text("SELECT rowid FROM name_trigrams WHERE name_trigrams MATCH "
                              ":trigrams").columns(column("rowid", Integer))
TRIGRAM = 3
# Above this many candidates the index is the slower way: matches are then dense enough
# that the scan in name order (ix_people_surname_order) finds a page of them early and
# stops, where the index would hand over every candidate to be joined and sorted.
# Measured on the synthetic London: the index is faster for most names, the scan for the
# commonest. (Only names of several words come this way: see `search_people`.)
MAX_CANDIDATES = 1000
_candidate_count = Prepared(text(
    "SELECT count(*) AS n FROM (SELECT 1 FROM people_names WHERE people_names MATCH "
    ":trigrams LIMIT :cap)").columns(column("n", Integer)))


def _trigram_query(text_: str) -> str | None:
    """An FTS5 query for the people a name search can match (a superset: each word of
    the name is in the surname or in the forenames, case folded), or None when a word is
    shorter than a trigram, which the index cannot look up.

    Why a superset: the LIKE pattern `_pattern` makes lies inside "forenames surname" or
    "surname forenames" with one space between the two; split on spaces, each of its
    words lies inside one of the two names. The trigram tokenizer folds case like LIKE
    does for ASCII. A name with other letters is not looked up (None): the search then
    folds them as Python does, which the tokenizer's folding need not equal."""
    words = " ".join(text_.replace(",", " ").split()).lower().split(" ")
    if not text_.isascii() or any(len(w) < TRIGRAM for w in words):
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


# How a name criterion finds its people (part of a search statement's shape):
SCAN = "scan"  # every person in scope, in name order, until a page is found
PEOPLE_TRIGRAMS = "people trigrams"  # candidates from the people's trigram index (0008)
VOCABULARY = "vocabulary"  # one word: the names that match, then their people in order
VOCABULARY_TRIGRAMS = "vocabulary trigrams"  # the same, the names looked up by trigram

# A search's statement depends only on which criteria it has (and how many boroughs),
# not on their values: each shape is built and prepared once (gvm.storage.prepared).
# A name or alias criterion's part of the shape: None (not given), or whether it is one
# word and whether it is ASCII.
_NameShape = tuple[bool, bool] | None
_SearchShape = tuple[int | None, bool, bool, _NameShape, _NameShape, bool, str]
_HIT_COLUMNS = ("person_id", "surname", "forenames", "date_of_birth", "borough_code")


def _names_matching(field: str, ascii_only: bool, sqlite: bool, trigrams: bool) -> Any:
    """The names of the vocabulary (surnames or forenames) that the name criterion
    matches: the same LIKE as a person's name, over thousands of names, not millions of
    people."""
    v = name_vocabulary.c
    stmt = select(v.name).where(_like(v.name, bindparam("name", type_=String), ascii_only,
                                      sqlite))
    if not trigrams:
        return stmt.where(v.field == field)
    # "+field": not by the (field, name) index, which would test every name of the field,
    # but by the few ids the trigram lookup gives (SQLite's unary + hides a column from
    # the planner's choice of index).
    return stmt.where(v.id.in_(_vocabulary_candidates),
                      literal_column("+name_vocabulary.field") == field)


@lru_cache(maxsize=256)
def _search_statement(shape: _SearchShape) -> Prepared:
    boroughs, by_id, by_birth, name_shape, alias_shape, sqlite, finder = shape
    p = people.c

    def in_scope() -> Any:
        stmt = select(*(p[c] for c in _HIT_COLUMNS))
        if boroughs is not None:
            stmt = stmt.where(p.borough_code.in_([bindparam(f"b{i}")
                                                  for i in range(boroughs)]))
        if by_id:
            stmt = stmt.where(p.person_id == bindparam("person_id"))
        if by_birth:
            stmt = stmt.where(p.date_of_birth == bindparam("date_of_birth"))
        if alias_shape is not None:
            a = aliases.c
            stmt = stmt.where(exists().where(
                a.person_id == p.person_id,
                _name_matches(a.surname, a.forenames, bindparam("alias", type_=String),
                              *alias_shape, sqlite=sqlite)))
        return stmt

    limit = bindparam("limit", type_=Integer)
    if finder in (VOCABULARY, VOCABULARY_TRIGRAMS):
        # The people of the matching surnames in name order (ix_people_surname_order, no
        # sort: a page of "Smith" reads a page), and those of the matching forenames
        # whose surname does not match (so the two never overlap and UNION ALL merges
        # them without a sort of whole surnames to remove duplicates), up to a page.
        assert name_shape is not None
        trigrams = finder == VOCABULARY_TRIGRAMS
        surnames = _names_matching("surname", name_shape[1], sqlite, trigrams)
        if sqlite:
            forenames = _names_matching("forenames", name_shape[1], sqlite, trigrams)
            arms = (in_scope().where(p.surname.in_(surnames)),
                    in_scope().where(p.forenames.in_(forenames), p.surname.not_in(surnames)))
        else:
            arms = _per_name_pages(in_scope, surnames, name_shape[1], limit)
        hits = union_all(*arms).order_by(*(literal_column(c) for c in (
            "surname", "forenames", "person_id"))).limit(limit).subquery("hits")
    else:
        stmt = in_scope()
        if finder == PEOPLE_TRIGRAMS:
            k = _name_keys.c
            stmt = stmt.join(_name_keys, k.person_id == p.person_id).where(
                k.key.in_(_name_candidates))
        if name_shape is not None:
            stmt = stmt.where(_name_matches(p.surname, p.forenames, bindparam(
                "name", type_=String), *name_shape, sqlite=sqlite))
        hits = stmt.order_by(p.surname, p.forenames, p.person_id).limit(limit).subquery(
            "hits")
    return Prepared(_with_current_bands(hits))


def _per_name_pages(in_scope: Any, surnames: Any, ascii_only: bool, limit: Any
                    ) -> tuple[Any, Any]:
    """PostgreSQL: for each matching name, its first page in name order (a LATERAL
    subquery on its ordered index, which stops there), so a page of hits reads at most a
    page per name, not every "Smith". (PostgreSQL scans the people of an IN list in no
    useful order; SQLite walks it in order, which `_search_statement` uses instead.)
    Each name's page is in the global order: a surname's people come by forenames and
    id, a forename's by surname and id (the surname arm's people left out)."""
    p = people.c
    arms = []
    for field, named, order in (("surname", p.surname, (p.forenames, p.person_id)),
                                ("forenames", p.forenames, (p.surname, p.person_id))):
        v = name_vocabulary.alias(f"matching_{field}")
        page = in_scope().where(named == v.c.name)
        if field == "forenames":
            page = page.where(p.surname.not_in(surnames))
        page = page.order_by(*order).limit(limit).lateral(f"page_{field}")
        arms.append(select(*page.c).select_from(v.join(page, true())).where(
            v.c.field == field,
            _like(v.c.name, bindparam("name", type_=String), ascii_only, sqlite=False)))
    return arms[0], arms[1]


def _with_current_bands(hits: Any) -> Any:
    """The hits with each person's current bands (None: never scored), in name order."""
    h, c = hits.c, current_scores.c
    return (select(*(h[name] for name in _HIT_COLUMNS), c.harm_band, c.victim_band,
                   c.as_of.label("scored_as_of"))
            .select_from(hits.outerjoin(current_scores, c.person_id == h.person_id))
            .order_by(h.surname, h.forenames, h.person_id))


def _finder(query: PersonQuery, one_word: bool, sqlite: bool, conn: Connection
            ) -> tuple[str, str | None]:
    """How the name criterion finds its people, and the trigram query it needs."""
    if query.name is None:
        return SCAN, None
    trigrams = _trigram_query(query.name) if sqlite else None
    if one_word:
        return (VOCABULARY if trigrams is None else VOCABULARY_TRIGRAMS), trigrams
    if trigrams is not None and _candidate_count.first(
            conn, {"trigrams": trigrams, "cap": MAX_CANDIDATES + 1}).n <= MAX_CANDIDATES:
        return PEOPLE_TRIGRAMS, trigrams
    return SCAN, None


def search_people(conn: Connection, query: PersonQuery) -> list[PersonHit]:
    """People matching every criterion given, ordered by name, at most `query.limit`,
    each with their current bands."""
    if query.boroughs is not None and not query.boroughs:
        return []
    params: dict[str, Any] = {"limit": query.limit, "person_id": query.person_id,
                              "date_of_birth": query.date_of_birth}
    kinds: list[_NameShape] = []
    for key in ("name", "alias"):
        text_ = getattr(query, key)
        params[key] = pattern = None if not text_ else _pattern(text_)
        kinds.append(None if pattern is None else (" " not in pattern, pattern.isascii()))
    for i, code in enumerate(query.boroughs or ()):
        params[f"b{i}"] = code
    sqlite = conn.dialect.name == "sqlite"
    finder, params["trigrams"] = _finder(query, kinds[0] is not None and kinds[0][0],
                                         sqlite, conn)
    statement = _search_statement((
        None if query.boroughs is None else len(query.boroughs), bool(query.person_id),
        query.date_of_birth is not None, *kinds, sqlite, finder))
    return [PersonHit(*row) for row in statement.rows(conn, params)]


def people_summaries(conn: Connection, person_ids: Sequence[str]) -> list[PersonHit]:
    """The named people (those held), ordered by name, with their current bands."""
    if not person_ids:
        return []
    p = people.c
    hits = (select(*(p[c] for c in _HIT_COLUMNS))
            .where(p.person_id.in_(list(person_ids))).subquery("hits"))
    return [PersonHit(*row) for row in conn.execute(_with_current_bands(hits))]


def list_gangs(conn: Connection, boroughs: Sequence[str] | None) -> list[GangSummary]:
    """Gangs of the given boroughs (None: all), with how many people gang-membership
    intelligence links to each."""
    g, i = gangs.c, intelligence.c
    members = func.count(func.distinct(case(
        (i.category == IntelCategory.GANG_MEMBERSHIP.value, i.person_id))))
    stmt = (select(g.gang_id, g.name, g.borough_code, members.label("members"))
            .select_from(gangs.outerjoin(intelligence, i.gang_id == g.gang_id))
            .group_by(g.gang_id, g.name, g.borough_code)
            .order_by(g.borough_code, g.name, g.gang_id))
    if boroughs is not None:
        if not boroughs:
            return []
        stmt = stmt.where(g.borough_code.in_(list(boroughs)))
    return [GangSummary(r.gang_id, r.name, r.borough_code, int(r.members))
            for r in conn.execute(stmt)]


def gang_borough(conn: Connection, gang_id: str) -> str | None:
    return conn.execute(select(gangs.c.borough_code)
                        .where(gangs.c.gang_id == gang_id)).scalar_one_or_none()


def intelligence_item(conn: Connection, intel_id: str) -> Intelligence | None:
    r = conn.execute(select(intelligence).where(intelligence.c.intel_id == intel_id)).first()
    if r is None:
        return None
    return Intelligence(
        intel_id=r.intel_id, date=r.date, person_id=r.person_id, gang_id=r.gang_id,
        category=IntelCategory(r.category), source_id=r.source_id,
        source_type=SourceType(r.source_type), source_grade=SourceGrade(r.source_grade),
        intel_grade=IntelGrade(r.intel_grade), handling_code=HandlingCode(r.handling_code),
        summary=r.summary)


def _row(item: Intelligence) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in INTELLIGENCE_FIELDS}
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def insert_intelligence(conn: Connection, item: Intelligence) -> None:
    conn.execute(insert(intelligence).values(intel_id=item.intel_id, **_row(item)))


def replace_intelligence(conn: Connection, item: Intelligence) -> bool:
    """Overwrite the stored item with `item` (same intel_id); False if there is none."""
    result = conn.execute(update(intelligence)
                          .where(intelligence.c.intel_id == item.intel_id)
                          .values(**_row(item)))
    return result.rowcount > 0


def score_run_summary(conn: Connection, run_id: int) -> ScoreRunSummary | None:
    r, s = score_runs.c, scores.c
    run = conn.execute(select(score_runs).where(r.id == run_id)).first()
    if run is None:
        return None
    harm = dict(conn.execute(select(s.harm_band, func.count()).where(s.run_id == run_id)
                             .group_by(s.harm_band)).all())
    victim = dict(conn.execute(select(s.victim_band, func.count()).where(s.run_id == run_id)
                               .group_by(s.victim_band)).all())
    flags = conn.execute(select(
        func.count().filter(s.eligible.is_(True)),
        func.count().filter(s.in_custody.is_(True)),
    ).where(s.run_id == run_id)).one()
    return ScoreRunSummary(
        run_id=int(run.id), as_of=run.as_of, scope=run.scope,
        policy_version=f"{run.policy_name}-{run.policy_version}", policy_hash=run.policy_hash,
        created_at=run.created_at, people=int(run.people_count),
        harm_bands={band: int(n) for band, n in harm.items()},
        victim_bands={band: int(n) for band, n in victim.items()},
        eligible=int(flags[0]), in_custody=int(flags[1]),
    )
