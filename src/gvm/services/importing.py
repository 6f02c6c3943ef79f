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
        uow.append_audit(AuditEvent(
            actor=actor,
            actor_role=actor_role,
            operation=Operation.COLLECTION,
            justification=justification,
            record_type="person",
            record_ids=stream.person_ids,
            recipient=None,
            detail={"source": path.name, "sha256": digests[0], "counts": counts},
        ))
        uow.commit()
    return ImportReport(path.name, digests[0], counts, dict(stored))
