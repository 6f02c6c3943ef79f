"""The one place that wires settings, storage, policy and services together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from gvm import reference
from gvm.config import Settings
from gvm.domain.policy import Policy
from gvm.storage.busy import BUSY_ERRORS, busy, unreachable
from gvm.storage.database import Database

__all__ = ["BUSY_ERRORS", "Register", "bootstrap", "busy", "unreachable"]

T = TypeVar("T")


@dataclass
class Register:
    """A running register: its settings, its database and the policy in force."""

    settings: Settings
    database: Database
    policy: Policy
    catalogue: dict[str, str] = field(default_factory=reference.offence_catalogue)

    def unit_of_work(self, *, read_only: bool = False, wait: bool = True):
        return self.database.unit_of_work(read_only=read_only, wait=wait)

    async def run(self, use_case: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Call a use case from async code (a route), where it costs least: see
        gvm.storage.database.Database.run."""
        return await self.database.run(use_case, *args, **kwargs)

    def ready(self) -> None:
        """Raise unless the database answers (a read of the schema)."""
        with self.unit_of_work(read_only=True) as uow:
            uow.ping()

    def close(self) -> None:
        self.database.dispose()


def bootstrap(settings: Settings | None = None, *, upgrade: bool = True) -> Register:
    """Open the register named by the settings, bringing its schema up to date."""
    settings = settings or Settings()
    url = settings.database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    if upgrade:
        database.upgrade()
    policy = reference.load_policy(settings.policy_path)
    return Register(settings=settings, database=database, policy=policy)
