"""Page requests for the HTTP-level tests: sign in through the sign-in form (its
double-submit token included), then GET and POST pages with the session's CSRF token
read from the page, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from api_support import PASSWORD, SURNAME, USERS, Api

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
# An attribute named on... or style, skipping quoted values: an escaped value may read
# " onerror=" as text.
INLINE_HANDLER = re.compile(r"""<\w+(?:\s+[\w:-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*"""
                            r"\s+(on[a-z]+|style)\s*=", re.I)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGIN_CSRF = re.compile(r'name="login_csrf" value="([^"]+)"')


def login_token(client: Any) -> str:
    found = LOGIN_CSRF.search(client.get("/sign-in").text)
    assert found is not None
    return found.group(1)


class Pages:
    """A browser-like client of the pages for one user (or nobody)."""

    def __init__(self, api: Api, username: str | None = None) -> None:
        self.client = api.client()
        self.csrf = ""
        if username is not None:
            # The API fixture signed the user in with this step's code, which is good
            # once: the step's code if the clock has moved on since, else the next one.
            for ahead in (0, 1):
                response = self.client.post("/sign-in", data={
                    "login_csrf": login_token(self.client), "username": username,
                    "password": PASSWORD, "totp_code": api.code(username, ahead=ahead)},
                    follow_redirects=False)
                if response.status_code == 303:
                    break
            assert response.status_code == 303, (username, response.status_code)
            found = CSRF.search(self.client.get("/").text)
            assert found is not None
            self.csrf = found.group(1)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self._checked(self.client.get(path, follow_redirects=False, **kwargs))

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             **kwargs: Any) -> Any:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        return self._checked(self.client.post(path, data=form, follow_redirects=False,
                                              **kwargs))

    @staticmethod
    def _checked(response: Any) -> Any:
        return checked(response)


def checked(response: Any) -> Any:
    """No refusal repeats personal data (the bundle's distinctive surname), and no page
    has an inline script, event handler or style, which the CSP would block."""
    if response.status_code >= 400:
        assert SURNAME.lower() not in response.text.lower(), response.text
    if response.headers.get("content-type", "").startswith("text/html"):
        assert not INLINE_SCRIPT.search(response.text), INLINE_SCRIPT.search(response.text)
        assert not INLINE_HANDLER.search(response.text), INLINE_HANDLER.search(response.text)
    return response


class PageSessions:
    """One signed-in page client per user of the module's register, made on first use
    (each user signs in to the pages once: a TOTP code is good once)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.made: dict[str, Pages] = {}

    def __getitem__(self, username: str) -> Pages:
        if username not in self.made:
            self.made[username] = Pages(self.api, None if username == "anonymous"
                                        else username)
        return self.made[username]

    def fresh(self, username: str) -> Pages:
        """A new user with `username`'s role and scope, signed in: for tests that end
        their session or must not share one."""
        role, borough, organisation = USERS[username]
        name = f"{username}-{len(self.api.secrets)}"
        self.api.add_user(name, role, borough, organisation)
        return Pages(self.api, name)
