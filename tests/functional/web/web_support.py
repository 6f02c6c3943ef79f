"""The browser tests' world: the API tests' bundle and users in a SQLite register,
served by uvicorn in a thread on 127.0.0.1 (one server per test module), and one
Chromium (Debian's /usr/bin/chromium, never a downloaded browser) per test session.
Screenshots go to test-artifacts/screenshots/, which git ignores."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn
from api_support import AS_OF, CAMDEN, PASSWORD, USERS, write_bundle

from gvm.api.app import create_app
from gvm.authz import Actor, Role
from gvm.bootstrap import Register, bootstrap
from gvm.config import Settings
from gvm.services.accounts import create_user
from gvm.services.importing import import_bundle
from gvm.services.register import decide_inclusion
from gvm.services.scoring import rescore
from gvm.services.subject import log_removal_request

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    register: Register
    base_url: str
    secrets: dict[str, str] = field(default_factory=dict)

    def code(self, username: str, *, ahead: int = 0) -> str:
        when = datetime.now(UTC) + timedelta(seconds=30 * ahead)
        return pyotp.TOTP(self.secrets[username]).at(when)

    def sign_in(self, page: Any, username: str) -> None:
        """Sign in through the form, as the user would (with the next step's code if
        this step's was used already: a code is good once)."""
        for ahead in (0, 1):
            page.goto(self.base_url + "/sign-in")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Authenticator code").fill(self.code(username, ahead=ahead))
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            if page.locator(".who").count():
                return
        raise AssertionError(f"{username} could not sign in")

    def add_user(self, username: str, role: Any, borough: str | None = None,
                 organisation: str | None = None) -> str:
        new = create_user(self.register.unit_of_work, username=username, password=PASSWORD,
                          role=role, borough_code=borough, organisation=organisation)
        self.secrets[username] = new.totp_secret
        return new.totp_secret


def _camden_register(register: Register) -> None:
    """Camden's register: three people on it, one removal request 25 days old."""
    lead = Actor(user_id=0, username="lead", role=Role.GANG_LEAD, borough_code=CAMDEN)
    for person_id in ("P1", "P4", "P6"):
        decide_inclusion(register.unit_of_work, person_id, actor=lead,
                         rationale="two graded sources corroborate",
                         as_of=date.fromisoformat(AS_OF), policy=register.policy,
                         catalogue=register.catalogue)
    log_removal_request(register.unit_of_work, Actor(user_id=0, username="dpo", role=Role.DPO),
                        "P1", received_at=datetime.now(UTC) - timedelta(days=25))


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("web")
    register = bootstrap(Settings(mode="dev", database_url=f"sqlite:///{folder / 'r.db'}",
                                  policy_path=None))
    import_bundle(register.unit_of_work, write_bundle(folder / "bundle"), actor="loader",
                  actor_role="operator")
    rescore(register.unit_of_work, date.fromisoformat(AS_OF), register.policy,
            register.catalogue, actor="loader", actor_role="operator")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(register), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    built = Served(register, f"http://127.0.0.1:{port}")
    try:
        for username, (role, borough, organisation) in USERS.items():
            built.add_user(username, role, borough, organisation)
        _camden_register(register)
        yield built
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        register.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium",
                    pytrace=False)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own cookies) per test. The console must stay free of
    errors (where a violation of the Content-Security-Policy shows) and every script,
    style and image must load; a page itself may answer 4xx (a refusal is a page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    tab.on("console", on_console)
    tab.on("response", on_response)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert errors == [], errors
