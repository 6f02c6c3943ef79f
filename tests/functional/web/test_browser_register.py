"""The register's journeys in Chromium: the borough dashboard, search, justify and view
a profile, record intelligence; and what each role must not see (another borough's
person is not found; a partner cannot search). Screenshots of each page are saved."""

from __future__ import annotations

from api_support import AS_OF, SURNAME
from web_support import screenshot


def test_dashboard_shows_the_borough_at_a_glance(served, page):
    served.sign_in(page, "lead")
    page.goto(f"{served.base_url}/dashboard?as_of={AS_OF}")
    page.get_by_role("heading", name="Borough dashboard: Camden").wait_for()
    assert page.locator(".big").first.inner_text() == "3"
    requests = page.get_by_role("heading", name="Removal requests near their deadline")
    assert requests.is_visible() and page.get_by_text("#1").is_visible()
    screenshot(page, "dashboard")
    page.set_viewport_size({"width": 800, "height": 1100})  # a tablet held upright
    screenshot(page, "dashboard-tablet")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 800  # nothing forces sideways scrolling


def test_search_justify_and_view_a_profile(served, page):
    served.sign_in(page, "analyst")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Name").fill("zanzib")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="1 person found").wait_for()
    assert "/people/search" in page.url and "zanzib" not in page.url  # a POST body
    screenshot(page, "search")
    page.get_by_role("link", name="P1").click()
    page.get_by_role("heading", name="Why are you opening this record?").wait_for()
    assert SURNAME not in page.content()  # nothing before the reason
    screenshot(page, "justify")
    page.get_by_label("Safeguarding concern").check()
    page.get_by_label("Scores as of").fill(AS_OF)
    page.get_by_role("button", name="Open the record").click()
    page.get_by_role("heading", name=f"Ada {SURNAME} (P1)").wait_for()
    assert page.locator("svg.timeline circle").count() >= 3
    assert page.get_by_role("table", name="What counts towards the harm score").is_visible()
    assert page.url.endswith("/people/P1")
    screenshot(page, "profile")


def test_another_boroughs_person_is_not_found(served, page):
    served.sign_in(page, "analyst_b")
    page.goto(f"{served.base_url}/people/P1")
    page.get_by_label("Partner referral").check()
    page.get_by_role("button", name="Open the record").click()
    page.get_by_role("heading", name="Not found").wait_for()
    assert SURNAME not in page.content()


def test_record_intelligence_with_the_keyboard(served, page):
    served.sign_in(page, "force")
    page.goto(f"{served.base_url}/people/P5/intelligence")
    page.get_by_label("Date of the intelligence").fill("2024-05-01")
    page.get_by_role("button", name="Record intelligence").click()  # the rest empty
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.locator("#source_grade-error").is_visible()
    screenshot(page, "intelligence-errors")
    page.get_by_label("Category").select_option("weapon_access")
    page.get_by_label("Source reference").fill("S9")
    page.get_by_label("Source type").select_option("police")
    page.get_by_label("1 reliable").check()
    page.get_by_label("B known indirectly, corroborated").check()
    page.get_by_label("P may be disseminated lawfully").check()
    page.get_by_label("Summary").fill("seen with a blade")
    page.get_by_label("Why you are recording it").fill("patrol report")
    page.get_by_label("Why you are recording it").press("Enter")
    page.get_by_role("heading", name="Intelligence recorded").wait_for()
    assert "1BP" in page.get_by_role("status").inner_text()


def test_a_partner_cannot_search(served, page):
    served.sign_in(page, "partner")
    assert page.get_by_role("link", name="Search").count() == 0  # neither nav nor start
    page.goto(f"{served.base_url}/people/search")
    page.get_by_role("heading", name="Not allowed").wait_for()
