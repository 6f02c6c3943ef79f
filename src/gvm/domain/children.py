"""Children on the register: people under 18 on the review (or disclosure, or meeting)
date are marked as such everywhere they appear, and the policy's stricter defaults apply
to them (gvm.domain.policy [children])."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def is_child(date_of_birth: date, on: date) -> bool:
    """Under 18 on `on`."""
    try:
        eighteenth = date_of_birth.replace(year=date_of_birth.year + 18)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        eighteenth = date(date_of_birth.year + 18, 3, 1)
    return on < eighteenth


def serves_children(isa_purpose: str, purposes: Iterable[str]) -> bool:
    """An ISA may carry a child's data only when its purpose is one of `purposes`
    (safeguarding, youth support by default)."""
    text = isa_purpose.lower()
    return any(p in text for p in purposes)


CHILD_ISA_RULE = ("a child's data is disclosed only under an ISA whose purpose is "
                  "safeguarding or youth support (policy [children] isa_purposes)")
