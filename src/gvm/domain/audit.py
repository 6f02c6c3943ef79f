"""What the s.62 audit log records (R-LOG): one event per processing operation on
personal data, naming who did it, why, to which records and, for a disclosure, to whom.

An event carries record ids only, never the personal data itself: no names, dates of
birth or free-text copies of a record go into `detail`, so erasing a person leaves the
log intact and still free of their data (R-RETENTION).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gvm.domain.errors import GvmError


class Operation(StrEnum):
    """The processing operations DPA 2018 s.62(1) requires a log of."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"


class AuditError(GvmError):
    """An audit event is incomplete, or would put personal data into the log."""


# Keys whose text would put personal data into the log. A guard, not a proof: detail is
# for counts, codes, ids and hashes (a count of aliases is fine, an alias is not).
PERSONAL_DATA_KEYS = frozenset({
    "name", "names", "surname", "forenames", "full_name", "alias", "aliases",
    "date_of_birth", "dob", "birth_date", "address", "postcode", "summary",
})


def _carries_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, Mapping):
        return any(_carries_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_carries_text(v) for v in value)
    return False


def _check_detail(value: Any, where: str) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise AuditError(f"{where}: keys must be strings")
            if key.lower() in PERSONAL_DATA_KEYS and _carries_text(item):
                raise AuditError(f"{where}.{key}: personal data does not go into the audit log")
            _check_detail(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for item in value:
            _check_detail(item, where)
    elif value is not None and not isinstance(value, str | int | float | bool):
        raise AuditError(f"{where}: only JSON values (str, number, bool, list, dict) allowed")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One logged operation. `record_ids` name the records touched (person ids, run ids,
    disclosure ids...) of `record_type`; `recipient` is required for a disclosure."""

    actor: str
    actor_role: str
    operation: Operation
    justification: str
    record_type: str
    record_ids: tuple[str, ...] = ()
    recipient: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "operation", Operation(self.operation))
        ids = self.record_ids
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise AuditError("record_ids: expected a list of ids")
        object.__setattr__(self, "record_ids", tuple(str(i) for i in ids))
        for name in ("actor", "actor_role", "justification", "record_type"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise AuditError(f"{name}: required")
        if self.operation is Operation.DISCLOSURE and not (self.recipient or "").strip():
            raise AuditError("recipient: required for a disclosure")
        _check_detail(dict(self.detail), "detail")
