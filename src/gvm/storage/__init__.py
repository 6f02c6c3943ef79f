"""Storage: the one place that knows SQL. SQLAlchemy Core tables, Alembic migrations,
bulk import, columnar reads for the batch scorer, score runs and the s.62 audit log, on
SQLite (WAL) or PostgreSQL (psycopg 3)."""

from gvm.storage.audit import AuditEntry, VerifyResult
from gvm.storage.database import Database
from gvm.storage.engine import make_engine
from gvm.storage.migrate import upgrade
from gvm.storage.scores import StoredScore
from gvm.storage.unit_of_work import UnitOfWork

__all__ = ["AuditEntry", "Database", "StoredScore", "UnitOfWork", "VerifyResult", "make_engine",
           "upgrade"]
