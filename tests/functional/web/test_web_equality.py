"""The equality dashboard over HTTP on both backends (R-EQUALITY, R-LOG, R-ACCESS): the
DPO sees the register's make-up by ethnic group against the census and the suspects with
RRIs and 95% intervals, overall and by age band, sex and harm band, for London or one
borough, as tables and a server-drawn SVG chart; every run is logged as a combination
with aggregates only, and the page shows no person."""

from __future__ import annotations

import re
from datetime import date

from api_support import AS_OF, CAMDEN, SURNAME

from gvm import reference
from gvm.reports.equality import census_frame, equality_report, headline
from gvm.services.oversight_reports import CohortKind, run_report

EQUALITY = f"/oversight/equality?as_of={AS_OF}&cohort=eligible"


def expected_headline(api, borough: str | None) -> list[dict]:
    day = date.fromisoformat(AS_OF)
    census = census_frame(reference.census_rows())
    report = run_report(
        api.register.unit_of_work, report="equality", dates=[day],
        policy=api.register.policy, catalogue=api.register.catalogue,
        cohort=CohortKind.ELIGIBLE, actor="test", actor_role="operator", borough=borough,
        compute=lambda i: equality_report(i[day].cohort, i[day].suspects, census, day,
                                          borough=borough, by_borough=False),
        summarise=lambda r: {})
    return headline(report, borough or "London").to_dicts()


def test_the_dpo_sees_the_force_wide_tables_and_chart(pages):
    before = pages.api.audit_head()
    shown = pages["dpo"].get(EQUALITY)
    assert shown.status_code == 200
    logged = pages.api.audit_after(before)
    text = shown.text
    rows = expected_headline(pages.api, None)
    n = rows[0]["cohort_n"]
    assert n > 0 and f"London, {AS_OF}: {n} people in the cohort" in text
    for heading in ("Everyone", "By age band", "By sex", "By harm band"):
        assert f"<h2>{heading}" in text
    black = next(r for r in rows if r["group"] == "Black")
    cell = f'{black["rri_census"]:.2f} ({black["rri_census_low"]:.2f} to '
    assert cell in text  # the RRI vs census with its interval, as the report has it
    assert text.count('<th scope="row">Black</th>') >= 4  # one per table with strata
    svg = re.search(r"<svg role=\"img\".*?</svg>", text, re.S)
    assert svg is not None and svg.group(0).count("<rect") == sum(
        bool(r["rri_census"]) for r in rows)  # a bar for each group with an RRI above 0
    assert [(e.event.operation.value, e.event.record_type, e.event.record_ids)
            for e in logged] == [("combination", "report", ())]
    assert logged[0].event.detail["view"] == "equality dashboard"
    assert logged[0].event.actor == "dpo"


def test_the_page_shows_no_person(pages):
    text = pages["dpo"].get(EQUALITY).text
    for personal in (SURNAME, "Quillfeather", "Oyelaran", "2004-03-01", ">P1<"):
        assert personal not in text


def test_one_borough(pages):
    text = pages["dpo"].get(EQUALITY + f"&area={CAMDEN}").text
    rows = expected_headline(pages.api, CAMDEN)
    assert f"Camden, {AS_OF}: {rows[0]['cohort_n']} people in the cohort" in text
    assert f'<option value="{CAMDEN}" selected>Camden</option>' in text


def test_bad_choices_are_named(pages):
    area = pages["dpo"].get(EQUALITY + "&area=Narnia")
    assert area.status_code == 422 and "area" in area.text and "Narnia" not in area.text
    day = pages["dpo"].get("/oversight/equality?as_of=yesterday")
    assert day.status_code == 422 and "as of" in day.text


def test_only_oversight_report_readers_may_open_it(pages):
    """The DPO and the force analyst (oversight:report:read); not a borough's users, a
    partner or the administrator."""
    for role in ("analyst", "lead", "partner", "admin"):
        assert pages[role].get(EQUALITY).status_code == 403, role
        assert 'href="/oversight/equality"' not in pages[role].get("/").text
    for role in ("dpo", "force"):
        assert pages[role].get(EQUALITY).status_code == 200, role
        assert 'href="/oversight/equality"' in pages[role].get("/").text
