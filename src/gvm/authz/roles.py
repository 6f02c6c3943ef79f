"""Roles and what each may do. Scope (one borough or force-wide) is a property of the
user, checked by the policy functions, not a separate permission."""

from __future__ import annotations

from enum import StrEnum

from gvm.authz.permissions import Permission as P


class Role(StrEnum):
    BOROUGH_ANALYST = "borough_analyst"
    GANG_LEAD = "gang_lead"  # borough gang lead: decides inclusion and removal
    FORCE_ANALYST = "force_analyst"
    PARTNER = "partner"  # a partner organisation's user: only what its ISA allows
    DPO = "dpo"  # data protection officer / auditor: the log, no operational edits
    ADMIN = "admin"  # accounts only; no personal data of nominals


_ANALYST = frozenset({P.BOROUGH_READ, P.GANG_READ, P.PERSON_SEARCH, P.PERSON_VIEW,
                      P.PERSON_WRITE, P.INTELLIGENCE_WRITE, P.SCORE_RUN, P.REGISTER_READ,
                      P.DISCLOSURE_MAKE, P.ISA_READ, P.MEETING_READ, P.REFERRAL_WRITE,
                      P.SELF})

ROLE_PERMISSIONS: dict[Role, frozenset[P]] = {
    Role.BOROUGH_ANALYST: _ANALYST,
    Role.GANG_LEAD: _ANALYST | {P.REGISTER_DECIDE, P.MEETING_MANAGE},
    Role.FORCE_ANALYST: _ANALYST,
    Role.PARTNER: frozenset({P.BOROUGH_READ, P.DISCLOSURE_RECEIVE, P.DISCLOSURE_LIST,
                              P.SELF}),
    Role.DPO: frozenset({P.BOROUGH_READ, P.AUDIT_READ, P.AUDIT_VERIFY, P.ISA_READ,
                          P.ISA_MANAGE, P.DISCLOSURE_LIST, P.SUBJECT_ACCESS, P.EQUALITY_READ,
                          P.SELF}),
    Role.ADMIN: frozenset({P.BOROUGH_READ, P.USER_MANAGE, P.AUDIT_VERIFY, P.ISA_READ,
                            P.ISA_MANAGE, P.SELF}),
}

# Roles bound to one borough; the others are force-wide or organisation-bound.
BOROUGH_ROLES = frozenset({Role.BOROUGH_ANALYST, Role.GANG_LEAD})
