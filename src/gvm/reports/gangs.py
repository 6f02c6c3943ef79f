"""The gang conflict picture: gangs, their recorded rivalries and alliances, and the
violence between members of different gangs in a period. Pure computation on Polars
frames; the output is about groups (gang ids and names, counts and summed scores),
never a person. Method in docs/EQUALITY.md, "Gang conflict picture".

- A person belongs to a gang on a day when a gang_membership intelligence item names
  that gang in the 24 months up to the day (the window of the inclusion threshold,
  R-THRESHOLD). They may belong to more than one.
- An incident between gangs A and B is one offence event of in-scope violence (a code
  weighing more than 0 under the policy) dated in (start, as_of], with a suspect who
  belonged to A and a victim who belonged to B on the event's date, A != B. Each event
  counts once per pair of gangs, whichever side attacked (the pair has no direction).
- A node's size is its harm: the sum of the harm scores on as_of of the people who
  belong to it on as_of; `members` counts them.
- Rivalries and alliances: every relation recorded on or before as_of, with the date of
  the latest record of each.

Input frames: gangs (gang_id, name, borough_code), relations (gang_a, gang_b, relation,
date), memberships (person_id, gang_id, date), offences (frames.OFFENCES), scores
(person_id, harm_score).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

MEMBERSHIP_MONTHS = 24
NODE_COLUMNS = ("gang_id", "name", "borough_code", "members", "harm")
EDGE_COLUMNS = ("gang_a", "gang_b", "name_a", "name_b", "borough_a", "borough_b",
                "incidents", "rivalry", "alliance", "relation_date")


def _belongs(people: pl.DataFrame, memberships: pl.DataFrame, person: str, day: str,
             gang: str) -> pl.DataFrame:
    """`people` with a column `gang` for each gang `person` belonged to on `day`."""
    m = memberships.select(pl.col("person_id").alias(person), pl.col("gang_id").alias(gang),
                           pl.col("date").alias("_member_date"))
    return (people.join(m, on=person, how="inner")
            .filter(pl.col("_member_date") <= pl.col(day),
                    pl.col("_member_date") > pl.col(day).dt.offset_by(
                        f"-{MEMBERSHIP_MONTHS}mo"))
            .drop("_member_date"))


def violence_between(offences: pl.DataFrame, memberships: pl.DataFrame,
                     codes: Iterable[str], start: date, end: date) -> pl.DataFrame:
    """gang_a, gang_b (a < b), incidents: events of in-scope violence in (start, end]
    between a member of one gang as suspect and of the other as victim."""
    events = offences.filter(pl.col("date") > start, pl.col("date") <= end,
                             pl.col("ho_offence_code").is_in(list(codes)))
    suspects = events.filter(pl.col("role") == "suspect").select(
        "event_id", pl.col("person_id").alias("suspect"), "date")
    victims = events.filter(pl.col("role") == "victim").select(
        "event_id", pl.col("person_id").alias("victim"))
    pairs = suspects.join(victims, on="event_id").filter(pl.col("suspect") != pl.col("victim"))
    pairs = _belongs(pairs, memberships, "suspect", "date", "gang_s")
    pairs = _belongs(pairs, memberships, "victim", "date", "gang_v")
    return (pairs.filter(pl.col("gang_s") != pl.col("gang_v"))
            .select("event_id",
                    pl.min_horizontal("gang_s", "gang_v").alias("gang_a"),
                    pl.max_horizontal("gang_s", "gang_v").alias("gang_b"))
            .unique()
            .group_by("gang_a", "gang_b").agg(pl.len().cast(pl.Int64).alias("incidents"))
            .sort("gang_a", "gang_b"))


def gang_nodes(gangs: pl.DataFrame, memberships: pl.DataFrame, scores: pl.DataFrame,
               as_of: date) -> pl.DataFrame:
    """Every gang with its members on as_of and their summed harm score."""
    on = pl.DataFrame({"person_id": scores["person_id"]}).with_columns(
        pl.lit(as_of).alias("day"))
    members = (_belongs(on, memberships, "person_id", "day", "gang_id")
               .select("person_id", "gang_id").unique()
               .join(scores.select("person_id", "harm_score"), on="person_id", how="left")
               .group_by("gang_id").agg(pl.len().cast(pl.Int64).alias("members"),
                                        pl.col("harm_score").fill_null(0).sum().alias("harm")))
    return (gangs.select("gang_id", "name", "borough_code")
            .join(members, on="gang_id", how="left")
            .with_columns(pl.col("members").fill_null(0), pl.col("harm").fill_null(0.0))
            .sort("gang_id"))


def relation_edges(relations: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """gang_a, gang_b, rivalry, alliance, relation_date (latest record) up to as_of."""
    rel = relations.filter(pl.col("date") <= as_of).with_columns(
        pl.min_horizontal("gang_a", "gang_b").alias("a"),
        pl.max_horizontal("gang_a", "gang_b").alias("b"))
    return (rel.group_by(pl.col("a").alias("gang_a"), pl.col("b").alias("gang_b"))
            .agg((pl.col("relation") == "rivalry").any().alias("rivalry"),
                 (pl.col("relation") == "alliance").any().alias("alliance"),
                 pl.col("date").max().alias("relation_date")))


@dataclass(frozen=True, slots=True)
class GangPicture:
    as_of: date
    start: date
    borough: str | None  # None: force-wide
    nodes: pl.DataFrame  # NODE_COLUMNS (+ `home`: the gang is of the borough shown)
    edges: pl.DataFrame  # EDGE_COLUMNS

    def totals(self) -> dict[str, int]:
        e = self.edges
        return {"gangs": self.nodes.height, "incidents": int(e["incidents"].sum()),
                "violent_pairs": e.filter(pl.col("incidents") > 0).height,
                "rivalries": int(e["rivalry"].sum()), "alliances": int(e["alliance"].sum())}


def gang_picture(gangs: pl.DataFrame, relations: pl.DataFrame, memberships: pl.DataFrame,
                 offences: pl.DataFrame, scores: pl.DataFrame, codes: Iterable[str], *,
                 as_of: date, start: date, borough: str | None = None) -> GangPicture:
    """The picture force-wide, or of one borough: its gangs, the edges touching them and
    the gangs of other boroughs at the other end of those edges."""
    nodes = gang_nodes(gangs, memberships, scores, as_of)
    violence = violence_between(offences, memberships, codes, start, as_of)
    edges = (violence.join(relation_edges(relations, as_of), on=["gang_a", "gang_b"],
                           how="full", coalesce=True)
             .with_columns(pl.col("incidents").fill_null(0),
                           pl.col("rivalry", "alliance").fill_null(False)))
    names = nodes.select("gang_id", "name", "borough_code")
    for side in ("a", "b"):
        edges = edges.join(names.rename({"gang_id": f"gang_{side}", "name": f"name_{side}",
                                         "borough_code": f"borough_{side}"}),
                           on=f"gang_{side}", how="left")
    if borough is not None:
        edges = edges.filter((pl.col("borough_a") == borough) | (pl.col("borough_b") == borough))
        ends = set(edges["gang_a"].to_list()) | set(edges["gang_b"].to_list())
        nodes = nodes.filter((pl.col("borough_code") == borough) | pl.col("gang_id").is_in(ends))
    nodes = nodes.with_columns((pl.col("borough_code") == borough if borough is not None
                                else pl.lit(True)).alias("home"))
    edges = edges.select(EDGE_COLUMNS).sort("gang_a", "gang_b")
    return GangPicture(as_of, start, borough, nodes, edges)


def picture_of(inputs: Any, *, borough: str | None = None) -> GangPicture:
    """gang_picture() of what gvm.services.gang_picture reads (its GangInputs)."""
    i = inputs
    return gang_picture(i.gangs, i.relations, i.memberships, i.offences, i.scores, i.codes,
                        as_of=i.as_of, start=i.start, borough=borough)
