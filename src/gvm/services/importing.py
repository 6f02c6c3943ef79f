"""Use case: take a bundle into the register (SPEC 4). All or nothing: the bundle is
read and validated in full before anything is written, and the write, with its audit
record, is one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gvm.domain.audit import AuditEvent, Operation
from gvm.interchange.reader import read_bundle
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


def import_bundle(
    uow_factory: UnitOfWorkFactory, path: str | Path, *, actor: str, actor_role: str,
    justification: str = "bundle import",
) -> ImportReport:
    path = Path(path)
    bundle = read_bundle(path)  # raises BundleError naming file, row and column
    digest = bundle_digest(path)
    with uow_factory() as uow:
        stored = uow.save_bundle(bundle, source_name=path.name, sha256=digest)
        uow.append_audit(AuditEvent(
            actor=actor,
            actor_role=actor_role,
            operation=Operation.COLLECTION,
            justification=justification,
            record_type="person",
            record_ids=tuple(p.person_id for p in bundle.people),
            recipient=None,
            detail={"source": path.name, "sha256": digest, "counts": bundle.counts()},
        ))
        uow.commit()
    return ImportReport(path.name, digest, bundle.counts(), dict(stored))
