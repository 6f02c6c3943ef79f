"""Signing in with a real browser (Chromium): first-time enrolment of the authenticator
with the QR code, sign-in with a code, sign-out; and every page loads with no console
error, i.e. nothing the Content-Security-Policy blocks (R-ACCESS)."""

from __future__ import annotations

import re

import pyotp
from api_support import PASSWORD, Role
from web_support import screenshot


def test_first_sign_in_shows_the_qr_code_then_signs_in(served, page):
    secret = served.add_user("first-timer", Role.BOROUGH_ANALYST, "E09000007")
    page.goto(served.base_url + "/")
    assert page.url.endswith("/sign-in")  # not signed in: sent to sign in
    page.get_by_label("Username").fill("first-timer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up your authenticator").wait_for()
    assert page.locator("figure.qr svg").count() == 1
    shown = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert shown == secret
    screenshot(page, "mfa-enrolment")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("First code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.get_by_text("Signed in as").wait_for()
    assert "first-timer" in page.locator(".who").inner_text()


def test_sign_in_and_out(served, page):
    page.goto(served.base_url + "/sign-in")
    screenshot(page, "sign-in")
    served.sign_in(page, "dpo")
    assert page.get_by_role("navigation", name="Main").is_visible()
    page.keyboard.press("Tab")  # the skip link comes first and is visible on focus
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out.").wait_for()
    page.goto(served.base_url + "/")
    assert re.search(r"/sign-in$", page.url)


def test_a_wrong_code_is_the_one_refusal(served, page):
    page.goto(served.base_url + "/sign-in")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    assert "sign-in failed" in page.get_by_role("alert").inner_text()
