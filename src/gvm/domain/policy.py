"""The scoring policy as data (SPEC 3): parsed, validated, versioned and hashed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from gvm.domain.errors import PolicyError
from gvm.domain.model import IntelCategory, IntelGrade, Outcome, SourceGrade

# Exact arithmetic: weights and factors each carry four decimal places, so a
# contribution weight x factor is an integer count of 1e-8 days. Every engine sums
# these integers, so the one-person path and the batch path agree to the last bit.
UNIT = 10_000
SCORE_SCALE = UNIT * UNIT

# R-THRESHOLD: more than one source. Not configurable.
MIN_CORROBORATING_SOURCES = 2


def to_units(value: Any, where: str) -> int:
    """A policy number as an integer count of 1/10,000, refusing finer precision."""
    try:
        d = Decimal(str(value))
    except InvalidOperation as e:
        raise PolicyError(f"{where}: expected a number, got {value!r}") from e
    if isinstance(value, bool) or not d.is_finite() or d < 0:
        raise PolicyError(f"{where}: expected a non-negative number, got {value!r}")
    scaled = d * UNIT
    if scaled != scaled.to_integral_value():
        raise PolicyError(f"{where}: at most four decimal places, got {value!r}")
    return int(scaled)


@dataclass(frozen=True)
class Windows:
    offender_offences: int
    victimisation: int
    weapon_violence_intelligence: int
    at_risk_intelligence: int
    gang_membership: int


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    content_hash: str  # sha256 of the canonical JSON of the parsed policy
    windows: Windows
    subgroup_weight_units: Mapping[str, int]  # CCHI subgroup -> days x UNIT
    class_subgroups: Mapping[str, str]  # Home Office parent_label -> subgroup
    code_subgroups: Mapping[str, str]  # Home Office code -> subgroup
    outcome_factor_units: Mapping[Outcome, int]  # factor x UNIT
    source_grades: frozenset[SourceGrade]
    intel_grades: frozenset[IntelGrade]
    max_items_per_category: int
    intel_point_units: Mapping[IntelCategory, int]  # points x SCORE_SCALE
    amber_from_units: int  # x SCORE_SCALE
    red_from_units: int
    candidate_retention_months: int
    zero_harm_reviews: int
    # Stricter defaults for children (under 18 on the review date): removal proposed
    # sooner, and their data disclosed only under ISAs serving these purposes.
    child_zero_harm_reviews: int = 1
    child_isa_purposes: tuple[str, ...] = ("safeguarding", "youth support")

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"

    def subgroup_for(self, ho_offence_code: str, parent_label: str | None) -> str | None:
        """The CCHI subgroup an offence code scores as, or None when out of scope."""
        if ho_offence_code in self.code_subgroups:
            return self.code_subgroups[ho_offence_code]
        if parent_label is not None:
            return self.class_subgroups.get(parent_label)
        return None

    def weight_units(self, ho_offence_code: str, parent_label: str | None) -> int:
        subgroup = self.subgroup_for(ho_offence_code, parent_label)
        return 0 if subgroup is None else self.subgroup_weight_units[subgroup]

    def graded(self, source_grade: SourceGrade, intel_grade: IntelGrade) -> bool:
        return source_grade in self.source_grades and intel_grade in self.intel_grades

    def band(self, score_units: int) -> str:
        if score_units == 0:
            return "Zero"
        if score_units < self.amber_from_units:
            return "Green"
        if score_units < self.red_from_units:
            return "Amber"
        return "Red"

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        """Pickled as plain dicts (a read-only mapping view cannot be), so a policy can
        go to the process that reads and scores a big register (storage.frames_process)."""
        state = {f.name: dict(v) if isinstance(v := getattr(self, f.name), Mapping) else v
                 for f in fields(self)}
        return _unpickled, (state,)


def _unpickled(state: dict[str, Any]) -> Policy:
    return Policy(**{k: MappingProxyType(v) if isinstance(v, dict) else v
                     for k, v in state.items()})


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    if not isinstance(value, Mapping):
        raise PolicyError(f"[{name}]: section missing")
    return value


def _months(section: Mapping[str, Any], key: str) -> int:
    value = section.get(f"{key}_months")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PolicyError(f"[windows] {key}_months: expected a whole number of months >= 1")
    return value


def _enum_set(values: Any, enum: type, where: str) -> frozenset:
    if not isinstance(values, list) or not values:
        raise PolicyError(f"{where}: expected a non-empty list")
    try:
        return frozenset(enum(str(v)) for v in values)
    except ValueError as e:
        raise PolicyError(f"{where}: {e}") from e


def parse_policy(data: Mapping[str, Any]) -> Policy:
    """Build a Policy from a parsed TOML document, checking every field."""
    meta = _section(data, "policy")
    windows = _section(data, "windows")
    days = _section(data, "cchi_days")
    classes = _section(data, "offence_classes")
    codes = data.get("offence_codes", {})
    factors = _section(data, "outcome_factors")
    intel = _section(data, "intelligence")
    points = _section(intel, "points") if "points" in intel else _section(data, "points")
    bands = _section(data, "bands")
    retention = data.get("retention", {})

    weights = {str(k): to_units(v, f"[cchi_days] {k}") for k, v in days.items()}
    for where, mapping in (("offence_classes", classes), ("offence_codes", codes)):
        for key, subgroup in mapping.items():
            if subgroup not in weights:
                raise PolicyError(f"[{where}] {key}: no weight for subgroup {subgroup!r}")
    try:
        factor_units = {Outcome(k): to_units(v, f"[outcome_factors] {k}")
                        for k, v in factors.items()}
        point_units = {IntelCategory(k): to_units(v, f"[intelligence.points] {k}") * UNIT
                       for k, v in points.items()}
    except ValueError as e:
        raise PolicyError(str(e)) from e
    missing = set(Outcome) - set(factor_units)
    if missing:
        raise PolicyError(f"[outcome_factors]: missing {sorted(missing)}")
    for category in (IntelCategory.WEAPON_ACCESS, IntelCategory.VIOLENCE_INVOLVEMENT,
                     IntelCategory.AT_RISK):
        point_units.setdefault(category, 0)
    point_units.pop(IntelCategory.GANG_MEMBERSHIP, None)  # membership never scores

    cap = intel.get("max_items_per_category")
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
        raise PolicyError("[intelligence] max_items_per_category: expected a whole number")
    amber = to_units(bands.get("amber_from"), "[bands] amber_from") * UNIT
    red = to_units(bands.get("red_from"), "[bands] red_from") * UNIT
    if not 0 < amber <= red:
        raise PolicyError("[bands]: expected 0 < amber_from <= red_from")
    name, version = meta.get("name"), meta.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        raise PolicyError("[policy]: name and version are required strings")

    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return Policy(
        name=name,
        version=version,
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        windows=Windows(
            offender_offences=_months(windows, "offender_offences"),
            victimisation=_months(windows, "victimisation"),
            weapon_violence_intelligence=_months(windows, "weapon_violence_intelligence"),
            at_risk_intelligence=_months(windows, "at_risk_intelligence"),
            gang_membership=_months(windows, "gang_membership"),
        ),
        subgroup_weight_units=MappingProxyType(weights),
        class_subgroups=MappingProxyType(dict(classes)),
        code_subgroups=MappingProxyType(dict(codes)),
        outcome_factor_units=MappingProxyType(factor_units),
        source_grades=_enum_set(intel.get("source_grades"), SourceGrade,
                                "[intelligence] source_grades"),
        intel_grades=_enum_set(intel.get("intel_grades"), IntelGrade,
                               "[intelligence] intel_grades"),
        max_items_per_category=cap,
        intel_point_units=MappingProxyType(point_units),
        amber_from_units=amber,
        red_from_units=red,
        candidate_retention_months=int(retention.get("candidate_months", 6)),
        zero_harm_reviews=int(retention.get("zero_harm_reviews", 2)),
        **_children(data.get("children", {}), int(retention.get("zero_harm_reviews", 2))),
    )


def _children(section: Mapping[str, Any], adult_reviews: int) -> dict[str, Any]:
    """[children]: never laxer than for adults."""
    reviews = section.get("zero_harm_reviews", 1)
    if not isinstance(reviews, int) or isinstance(reviews, bool) or reviews < 1:
        raise PolicyError("[children] zero_harm_reviews: expected a whole number from 1")
    if reviews > adult_reviews:
        raise PolicyError("[children] zero_harm_reviews: must not exceed [retention] "
                          "zero_harm_reviews (children are not kept longer than adults)")
    purposes = section.get("isa_purposes", ["safeguarding", "youth support"])
    if (not isinstance(purposes, list) or not purposes
            or not all(isinstance(p, str) and p.strip() for p in purposes)):
        raise PolicyError("[children] isa_purposes: expected a list of purposes (words an "
                          "ISA's purpose must contain)")
    return {"child_zero_harm_reviews": reviews,
            "child_isa_purposes": tuple(p.strip().lower() for p in purposes)}
