"""The cohort review, sharing and oversight journeys in Chromium: a lead works through
the review with the keyboard (HTMX partials), an analyst previews and makes a partner
export (a download), the partner acknowledges and downloads, the DPO browses the log.
And what each must not see: a partner opens no ISA; an administrator reads no log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from api_support import AS_OF, SURNAME, isa_body
from web_support import screenshot

from gvm.authz import Actor, Role
from gvm.services import sharing


def test_a_lead_runs_the_review_with_the_keyboard(served, page):
    served.sign_in(page, "lead")
    page.goto(served.base_url + "/reviews")
    page.get_by_label("Scores as of").fill(AS_OF)
    page.get_by_role("button", name="Open the review").click()
    page.get_by_role("heading", name="Cohort review: Camden").wait_for()
    screenshot(page, "review")
    for person in ("P1", "P4", "P6"):
        box = page.get_by_label(f"Rationale for {person}")
        box.fill("reviewed with the borough team")
        box.press("Tab")  # to the button
        page.keyboard.press("Enter")
        page.locator(f"#line-{person}.decided").wait_for()
        if person != "P6":  # focus moved on to the next person's choice
            page.wait_for_function("document.activeElement.type === 'radio'")
            active = page.evaluate("document.activeElement.closest('section').id")
            assert active != f"line-{person}"
    screenshot(page, "review-decided")
    page.get_by_role("button", name="Close the review").click()
    page.get_by_text("closed").first.wait_for()


def _an_isa(served) -> sharing.Isa:
    dpo = Actor(user_id=0, username="dpo", role=Role.DPO)
    body = isa_body()
    return sharing.register_isa(
        served.register.unit_of_work, dpo, organisation=body["organisation"],
        organisation_type=body["organisation_type"], purpose=body["purpose"],
        boroughs=body["boroughs"], permitted_fields=body["permitted_fields"],
        handling_conditions=body["handling_conditions"],
        start_date=date.fromisoformat(body["start_date"]),
        end_date=date.fromisoformat(body["end_date"]))


def _a_disclosure(served) -> None:
    """Each journey makes what it needs: xdist may run these tests on different workers,
    each with its own server and database, in any order."""
    analyst = Actor(user_id=0, username="analyst", role=Role.FORCE_ANALYST)
    register = served.register
    sharing.make_disclosure(
        register.unit_of_work, analyst, _an_isa(served).isa_id, ["P1", "P4"],
        isa_body()["permitted_fields"],
        as_of=date.fromisoformat(AS_OF), policy=register.policy,
        catalogue=register.catalogue, justification="referral panel")


def test_an_analyst_previews_then_makes_a_partner_export(served, page):
    isa = _an_isa(served)
    served.sign_in(page, "analyst")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sharing").click()
    screenshot(page, "isas")
    page.get_by_role("link", name=f"ISA {isa.isa_id}").click()
    page.get_by_label("Register ids").fill("P1 P4")
    page.get_by_label("Records as of").fill(AS_OF)
    page.get_by_label("Why this disclosure").fill("referral panel")
    page.get_by_role("button", name="Preview the disclosure").click()
    page.get_by_text("Nothing has been sent").wait_for()
    preview = page.get_by_role("table", name="People and fields that would go")
    assert SURNAME in preview.inner_text() and "date of birth" not in preview.inner_text()
    screenshot(page, "disclosure-preview")
    page.on("dialog", lambda dialog: dialog.accept())  # "this cannot be undone"
    with page.expect_download() as download:
        page.get_by_role("button", name="Disclose and download the sheet").click()
    sheet = download.value
    assert sheet.suggested_filename.startswith("disclosure-")
    assert SURNAME in Path(sheet.path()).read_text(encoding="utf-8-sig")


def test_the_partner_acknowledges_then_downloads(served, page):
    _a_disclosure(served)
    served.sign_in(page, "partner")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Sharing").count() == 0  # no ISA pages
    nav.get_by_role("link", name="Received").click()
    page.get_by_role("heading", name="Disclosures received by Camden Youth Offending Service"
                     ).wait_for()
    screenshot(page, "received")
    page.get_by_role("button", name="I acknowledge the condition").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").first.click()
    assert SURNAME in Path(download.value.path()).read_text(
        encoding="utf-8-sig")
    page.goto(served.base_url + "/sharing/isas")
    page.get_by_role("heading", name="Not allowed").wait_for()


def test_the_dpo_browses_the_audit_log(served, page):
    _a_disclosure(served)
    served.sign_in(page, "dpo")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    assert "Hash chain verified" in page.locator("#chain-status").inner_text()
    page.get_by_label("Register id of the person").fill("P1")
    page.get_by_label("Operation").select_option("disclosure")
    page.get_by_role("button", name="Show entries").click()
    page.get_by_role("heading", name="entr").wait_for()
    table = page.get_by_role("table").inner_text()
    assert "disclosure" in table and "Camden Youth Offending Service" in table
    assert SURNAME not in page.content()  # the log names ids, never people
    screenshot(page, "audit-log")


def test_an_administrator_sees_no_personal_data(served, page):
    served.sign_in(page, "admin")
    nav = page.get_by_role("navigation", name="Main").inner_text()
    assert "Search" not in nav and "Audit log" not in nav and "Dashboard" not in nav
    for path in ("/people/search", "/oversight/audit", "/dashboard", "/people/P1"):
        page.goto(served.base_url + path)
        page.get_by_role("heading", name="Not allowed").wait_for()
        assert SURNAME not in page.content()
