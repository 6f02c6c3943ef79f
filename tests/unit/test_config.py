"""Settings refuse default or weak secrets outside dev mode, so a deployment cannot go
live on the values in the source."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gvm.config import DEV_SECRET, Mode, Settings

STRONG = "k3V9q-7sX2mN8pL4rT6wY1zB5cD0fG9hJ"  # 34 characters


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ("GVM_MODE", "GVM_SECRET_KEY", "GVM_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file from the working tree


def test_dev_mode_starts_with_the_default_secret():
    settings = Settings(_env_file=None)
    assert settings.mode is Mode.DEV and settings.secret_key == DEV_SECRET


@pytest.mark.parametrize("secret", [DEV_SECRET, "too-short-secret", "x" * 31])
def test_production_refuses_a_default_or_short_secret(secret):
    with pytest.raises(ValidationError, match="GVM_SECRET_KEY"):
        Settings(_env_file=None, mode=Mode.PRODUCTION, secret_key=secret)


def test_production_refuses_the_default_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("GVM_MODE", "production")
    with pytest.raises(ValidationError, match="GVM_SECRET_KEY"):
        Settings(_env_file=None)


def test_production_starts_with_a_strong_secret(monkeypatch):
    monkeypatch.setenv("GVM_MODE", "production")
    monkeypatch.setenv("GVM_SECRET_KEY", STRONG)
    settings = Settings(_env_file=None)
    assert settings.mode is Mode.PRODUCTION and settings.secret_key == STRONG


def test_database_defaults_to_sqlite_in_the_user_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("GVM_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings().database_url == f"sqlite:///{tmp_path / 'gvm' / 'gvm.db'}"


def test_database_url_comes_from_the_environment(monkeypatch):
    url = "postgresql+psycopg://gvm@db.internal/register"
    monkeypatch.setenv("GVM_DATABASE_URL", url)
    assert Settings().database_url == url


@pytest.mark.parametrize("secret", ["a" * 40, "abcabcabcabcabcabcabcabcabcabcabcabc"])
def test_production_refuses_a_long_but_repetitive_secret(secret):
    with pytest.raises(ValidationError, match="GVM_SECRET_KEY"):
        Settings(_env_file=None, mode=Mode.PRODUCTION, secret_key=secret)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "gvm.example"])
def test_dev_mode_refuses_to_listen_beyond_loopback(host):
    with pytest.raises(ValueError, match="dev mode serves only on loopback"):
        Settings(_env_file=None).check_listen_host(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_dev_mode_listens_on_loopback_and_production_anywhere(host):
    Settings(_env_file=None).check_listen_host(host)
    Settings(_env_file=None, mode=Mode.PRODUCTION, secret_key=STRONG).check_listen_host(
        "0.0.0.0")
