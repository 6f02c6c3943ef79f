"""Meetings and the equality dashboard in a real browser (Chromium): the gang lead
schedules a meeting, adds attendees and records their signatures; a signed attendee
opens the pack and downloads its PDF; an unsigned partner attendee is refused the pack
with the reason; the DPO opens the equality dashboard; an analyst of another borough
cannot see the meeting (R-MEETING, R-CONFIDENTIAL, R-ISA, R-EQUALITY, R-ACCESS).
Every page loads with nothing the CSP blocks (the page fixture checks the console)."""

from __future__ import annotations

from datetime import date

import pytest
from api_support import AS_OF, CAMDEN, Role
from web_support import screenshot

from gvm.authz import Actor
from gvm.services import meetings, sharing

YOS = "Camden Youth Offending Service"
LEAD = Actor(0, "lead", Role.GANG_LEAD, borough_code=CAMDEN)


def nav(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


@pytest.fixture(scope="module")
def meeting(served) -> int:
    """A Camden meeting with the analyst (signed) and a YOS representative who has not
    signed, the YOS's ISA in force."""
    uow = served.register.unit_of_work
    sharing.register_isa(
        uow, Actor(0, "dpo", Role.DPO), organisation=YOS,
        organisation_type="youth_offending_service", purpose="safeguarding young people",
        boroughs=[CAMDEN], permitted_fields=["person_id", "harm_band", "score_explanation"],
        handling_conditions="named caseworkers only", start_date=date(2024, 1, 1),
        end_date=date(2099, 12, 31))
    made = meetings.schedule_meetings(uow, LEAD, CAMDEN, date(2024, 7, 2))[0].meeting_id
    analyst = meetings.add_attendee(uow, LEAD, made, username="analyst")
    meetings.add_attendee(uow, LEAD, made, name="Kim Unsigned", organisation=YOS)
    meetings.sign_agreement(uow, LEAD, made, analyst.attendee_id, read_out_by="lead")
    return made


def test_the_lead_schedules_a_meeting_adds_attendees_and_records_signatures(served, page):
    served.sign_in(page, "lead")
    nav(page, "Meetings").click()
    page.get_by_label("Date of the first meeting").fill("2024-09-24")
    page.get_by_role("button", name="Schedule").click()
    screenshot(page, "meetings-list")
    page.get_by_role("link", name="Open the meeting of 2024-09-24").click()
    page.get_by_role("heading", name="Confidentiality agreement").wait_for()
    page.get_by_label("Username").fill("force")
    page.get_by_role("button", name="Add the user").click()
    page.get_by_label("Name", exact=True).fill("Jo Bloggs")
    page.get_by_label("Organisation").fill(YOS)
    page.get_by_role("button", name="Add the representative").click()
    row = page.get_by_role("row").filter(has_text="Jo Bloggs")
    row.get_by_label("Read out by").fill("lead")
    row.get_by_label("Jo Bloggs has signed the agreement above").check()
    row.get_by_role("button", name="Record the signature of Jo Bloggs").click()
    signed = page.get_by_role("row").filter(has_text="Jo Bloggs")
    signed.get_by_text("read out by lead").wait_for()
    assert page.get_by_role("button", name="Record the signature of force").is_visible()
    page.get_by_label("Action", exact=True).fill("Offer a youth worker meeting")
    page.get_by_label("Owner").fill("Jo Bloggs")
    page.get_by_label("Due on").fill("2024-10-08")
    page.get_by_role("button", name="Record the action").click()
    page.get_by_role("cell", name="Offer a youth worker meeting").wait_for()
    screenshot(page, "meeting")


def test_a_signed_attendee_opens_the_pack_and_its_pdf(served, page, meeting):
    served.sign_in(page, "analyst")
    page.goto(f"{served.base_url}/meetings/{meeting}")
    page.get_by_role("link", name="Pack of analyst").click()
    page.get_by_role("heading", name="Camden gangs meeting, 2024-07-02").wait_for()
    assert "OFFICIAL-SENSITIVE" in page.locator("article.pack").inner_text()
    screenshot(page, "meeting-pack")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the pack as a PDF").click()
    assert download.value.suggested_filename.startswith(f"meeting-{meeting}-pack-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_an_unsigned_partner_attendee_is_refused_the_pack(served, page, meeting):
    served.add_user("lead-2", Role.GANG_LEAD, CAMDEN)
    served.sign_in(page, "lead-2")
    page.goto(f"{served.base_url}/meetings/{meeting}")
    page.get_by_role("link", name="Pack of Kim Unsigned").click()
    refusal = page.get_by_role("alert")
    refusal.wait_for()
    assert "has not signed" in refusal.inner_text()
    assert page.get_by_role("heading", name="Refused").is_visible()
    screenshot(page, "meeting-pack-refused")


def test_the_dpo_opens_the_equality_dashboard(served, page):
    served.sign_in(page, "dpo")
    nav(page, "Equality").click()
    page.get_by_label("As of").fill(AS_OF)
    page.get_by_label("Cohort").select_option("eligible")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Everyone").wait_for()
    assert page.get_by_role("img", name="RRI against the census by ethnic group, London"
                            ).is_visible()
    assert page.get_by_role("table").count() >= 4
    assert "people in the cohort" in page.get_by_role("heading", level=2).first.inner_text()
    screenshot(page, "equality-dashboard")
    assert nav(page, "Meetings").count() == 0  # not the DPO's work


def test_an_analyst_of_another_borough_cannot_see_the_meeting(served, page, meeting):
    served.sign_in(page, "analyst_b")
    page.goto(f"{served.base_url}/meetings/{meeting}")
    page.get_by_role("heading", name="Not found").wait_for()
    assert "Kim Unsigned" not in page.content()
    screenshot(page, "meeting-other-borough")
    nav(page, "Meetings").click()
    page.get_by_text("No meetings are scheduled.").wait_for()
