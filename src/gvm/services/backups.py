"""Use cases: record a backup and a restore of the whole register in the s.62 log
(R-LOG). The copying itself is storage's (gvm.storage.backup); this module only decides
what the log says.

Which operation. A backup copies every person's data out of the database into a file:
it is an export, and SPEC R-LOG counts export as a disclosure. Logging it as a
DISCLOSURE with the file as recipient keeps a record of every copy that exists, which
an erasure (R-RETENTION) must account for: data erased from the register lives on in
older backups until they expire. The backup is identified by its sha256 (record_type
"backup"); no person ids are listed, it holds everyone.

A restore puts the register back to the backup's content, undoing every change made
since, erasures included: an ALTERATION of the whole register. It is appended to the
restored log (the backup's own chain), naming the replaced log's head so that the
history which was rolled back can be traced.
"""

from __future__ import annotations

from gvm.domain.audit import AuditEvent, Operation
from gvm.services.ports import UnitOfWorkFactory

RECORD_TYPE = "backup"


def record_backup(uow_factory: UnitOfWorkFactory, *, path: str, sha256: str, size: int,
                  backend: str, actor: str, actor_role: str, justification: str) -> int:
    """Log a backup written to `path`; the audit seq."""
    with uow_factory() as uow:
        seq = uow.append_audit(AuditEvent(
            actor=actor, actor_role=actor_role, operation=Operation.DISCLOSURE,
            justification=justification, record_type=RECORD_TYPE, record_ids=(sha256,),
            recipient=f"backup file {path}",
            detail={"sha256": sha256, "bytes": size, "backend": backend},
        ))
        uow.commit()
    return seq


def record_restore(uow_factory: UnitOfWorkFactory, *, path: str, sha256: str, backend: str,
                   previous_head_seq: int | None, previous_head_hash: str | None,
                   actor: str, actor_role: str, justification: str) -> int:
    """Log that the register was replaced by the backup at `path`; the audit seq."""
    with uow_factory() as uow:
        seq = uow.append_audit(AuditEvent(
            actor=actor, actor_role=actor_role, operation=Operation.ALTERATION,
            justification=justification, record_type=RECORD_TYPE, record_ids=(sha256,),
            detail={"restored_from": path, "sha256": sha256, "backend": backend,
                    "replaced_audit_head_seq": previous_head_seq,
                    "replaced_audit_head_hash": previous_head_hash},
        ))
        uow.commit()
    return seq
