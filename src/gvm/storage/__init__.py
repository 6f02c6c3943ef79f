"""Storage: the one place that knows SQL. SQLAlchemy Core tables, Alembic migrations,
bulk import, columnar reads for the batch scorer, score runs and the s.62 audit log, on
SQLite (WAL) or PostgreSQL (psycopg 3).

The names below load on first use, so that a process needing one module of the package
(the re-score's reading process, storage.frames_process) does not import Alembic and the
rest: about 0.4 s of its start."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gvm.storage.audit import AuditEntry, VerifyResult
    from gvm.storage.database import Database
    from gvm.storage.engine import make_engine
    from gvm.storage.migrate import upgrade
    from gvm.storage.scores import StoredScore
    from gvm.storage.unit_of_work import UnitOfWork

_MODULES = {"AuditEntry": "audit", "VerifyResult": "audit", "Database": "database",
            "make_engine": "engine", "upgrade": "migrate", "StoredScore": "scores",
            "UnitOfWork": "unit_of_work"}

__all__ = ["AuditEntry", "Database", "StoredScore", "UnitOfWork", "VerifyResult", "make_engine",
           "upgrade"]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
