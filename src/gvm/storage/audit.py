"""The s.62 audit log (R-LOG): append-only, hash-chained, written in the same transaction
as the change it records.

Each row's `hash` is sha256 over the previous row's hash followed by the canonical JSON
of every field of the row (seq included, so moving a row breaks the chain too). Rows are
numbered by gvm, head + 1, while holding the chain head: on PostgreSQL an advisory
transaction lock, on SQLite the write lock that BEGIN IMMEDIATE (see engine.py) takes
when the transaction starts. So seq has no gaps (a rolled-back append leaves none), and
two writers can never fork the chain: the second waits, and if it somehow did not, the
primary key on seq would refuse its row.

`verify` recomputes the chain in order, streaming, and names the first row where it
breaks. Triggers refuse UPDATE and DELETE; verify is what catches someone who dropped
them. Cutting rows off the end leaves a valid shorter chain: compare `head_seq` and
`head_hash` with a copy kept elsewhere (e.g. the last `gvm audit verify` output).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text

from gvm.domain.audit import AuditEvent, Operation
from gvm.storage.prepared import Prepared
from gvm.storage.tables import audit_log

GENESIS_HASH = "0" * 64
PG_AUDIT_LOCK = int.from_bytes(b"gvmaudit", "big")  # pg_advisory_xact_lock key
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_STREAM_ROWS = 2_000


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def format_at(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def entry_hash(row: Mapping[str, Any]) -> str:
    """The hash a stored row must carry: sha256(prev_hash + canonical JSON of the row)."""
    document = {
        "seq": int(row["seq"]),
        "at": format_at(row["at"]),
        "actor": row["actor"],
        "actor_role": row["actor_role"],
        "operation": str(row["operation"]),
        "justification": row["justification"],
        "record_type": row["record_type"],
        "record_ids": row["record_ids"],  # the stored JSON text, byte for byte
        "recipient": row["recipient"],
        "detail": row["detail"],
        "prev_hash": row["prev_hash"],
    }
    payload = row["prev_hash"] + canonical_json(document)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A stored audit row, read back."""

    seq: int
    at: datetime
    event: AuditEvent
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int  # rows found intact before the first break (all rows when ok)
    first_broken_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None  # the last row checked: keep it to detect truncation
    head_hash: str | None = None


# Every consultation's commit runs these (prepared: gvm.storage.prepared).
_HEAD = Prepared(select(audit_log.c.seq, audit_log.c.hash)
                 .order_by(audit_log.c.seq.desc()).limit(1))
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_INSERT = Prepared(insert(audit_log).values(
    {c.name: bindparam(c.name, type_=c.type) for c in audit_log.c}))


def _lock_chain_head(conn: Connection) -> tuple[int, str]:
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"key": PG_AUDIT_LOCK})
    head = _HEAD.first(conn)
    return (0, GENESIS_HASH) if head is None else (int(head.seq), head.hash)


def append_many(conn: Connection, events: Iterable[AuditEvent],
                at: datetime | None = None) -> list[int]:
    """Append `events` in order inside the caller's transaction; their seq numbers.

    Commit or roll back together with the change they record.
    """
    events = list(events)
    if not events:
        return []
    at = at or datetime.now(UTC)
    seq, prev = _lock_chain_head(conn)
    rows = []
    for event in events:
        seq += 1
        row = {
            "seq": seq, "at": at, "actor": event.actor, "actor_role": event.actor_role,
            "operation": event.operation.value, "justification": event.justification,
            "record_type": event.record_type,
            "record_ids": canonical_json(list(event.record_ids)),
            "recipient": event.recipient, "detail": canonical_json(dict(event.detail)),
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    _INSERT.execute_many(conn, rows)
    return [r["seq"] for r in rows]


def append(conn: Connection, event: AuditEvent, at: datetime | None = None) -> int:
    """Append one event inside the caller's transaction; its seq."""
    return append_many(conn, [event], at)[0]


def _stream(conn: Connection, stmt: Any) -> Iterator[Any]:
    result = conn.execute(stmt.execution_options(yield_per=_STREAM_ROWS))
    try:
        yield from result.mappings()
    finally:
        result.close()


def verify(conn: Connection) -> VerifyResult:
    """Recompute the whole chain in seq order; the first row where it breaks, if any."""
    expected, prev, checked = 1, GENESIS_HASH, 0
    for row in _stream(conn, select(audit_log).order_by(audit_log.c.seq)):
        seq = int(row["seq"])
        problem = None
        if seq != expected:
            problem = (expected, f"row {expected} is missing (the next row is {seq})")
        elif row["prev_hash"] != prev:
            problem = (seq, f"row {seq} does not follow row {seq - 1}: prev_hash differs")
        elif entry_hash(row) != row["hash"]:
            problem = (seq, f"row {seq} was altered: its content does not match its hash")
        if problem is not None:
            return VerifyResult(False, checked, problem[0], problem[1],
                                expected - 1 or None, prev if checked else None)
        prev, expected, checked = row["hash"], expected + 1, checked + 1
    return VerifyResult(True, checked, head_seq=checked or None,
                        head_hash=prev if checked else None)


def _entry(row: Mapping[str, Any]) -> AuditEntry:
    event = AuditEvent(
        actor=row["actor"], actor_role=row["actor_role"], operation=Operation(row["operation"]),
        justification=row["justification"], record_type=row["record_type"],
        record_ids=tuple(json.loads(row["record_ids"])), recipient=row["recipient"],
        detail=json.loads(row["detail"]),
    )
    return AuditEntry(seq=int(row["seq"]), at=row["at"], event=event, hash=row["hash"])


def entries(conn: Connection, *, record_type: str | None = None, record_id: str | None = None,
            operation: Operation | None = None, actor: str | None = None,
            since: datetime | None = None, until: datetime | None = None,
            after_seq: int | None = None, limit: int | None = None) -> Iterator[AuditEntry]:
    """Audit entries in seq order, optionally those naming one record (a subject access
    request, R-SUBJECT; earlier recipients of a corrected record, R-ACCURACY), made by one
    actor, of one operation, at or after `since` and before `until`, after seq
    `after_seq` (a cursor for paging), at most `limit` of them."""
    stmt = select(audit_log).order_by(audit_log.c.seq)
    if record_type is not None:
        stmt = stmt.where(audit_log.c.record_type == record_type)
    if operation is not None:
        stmt = stmt.where(audit_log.c.operation == Operation(operation).value)
    if actor is not None:
        stmt = stmt.where(audit_log.c.actor == actor)
    if since is not None:
        stmt = stmt.where(audit_log.c.at >= since)
    if until is not None:
        stmt = stmt.where(audit_log.c.at < until)
    if after_seq is not None:
        stmt = stmt.where(audit_log.c.seq > after_seq)
    if record_id is not None:  # coarse LIKE first, exact match below
        stmt = stmt.where(audit_log.c.record_ids.contains(canonical_json(record_id),
                                                          autoescape=True))
    elif limit is not None:  # no Python-side filter: the database can stop early
        stmt = stmt.limit(limit)
    if limit is not None and limit <= 0:
        return
    found = 0
    rows = _stream(conn, stmt)
    try:
        for row in rows:
            entry = _entry(row)
            if record_id is None or record_id in entry.event.record_ids:
                yield entry
                found += 1
                if limit is not None and found >= limit:
                    return
    finally:
        rows.close()
