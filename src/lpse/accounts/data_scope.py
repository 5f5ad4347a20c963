"""Whose records each capability reaches (issue 21; ASVS V8.2.2 data-level access, V8.4.1
agencies as tenants).

A capability says *which pages* a role opens; this says *which rows* those pages show. Every
capability has one decision here, so a new capability without one fails
``tests/test_authorization_scoping.py``, and ``docs/roles.md`` (scripts/roles_table.py) prints
each decision under its capability.

LPSE-wide is a decision, not a gap: the LPSE is one service unit for the whole regency (SPEC:
Peraturan Bupati Maros 12/2013): its helpdesk answers every caller, walk-in or online (R-2.1), its
verifiers verify every provider (a provider registers once and may bid for any agency), it trains
every agency (R-2.2), and its technical staff run one system and one server room. Rows that belong to an agency, a committee, a company or a
person's assignment are filtered by the selectors, and a row outside the scope is not found
(404) or refused (403) — the proof names the test that asks for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lpse.accounts.roles import Role
from lpse.core.capabilities import Cap


class Scope(StrEnum):
    OWN_COMPANY = "own company"
    OWN_AGENCY = "own agency"
    ASSIGNMENT = "assignment"
    LPSE_WIDE = "LPSE-wide"


@dataclass(frozen=True)
class Decision:
    scope: Scope
    why: str
    proof: str = ""  # tests/…py::test_… that asks for a row outside the scope


def _wide(why: str) -> Decision:
    return Decision(Scope.LPSE_WIDE, why)


_CONFIG = "the LPSE's own settings, the same for every agency"
_SYSTEM = "the one system the LPSE runs: no agency's or company's rows"
_ROOM = "the LPSE's one server room and its facility (R-4.2, R-4.3)"
_TRAINER = (
    "tests/test_authorization_scoping.py::"
    "test_issue21_a_trainer_not_assigned_gets_404_on_every_page_of_a_training"
)

DATA_SCOPE: dict[str, Decision] = {
    # accounts
    Cap.MANAGE_LPSE_STAFF: _wide("the application administrator manages the LPSE's own staff"),
    Cap.MANAGE_AGENCY_STAFF: Decision(
        Scope.OWN_AGENCY,
        "the staff of the administrator's agency only",
        "tests/test_authorization_matrix.py::"
        "test_an_agency_admin_sees_only_the_staff_of_their_own_agency",
    ),
    Cap.MANAGE_AGENCIES: _wide(_CONFIG),
    Cap.MANAGE_LOGIN_HOURS: _wide(_CONFIG),
    Cap.MANAGE_COMMITTEES: Decision(
        Scope.OWN_AGENCY,
        "the committees of the administrator's agency, with members of that agency only",
        "tests/test_tender_rules.py::test_R_8_1_a_committee_has_members_of_its_own_agency_only",
    ),
    # providers
    Cap.VIEW_REGISTRATIONS: _wide(
        "a provider registers once with the LPSE and may bid for every agency: the "
        "verification queue is the LPSE's, not an agency's"
    ),
    Cap.VERIFY_PROVIDERS: _wide("verifiers are LPSE staff verifying every provider (R-1.5)"),
    Cap.CONFIGURE_CHECKLIST: _wide(_CONFIG),
    Cap.OWN_COMPANY: Decision(
        Scope.OWN_COMPANY,
        "the provider's own company: its bids, tickets, requests and participation",
        "tests/test_bids.py::test_R_9_1_a_bid_of_provider_a_is_invisible_to_provider_b",
    ),
    Cap.APPLY_EMAIL_CHANGES: _wide("the application administrator applies every change (R-3.2)"),
    Cap.VIEW_EMAIL_CHANGES: _wide(
        "the verifier checks every request; an agency administrator sees only the companies "
        "taking part in its agency's tenders"
    ),
    # tenders
    Cap.MANAGE_PACKAGES: Decision(
        Scope.ASSIGNMENT,
        "the PPK's own packages, handed to a committee or officer of the same agency",
        "tests/test_ppk_handover.py::test_R_8_1_refused_for_another_agency_the_same_person_or_no_reason",
    ),
    Cap.MANAGE_TENDERS: Decision(
        Scope.ASSIGNMENT,
        "the tenders of the member's committees",
        "tests/test_tender_participation.py::"
        "test_DESIGN_4_agency_b_committee_gets_403_on_agency_as_tender_pages",
    ),
    Cap.APPLY_SCHEDULE_CHANGES: _wide("the LPSE administrator applies every change (R-3.3)"),
    Cap.APPROVE_PACKAGES: Decision(
        Scope.OWN_AGENCY,
        "packages of the budget user's agency, never their own",
        "tests/test_package_approval.py::"
        "test_R_8_1_only_a_budget_user_of_the_same_agency_decides_and_never_on_their_own_package",
    ),
    Cap.VIEW_TENDER_STATISTICS: _wide("figures over every agency (R-5.5), no bidder's data"),
    Cap.CONFIGURE_STAGES: _wide(_CONFIG),
    Cap.PARTICIPATE: Decision(
        Scope.OWN_COMPANY,
        "the company's own participation and bids",
        "tests/test_bids.py::test_R_9_1_a_bid_of_provider_a_is_invisible_to_provider_b",
    ),
    # bids
    Cap.OPEN_BIDS: Decision(
        Scope.ASSIGNMENT,
        "the tenders the person is an opener of: its committee, or the officer of a "
        "non-tender procurement",
        "tests/test_tender_participation.py::"
        "test_DESIGN_4_a_committee_of_agency_b_cannot_touch_agency_as_tender",
    ),
    Cap.HANDLE_UNOPENABLE: _wide("the annex 3.1 procedure is the LPSE's, for every agency"),
    Cap.VIEW_UNOPENABLE: _wide("the annex 3.1 procedure is the LPSE's, for every agency"),
    # non-tender
    Cap.RUN_NONTENDER: Decision(
        Scope.ASSIGNMENT,
        "the procurements handed to this officer",
        "tests/test_nontender_pages.py::"
        "test_R_8_6_another_officer_neither_sees_nor_acts_on_the_procurement",
    ),
    Cap.CONFIGURE_NONTENDER: _wide(_CONFIG),
    # catalogue
    Cap.MANAGE_PRICE_INDEX: _wide(_CONFIG),
    Cap.MANAGE_MASTER_DATA: _wide(_CONFIG),
    # evaluation
    Cap.AWARD_CONTRACTS: Decision(
        Scope.ASSIGNMENT,
        "the PPK's own packages",
        "tests/test_ppk_handover.py::test_R_8_1_refused_for_another_agency_the_same_person_or_no_reason",
    ),
    # service desk
    Cap.HANDLE_TICKETS: _wide(
        "the helpdesk serves every caller, provider or agency, from one shared queue (R-2.1)"
    ),
    Cap.APPROVE_KNOWLEDGE: _wide("one knowledge base for every caller"),
    Cap.VIEW_SERVICE_REPORTS: _wide("the LPSE's service figures (R-3.6)"),
    Cap.HANDLE_UPLOAD_PROBLEMS: _wide(
        "the LPSE handles every upload problem; reaching a company's files needs its running "
        "consent (R-3.4)"
    ),
    Cap.ESCALATE_TO_LKPP: _wide("the LPSE escalates on behalf of every caller (R-3.5)"),
    # training
    Cap.REGISTER_TRAINING_REQUESTS: _wide("the LPSE trains every agency: one training service"),
    Cap.SCHEDULE_TRAININGS: _wide("the LPSE trains every agency: one training service"),
    Cap.VIEW_TRAININGS: _wide("the LPSE's office sees every training (a trainer: see below)"),
    Cap.RECORD_ATTENDANCE: _wide("the helpdesk records any session (a trainer: see below)"),
    Cap.RESET_TRAINING_SANDBOX: _wide(_SYSTEM),
    # news
    Cap.PUBLISH_NEWS: _wide("the LPSE's public announcements"),
    # backups
    Cap.MANAGE_BACKUPS: _wide(_SYSTEM),
    Cap.VIEW_BACKUPS: _wide(_SYSTEM),
    # operations
    Cap.HANDLE_ALERTS: _wide(_SYSTEM),
    Cap.MANAGE_OPERATIONS: _wide(_SYSTEM),
    Cap.VIEW_SECURITY: _wide(_SYSTEM),
    Cap.REQUEST_SERVER_ROOM_ACCESS: _wide(_ROOM + "; a permit is withdrawn by its requester"),
    Cap.APPROVE_SERVER_ROOM_ACCESS: _wide(_ROOM),
    Cap.RECORD_SERVER_ROOM_VISITS: _wide(_ROOM),
    Cap.MANAGE_FACILITY: _wide(_ROOM),
    Cap.DO_DUTIES: _wide(_SYSTEM + "; each person does the duties of their own roles (R-5.6)"),
    Cap.MANAGE_DUTIES: _wide(_SYSTEM),
    # core
    Cap.VIEW_AUDIT: _wide("the audit trail of the whole service (R-9.4)"),
    Cap.MANAGE_CALENDAR: _wide(_CONFIG),
    Cap.VIEW_MAIL_LOG: _wide(_SYSTEM),
    Cap.VIEW_SYSTEM_STATUS: _wide(_SYSTEM + " (the LKPP monitor's read-only view, R-5.5)"),
    # portal
    Cap.VIEW_RED_FLAGS: _wide("oversight of every agency's tenders (R-9.10)"),
    Cap.MANAGE_RED_FLAG_THRESHOLDS: _wide(_CONFIG),
}

# Where one role holding the capability is narrower than the others.
ROLE_SCOPE: dict[tuple[str, str], Decision] = {
    (Role.TRAINER, Cap.VIEW_TRAININGS): Decision(
        Scope.ASSIGNMENT, "a trainer sees only the trainings they are assigned to", _TRAINER
    ),
    (Role.TRAINER, Cap.RECORD_ATTENDANCE): Decision(
        Scope.ASSIGNMENT, "a trainer records only their own sessions", _TRAINER
    ),
    (Role.AGENCY_ADMIN, Cap.VIEW_EMAIL_CHANGES): Decision(
        Scope.OWN_AGENCY,
        "the companies taking part in the agency's tenders",
        "tests/test_email_change.py::"
        "test_R_3_2_issue21_an_agency_admin_sees_only_the_companies_taking_part_in_its_tenders",
    ),
}


def decision_for(role: str, capability: str) -> Decision:
    return ROLE_SCOPE.get((role, capability)) or DATA_SCOPE[capability]


def every_capability() -> set[str]:
    """Every capability name declared on ``Cap``."""
    return {value for name, value in vars(Cap).items() if name.isupper() and isinstance(value, str)}
