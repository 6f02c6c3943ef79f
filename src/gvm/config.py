"""Settings, from the environment (prefix GVM_) or a .env file.

Outside dev mode the service refuses to start with a default or weak secret, so a
deployment cannot go live on the values in this file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside dev mode
MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10  # "a" * 40 is long, not random
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def default_database_url() -> str:
    folder = Path(user_data_dir("gvm", appauthor=False))
    return f"sqlite:///{folder / 'gvm.db'}"


class Mode(StrEnum):
    DEV = "dev"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GVM_", env_file=".env", extra="ignore")

    mode: Mode = Mode.DEV
    database_url: str = Field(default_factory=default_database_url)
    secret_key: str = DEV_SECRET
    policy_path: Path | None = None  # None: the policy shipped in the package
    actor: str | None = None  # who the CLI acts as, for the audit log

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Settings:
        key = self.secret_key
        if self.mode is not Mode.DEV and (key == DEV_SECRET or len(key) < MIN_SECRET_CHARS
                                          or len(set(key)) < MIN_DISTINCT_CHARS):
            raise ValueError(
                "GVM_SECRET_KEY must be set to a random value of 32+ characters outside dev "
                "mode (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
        return self

    def check_listen_host(self, host: str) -> None:
        """Dev mode sends cookies without Secure and runs with the default secret: it
        serves this machine only, never a network."""
        if self.mode is Mode.DEV and host.strip().lower() not in LOOPBACK_HOSTS:
            raise ValueError("dev mode serves only on loopback (127.0.0.1, localhost, ::1); "
                             "set GVM_MODE=production (with GVM_SECRET_KEY) to listen on "
                             "another interface")
