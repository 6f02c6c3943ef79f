"""Reference data shipped with the package (data/, see data/PROVENANCE.md) and the
default scoring policy. Loaded once per process."""

from __future__ import annotations

import csv
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from gvm.domain.model import Borough
from gvm.domain.policy import Policy, parse_policy

_DATA = resources.files("gvm") / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def boroughs() -> dict[str, Borough]:
    """The 33 London local authorities by GSS code (R-SCOPE)."""
    return {
        r["code"]: Borough(code=r["code"], name=r["name"], population=int(r["population_total"]))
        for r in _rows("london_boroughs_census2021.csv")
    }


@cache
def census_ethnicity() -> dict[str, dict[str, float]]:
    """Census 2021 percentage of each ethnic group, per borough code."""
    groups = {"Asian": "ethnicity_asian_perc", "Black": "ethnicity_black_perc",
              "Mixed": "ethnicity_mixed_perc", "White": "ethnicity_white_perc",
              "Other": "ethnicity_other_perc_derived"}
    return {r["code"]: {g: float(r[c]) for g, c in groups.items()}
            for r in _rows("london_boroughs_census2021.csv")}


@cache
def census_rows() -> list[dict[str, str]]:
    return _rows("london_boroughs_census2021.csv")


@cache
def offence_catalogue() -> dict[str, str]:
    """Home Office offence code -> class (parent_label)."""
    return {r["ho_offence_code"]: r["parent_label"] for r in _rows("home_office_offence_codes.csv")}


@cache
def offence_labels() -> dict[str, str]:
    rows = _rows("home_office_offence_codes.csv")
    return {r["ho_offence_code"]: r["offence_label"] for r in rows}


@cache
def cchi_weights() -> dict[str, float]:
    return {r["prc_subgroup"]: float(r["cchi_days"]) for r in _rows("crime_harm_index_weights.csv")}


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy in `path`, or the shipped default."""
    if path is None:
        return default_policy()
    with open(path, "rb") as f:
        return parse_policy(tomllib.load(f))


@cache
def default_policy() -> Policy:
    with (_DATA / "policy" / "default.toml").open("rb") as f:
        return parse_policy(tomllib.load(f))
