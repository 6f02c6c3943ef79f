"""Use case: take a bundle into the register (SPEC 4). All or nothing: the bundle is
validated as it is read and written chunk by chunk in one transaction, with its audit
record; any problem stops the writing, and the transaction is rolled back with the
`BundleError` that lists every problem (the same as `read_bundle` reports). Memory holds
a chunk at a time, not the bundle: what rows are compared with is spilled to disk, and a
large bundle is read by a process of its own while this one writes (`BundleStream`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gvm.domain.audit import AuditEvent, Operation
from gvm.interchange.reader import BundleStream
from gvm.services.ports import UnitOfWorkFactory


@dataclass(frozen=True)
class ImportReport:
    source_name: str
    sha256: str
    counts: dict[str, int]
    stored: dict[str, Any]


def bundle_digest(path: Path) -> str:
    """sha256 over the bundle's files (name and bytes), so the same bundle is
    recognisable whatever folder it sits in."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    for f in files:
        h.update(f.name.encode())
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


Progress = Callable[[str, int], None]

# People named by one audit entry of an import: a larger bundle's collection is logged
# as consecutive entries of the one transaction, so neither the importer's memory nor
# an entry's size grows with the bundle (R-LOG: each still names its records).
AUDIT_PART_PEOPLE = 100_000


def _collection_entries(stream: BundleStream, detail: dict[str, Any], *, actor: str,
                        actor_role: str, justification: str) -> Iterator[AuditEvent]:
    people = stream.person_ids_text().count("\n")
    parts = max(1, -(-people // AUDIT_PART_PEOPLE))
    chunks = stream.person_id_parts(AUDIT_PART_PEOPLE) if people else iter([()])
    for number, ids in enumerate(chunks, start=1):
        yield AuditEvent(
            actor=actor, actor_role=actor_role, operation=Operation.COLLECTION,
            justification=justification, record_type="person", record_ids=ids,
            recipient=None,
            detail=detail if parts == 1 else {**detail, "part": number, "parts": parts})


def _reporting(chunks: Iterable[tuple[str, Any]], progress: Progress
               ) -> Iterator[tuple[str, Any]]:
    for table, records in chunks:
        yield table, records
        progress(table, len(records))  # resumed: the chunk is written


def import_bundle(
    uow_factory: UnitOfWorkFactory, path: str | Path, *, actor: str, actor_role: str,
    justification: str = "bundle import", progress: Progress | None = None,
) -> ImportReport:
    """`progress(table, n)`, if given, is called after each chunk of n records of
    `table` is written (in the transaction, before the commit)."""
    path = Path(path)
    stream = BundleStream(path)  # raises BundleError naming file, row and column
    digests: list[str] = []

    def digest() -> str:  # once the bundle is known valid: no file of it is read before
        digests.append(bundle_digest(path))
        return digests[0]

    with uow_factory() as uow:
        chunks = stream if progress is None else _reporting(stream, progress)
        stored = uow.save_bundle_chunks(chunks, source_name=path.name, sha256=digest)
        counts = stream.counts()
        detail = {"source": path.name, "sha256": digests[0], "counts": counts}
        for entry in _collection_entries(stream, detail, actor=actor, actor_role=actor_role,
                                         justification=justification):
            uow.append_audit(entry)  # one part at a time: none is held longer
        uow.commit()
    return ImportReport(path.name, digests[0], counts, dict(stored))
