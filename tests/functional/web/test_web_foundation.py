"""The pages' foundation over HTTP: the Content-Security-Policy, CSRF on every state
change (the session's token; the sign-in form's own double-submit token), session expiry
as a redirect to sign in, first-sign-in enrolment of the authenticator, sign-out, and API
errors staying JSON (R-ACCESS, R-LOG)."""

from __future__ import annotations

import re

import pyotp
from api_support import PASSWORD, Role
from pages import checked, login_token

from gvm.api.deps import SESSION_COOKIE
from gvm.api.middleware import CONTENT_SECURITY_POLICY


def test_pages_carry_a_strict_csp_and_are_not_cached(pages):
    response = pages["analyst"].get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    static = pages["analyst"].get("/static/htmx.min.js")
    assert static.status_code == 200 and "no-store" not in static.headers.get(
        "cache-control", "")


def test_the_layout_is_accessible(pages):
    text = pages["analyst"].get("/").text
    assert '<html lang="en-GB">' in text
    assert 'class="skip-link" href="#main"' in text and '<main id="main"' in text
    assert '<nav aria-label="Main">' in text and "<h1>" in text


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(pages):
    user = pages.fresh("analyst")
    refused = user.post("/sign-out", csrf=False)
    assert refused.status_code == 403 and "expired" in refused.text
    wrong = user.post("/sign-out", {"csrf_token": "x" * 43}, csrf=False)
    assert wrong.status_code == 403
    assert user.get("/").status_code == 200  # still signed in


def test_sign_in_needs_its_form_token(api):
    api.add_user("forged-login", Role.BOROUGH_ANALYST, "E09000007")
    client = api.client()
    forged = checked(client.post("/sign-in", data={
        "username": "forged-login", "password": PASSWORD,
        "totp_code": api.code("forged-login")}, follow_redirects=False))
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.cookies


def test_a_dead_session_is_sent_to_sign_in_with_a_message(api):
    client = api.client()
    client.cookies.set(SESSION_COOKIE, "no-such-session")
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?expired=1"
    partial = client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert partial.status_code == 204 and partial.headers["hx-redirect"] == "/sign-in?expired=1"
    assert "Your session has ended" in client.get("/sign-in?expired=1").text
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).headers["location"] == "/sign-in"


def test_first_sign_in_enrols_the_authenticator(api):
    secret = api.add_user("new-starter", Role.BOROUGH_ANALYST, "E09000007")
    client = api.client()
    form = {"username": "new-starter", "password": PASSWORD}
    enrol = checked(client.post("/sign-in", data={**form, "login_csrf": login_token(client)}))
    assert enrol.status_code == 200
    assert "<svg" in enrol.text and "Set up your authenticator" in enrol.text
    shown = re.search(r'id="totp-secret"><code>([A-Z2-7 ]+)</code>', enrol.text)
    assert shown is not None and shown.group(1).replace(" ", "") == secret
    assert SESSION_COOKIE not in client.cookies  # no session before the first code
    token = re.search(r'name="login_csrf" value="([^"]+)"', enrol.text).group(1)
    done = client.post("/sign-in", data={**form, "login_csrf": token,
                                         "totp_code": pyotp.TOTP(secret).now()},
                       follow_redirects=False)
    assert done.status_code == 303 and client.get("/").status_code == 200
    again = api.client()  # enrolled now: the secret is never shown again
    refused = checked(again.post("/sign-in", data={**form, "login_csrf": login_token(again)}))
    assert refused.status_code == 401 and "sign-in failed" in refused.text
    assert secret not in refused.text and "<svg" not in refused.text


def test_enrolment_needs_the_password(api):
    secret = api.add_user("new-starter-2", Role.BOROUGH_ANALYST, "E09000007")
    client = api.client()
    refused = checked(client.post("/sign-in", data={
        "username": "new-starter-2", "password": "not the password at all",
        "login_csrf": login_token(client)}))
    assert refused.status_code == 401 and secret not in refused.text


def test_sign_out_ends_the_session(pages):
    user = pages.fresh("lead")
    out = user.post("/sign-out")
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?signed_out=1"
    assert user.get("/").headers["location"] == "/sign-in"


def test_api_errors_stay_json(api):
    client = api.client()
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    assert client.get("/api/v1/auth/me").json() == {"detail": "not signed in"}
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
