"""The borough dashboard's "since the last meeting" card (R-MEETING): the borough's
last meeting held before today and the register decisions made since, on both backends."""

from __future__ import annotations

import re
from datetime import date, timedelta

from api_support import AS_OF, CAMDEN

CARD = re.compile(r'<span class="big">(\d+)</span> put on the register,\s*'
                  r'<span class="big">(\d+)</span> taken off')


def _card(pages) -> tuple[int, int]:
    board = pages["lead"].get(f"/dashboard?as_of={AS_OF}")
    assert board.status_code == 200
    found = CARD.search(board.text)
    assert found, "the changes card is missing"
    return int(found.group(1)), int(found.group(2))


def _decide(api, person_id: str, decision: str) -> None:
    made = api["lead"].post("/register/decisions", json={
        "person_id": person_id, "decision": decision, "as_of": AS_OF,
        "rationale": "two graded sources corroborate" if decision == "include"
        else "no longer meets the threshold"})
    assert made.status_code == 201, made.text


def test_changes_since_the_last_meeting(api, pages):
    assert "No meeting held yet" in pages["lead"].get(f"/dashboard?as_of={AS_OF}").text
    yesterday = date.today() - timedelta(days=1)
    scheduled = api["lead"].post("/meetings", json={"borough_code": CAMDEN,
                                                    "first": yesterday.isoformat()})
    assert scheduled.status_code == 201, scheduled.text
    board = pages["lead"].get(f"/dashboard?as_of={AS_OF}").text
    assert f"Last meeting: {yesterday.isoformat()}" in board
    included, removed = _card(pages)
    _decide(api, "P1", "include")
    assert _card(pages) == (included + 1, removed)
    _decide(api, "P1", "remove")
    assert _card(pages) == (included + 1, removed + 1)
