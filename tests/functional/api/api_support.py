"""Support for the web API tests: the bundle, users, sessions and the `api` fixture
(exported by conftest.py).

The web API end to end, on SQLite and on PostgreSQL (a fresh schema; unreachable
PostgreSQL fails the run unless GVM_TEST_SKIP_POSTGRES=1).

One register per backend per test module: a small two-borough bundle, one user per role
signed in through POST /api/v1/auth/login with a real TOTP code. Tests that write use
their own records or unique values, and audit assertions look only at the entries after
the head they noted, so tests do not depend on each other's order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from gvm.api.app import create_app
from gvm.authz import Role
from gvm.bootstrap import Register, bootstrap
from gvm.config import Settings
from gvm.services.accounts import create_user
from gvm.services.importing import import_bundle

PG_URL = os.environ.get("GVM_TEST_POSTGRES_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SKIP_PG = os.environ.get("GVM_TEST_SKIP_POSTGRES") == "1"

CAMDEN, HACKNEY = "E09000007", "E09000012"
AS_OF = "2024-06-30"
SURNAME = "Zanzibarova"  # distinctive: must never appear in a 4xx body
PASSWORD = "correct horse battery staple"
API = "/api/v1"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_POLICY = (Path(__file__).parents[3] / "src" / "gvm" / "data" / "policy"
                  / "default.toml").read_text(encoding="utf-8")

BUNDLE = {
    "people.csv": "person_id,surname,forenames,date_of_birth,sex,ethnicity,borough_code\n"
                  f"P1,{SURNAME},Ada,2004-03-01,M,Black,{CAMDEN}\n"
                  f"P2,Quillfeather,Bo,2006-07-15,F,,{CAMDEN}\n"
                  f"P3,Marchbanks,Cy,1990-01-01,X,White,{HACKNEY}\n"
                  f"P4,Oyelaran,Dee,2003-05-05,M,Black,{CAMDEN}\n"
                  f"P5,Pemberton,Eli,2001-09-09,F,White,{CAMDEN}\n"
                  f"P6,Lockwood,Fay,2002-02-02,F,Mixed,{CAMDEN}\n",
    "aliases.csv": "person_id,surname,forenames\nP1,Zanzi,Adaeze\n",
    "gangs.csv": f"gang_id,name,borough_code\nG1,Northfield Crew,{CAMDEN}\n"
                 f"G2,Riverside,{HACKNEY}\n",
    "offences.csv": "event_id,date,ho_offence_code,person_id,role,outcome\n"
                    "E1,2024-01-10,8N,P1,suspect,convicted\n"
                    "E1,2024-01-10,8N,P2,victim,\n"
                    "E2,2021-06-30,10D,P1,suspect,convicted\n"
                    "E3,2021-07-01,34B,P1,suspect,charged\n"
                    "E4,2023-05-05,1-4.1-4.10-4.2,P3,victim,\n"
                    "E5,2023-03-03,8N,P2,witness,\n",
    "intelligence.csv": "intel_id,date,person_id,gang_id,category,source_id,source_type,"
                        "source_grade,intel_grade,handling_code,summary\n"
                        "I1,2024-01-01,P1,G1,gang_membership,S1,police,1,A,P,seen with group\n"
                        "I2,2023-12-01,P1,G1,gang_membership,S2,social_media,2,B,P,post\n"
                        "I3,2024-06-01,P1,,weapon_access,S3,community,2,C,C,knife\n"
                        "I4,2024-06-30,P2,,at_risk,S1,police,1,B,P,threat\n"
                        "I5,2024-02-01,P4,G1,gang_membership,S1,police,1,B,P,seen\n"
                        "I6,2024-03-01,P4,G1,gang_membership,S4,partner_agency,2,B,P,report\n"
                        "I7,2024-03-01,P3,G2,gang_membership,S1,police,1,A,P,seen\n"
                        "I8,2024-04-01,P5,,violence_involvement,S5,police,2,C,P,fight\n"
                        "I9,2024-04-02,P6,G1,gang_membership,S1,police,1,A,P,seen\n"
                        "I10,2024-04-03,P6,G1,gang_membership,S6,community,1,B,P,seen\n",
    "custody.csv": "person_id,start_date,end_date\nP3,2024-01-01,\nP1,2020-01-01,2020-06-01\n",
}

# username -> (role, borough, organisation)
USERS: dict[str, tuple[Role, str | None, str | None]] = {
    "analyst": (Role.BOROUGH_ANALYST, CAMDEN, None),
    "lead": (Role.GANG_LEAD, CAMDEN, None),
    "analyst_b": (Role.BOROUGH_ANALYST, HACKNEY, None),
    "lead_b": (Role.GANG_LEAD, HACKNEY, None),
    "force": (Role.FORCE_ANALYST, None, None),
    "partner": (Role.PARTNER, None, "Camden Youth Offending Service"),
    "dpo": (Role.DPO, None, None),
    "admin": (Role.ADMIN, None, None),
}


class Session:
    """One signed-in user (or nobody): a TestClient with its own cookie jar that sends
    the CSRF token on unsafe requests unless told not to, and checks every 4xx body for
    the distinctive surname."""

    def __init__(self, client: TestClient, csrf: str | None = None) -> None:
        self.client = client
        self.csrf = csrf

    def request(self, method: str, path: str, *, csrf: bool = True,
                headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        sent = dict(headers or {})
        if csrf and self.csrf and method.upper() in UNSAFE:
            sent.setdefault("X-CSRF-Token", self.csrf)
        response = self.client.request(method, API + path, headers=sent, **kwargs)
        if 400 <= response.status_code < 500:
            assert SURNAME.lower() not in response.text.lower(), response.text
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)


@dataclass
class Api:
    register: Register
    app: Any
    secrets: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    clients: list[TestClient] = field(default_factory=list)

    def client(self) -> TestClient:
        client = TestClient(self.app)
        client.__enter__()
        self.clients.append(client)
        return client

    def anonymous(self) -> Session:
        return Session(self.client())

    def add_user(self, username: str, role: Role, borough: str | None = None,
                 organisation: str | None = None) -> str:
        new = create_user(self.register.unit_of_work, username=username, password=PASSWORD,
                          role=role, borough_code=borough, organisation=organisation)
        self.secrets[username] = new.totp_secret
        return new.totp_secret

    def code(self, username: str, *, ahead: int = 0) -> str:
        """The TOTP code `ahead` steps from now (a code is good once: replays fail)."""
        when = datetime.now(UTC) + timedelta(seconds=30 * ahead)
        return pyotp.TOTP(self.secrets[username]).at(when)

    def sign_in(self, username: str, *, ahead: int = 0) -> Session:
        client = self.client()
        response = client.post(f"{API}/auth/login", json={
            "username": username, "password": PASSWORD,
            "totp_code": self.code(username, ahead=ahead)})
        assert response.status_code == 200, response.text
        return Session(client, response.json()["csrf_token"])

    def __getitem__(self, username: str) -> Session:
        return self.sessions[username]

    def audit_head(self) -> int:
        with self.register.unit_of_work() as uow:
            entries = uow.audit_search()
        return entries[-1].seq if entries else 0

    def audit_after(self, seq: int) -> list[Any]:
        with self.register.unit_of_work() as uow:
            return uow.audit_search(after_seq=seq)

    def close(self) -> None:
        for client in self.clients:
            client.__exit__(None, None, None)
        self.register.close()


def write_bundle(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in BUNDLE.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """argon2 at its production cost takes 0.6 s a hash here; these tests sign in dozens
    of times and are about the API, not the hash (tests/unit covers sign-in itself)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        for module in ("gvm.services.sessions", "gvm.services.accounts"):
            patch.setattr(f"{module}.hasher", cheap)
        yield


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    if SKIP_PG:
        pytest.skip("GVM_TEST_SKIP_POSTGRES=1")
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:  # fail, never skip: CI must prove PostgreSQL
        engine.dispose()
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({e.__class__.__name__}); "
                    "set GVM_TEST_SKIP_POSTGRES=1 to run the SQLite half only.", pytrace=False)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                                marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Api]:
    """A register with the bundle, one signed-in session per user of USERS."""
    folder = tmp_path_factory.mktemp("api")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'register.db'}"
    else:
        admin: sa.Engine = request.getfixturevalue("postgres_admin")
        schema = f"gvm_api_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    register = bootstrap(Settings(mode="dev", database_url=url, policy_path=None))
    built = Api(register=register, app=create_app(register))
    try:
        import_bundle(register.unit_of_work, write_bundle(folder / "bundle"), actor="loader",
                      actor_role="operator")
        for username, (role, borough, organisation) in USERS.items():
            built.add_user(username, role, borough, organisation)
            built.sessions[username] = built.sign_in(username)
        built.sessions["anonymous"] = built.anonymous()
        yield built
    finally:
        built.close()
        if schema is not None:
            with request.getfixturevalue("postgres_admin").connect() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def intelligence_body(**overrides: Any) -> dict[str, Any]:
    body = {"person_id": "P5", "date": "2024-05-01", "category": "weapon_access",
            "source_id": "S9", "source_type": "police", "source_grade": "1",
            "intel_grade": "B", "handling_code": "P", "summary": "seen with a blade",
            "justification": "new report from patrol"}
    body.update(overrides)
    return body


def problems(response: Any) -> set[str]:
    """The field names a 422 names (the last element of each loc)."""
    assert response.status_code == 422, response.text
    return {str(p["loc"][-1]) for p in response.json()["detail"]}


def isa_body(**overrides: Any) -> dict[str, Any]:
    """An ISA with the partner user's organisation, covering Camden, in force now."""
    body = {"organisation": "Camden Youth Offending Service",
            "organisation_type": "youth_offending_service",
            "purpose": "safeguarding young people at risk of serious violence",
            "boroughs": [CAMDEN], "permitted_fields": ["person_id", "names", "harm_band",
                                                     "score_explanation"],
            "handling_conditions": "named caseworkers only", "start_date": "2024-01-01",
            "end_date": "2099-12-31"}
    body.update(overrides)
    return body
