"""Permissions, named `scope:resource:action` (after pypi/warehouse). Every API route and
web page declares the one it needs; a test fails if any does not."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    # Operational register work (borough or force-wide, see Actor.borough_code).
    BOROUGH_READ = "register:borough:read"
    GANG_READ = "register:gang:read"
    PERSON_SEARCH = "register:person:search"
    PERSON_VIEW = "register:person:view"  # a consultation: needs a justification
    PERSON_WRITE = "register:person:write"  # offences, custody, corrections of facts
    INTELLIGENCE_WRITE = "register:intelligence:write"
    SCORE_RUN = "register:score:run"
    REGISTER_READ = "register:cohort:read"  # who is on the register
    REGISTER_DECIDE = "register:cohort:decide"  # put on or take off (R-HUMAN)
    # Partner access goes only through an ISA in force (R-ISA, R-SELECTED).
    DISCLOSURE_RECEIVE = "partner:disclosure:read"  # a partner: its own organisation's
    DISCLOSURE_MAKE = "register:disclosure:make"  # disclose under an ISA in force
    DISCLOSURE_LIST = "sharing:disclosure:list"  # what went to whom (no personal data)
    ISA_READ = "governance:isa:read"
    ISA_MANAGE = "governance:isa:manage"  # register an ISA (R-ISA, R-NO-COURT)
    # Four-weekly borough meetings (R-MEETING, R-CONFIDENTIAL) and diversion (R-DIVERT).
    MEETING_READ = "governance:meeting:read"  # meetings, and packs for signed attendees
    MEETING_MANAGE = "governance:meeting:manage"  # schedule, attendees, signing, actions
    REFERRAL_WRITE = "register:referral:write"  # support referrals and their outcomes
    # Oversight.
    AUDIT_READ = "oversight:audit:read"
    AUDIT_VERIFY = "oversight:audit:verify"
    SUBJECT_ACCESS = "oversight:subject:report"  # subject access and removal requests
    EQUALITY_READ = "oversight:equality:read"  # the equality report: aggregates only
    # Administration: accounts, never personal data of nominals.
    USER_MANAGE = "admin:user:manage"
    # Anyone signed in: their own account.
    SELF = "account:self:manage"
