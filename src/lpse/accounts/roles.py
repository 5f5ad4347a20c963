"""The actors of SPEC 0 as roles, each a set of named capabilities.

This table is the single source of who may do what: views and API endpoints declare a
capability, services re-check the sensitive ones, and the authorization matrix test derives its
expectations from here. To find who may verify providers, search for ``providers.verify``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVIDER = "provider", _("Provider (Penyedia)")
    VERIFIER = "verifier", _("Verifier (Verifikator)")
    HELPDESK = "helpdesk", _("Helpdesk")
    SYSADMIN = "sysadmin", _("System administrator")
    APP_ADMIN = "app_admin", _("Application administrator (Admin PPE)")
    LPSE_HEAD = "lpse_head", _("Head of LPSE")
    SERVICE_HEAD = "service_head", _("Head of information services")
    ADMIN_HEAD = "admin_head", _("Head of administration")
    TRAINER = "trainer", _("Trainer")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator (Admin Agency)")
    BUDGET_USER = "budget_user", _("Budget user (PA/KPA)")
    PPK = "ppk", _("Commitment officer (PPK)")
    COMMITTEE = "committee", _("Tender committee (Pokja)")
    PROCUREMENT_OFFICER = "procurement_officer", _("Procurement officer (Pejabat Pengadaan)")
    AUDITOR = "auditor", _("Auditor")
    LKPP_MONITOR = "lkpp_monitor", _("LKPP monitor")
    TECH_SOFTWARE = "tech_software", _("Software engineer")
    TECH_DATABASE = "tech_database", _("Database engineer")
    TECH_HARDWARE = "tech_hardware", _("Hardware engineer")
    TECH_NETWORK = "tech_network", _("Network engineer")


class Cap:
    """Capability names. A capability is a string so it reads the same in code, tests and logs."""

    # accounts
    MANAGE_LPSE_STAFF = (
        "accounts.manage_lpse_staff"  # app admin: agency admins, verifiers, LPSE staff
    )
    MANAGE_AGENCY_STAFF = (
        "accounts.manage_agency_staff"  # agency admin: PPK, committee … of own agency
    )
    MANAGE_AGENCIES = "accounts.manage_agencies"
    MANAGE_LOGIN_HOURS = "accounts.manage_login_hours"
    # providers
    VIEW_REGISTRATIONS = "providers.view_registrations"
    VERIFY_PROVIDERS = "providers.verify"
    CONFIGURE_CHECKLIST = "providers.configure_checklist"
    OWN_COMPANY = "providers.own_company"
    # tenders
    MANAGE_COMMITTEES = (
        "tenders.manage_committees"  # agency admin: committees (Pokja) of own agency
    )
    MANAGE_PACKAGES = "tenders.manage_packages"  # PPK: own packages
    MANAGE_TENDERS = "tenders.manage"  # committee member: tenders of their committees
    APPLY_SCHEDULE_CHANGES = "tenders.apply_schedule_change"  # LPSE admin
    CONFIGURE_STAGES = "tenders.configure_stages"
    PARTICIPATE = "tenders.participate"  # verified provider
    # bids
    HANDLE_UNOPENABLE = "bids.handle_unopenable"  # LPSE admin: the annex 3.1 procedure
    VIEW_UNOPENABLE = "bids.view_unopenable"  # head of LPSE, helpdesk: follow the cases
    APPLY_EMAIL_CHANGES = "providers.apply_email_change"  # app admin
    VIEW_EMAIL_CHANGES = "providers.view_email_changes"  # agency admin, verifier
    # evaluation, award
    MANAGE_PRICE_INDEX = "catalog.manage_price_index"  # app admin
    AWARD_CONTRACTS = "evaluation.award"  # PPK: award letter (SPPBJ) and contract
    # service desk (R-2.1, R-3.4-R-3.6)
    HANDLE_TICKETS = "servicedesk.handle_tickets"  # helpdesk: answer, assign, note
    APPROVE_KNOWLEDGE = "servicedesk.approve_knowledge"  # heads: approved answers
    VIEW_SERVICE_REPORTS = "servicedesk.view_reports"  # standard-time compliance
    HANDLE_UPLOAD_PROBLEMS = "servicedesk.handle_upload_problems"  # LPSE admin
    ESCALATE_TO_LKPP = "servicedesk.escalate"  # LPSE admin
    # training
    REGISTER_TRAINING_REQUESTS = "training.register_request"  # helpdesk
    SCHEDULE_TRAININGS = "training.schedule"  # head of LPSE / of information services
    VIEW_TRAININGS = "training.view"
    RECORD_ATTENDANCE = "training.record_attendance"  # trainer, helpdesk
    RESET_TRAINING_SANDBOX = "training.reset_sandbox"  # system administrator
    # core
    VIEW_AUDIT = "core.view_audit"
    MANAGE_CALENDAR = "core.manage_calendar"
    VIEW_MAIL_LOG = "core.view_mail_log"


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.PROVIDER: frozenset({Cap.OWN_COMPANY, Cap.PARTICIPATE}),
    Role.VERIFIER: frozenset(
        {Cap.VIEW_REGISTRATIONS, Cap.VERIFY_PROVIDERS, Cap.VIEW_EMAIL_CHANGES}
    ),
    Role.HELPDESK: frozenset(
        {
            Cap.VIEW_REGISTRATIONS,
            Cap.VIEW_UNOPENABLE,
            Cap.HANDLE_TICKETS,
            Cap.VIEW_SERVICE_REPORTS,
            Cap.REGISTER_TRAINING_REQUESTS,
            Cap.VIEW_TRAININGS,
            Cap.RECORD_ATTENDANCE,
        }
    ),
    Role.SYSADMIN: frozenset(
        {
            Cap.VIEW_AUDIT,
            Cap.VIEW_MAIL_LOG,
            Cap.HANDLE_UNOPENABLE,
            Cap.VIEW_UNOPENABLE,
            Cap.HANDLE_TICKETS,
            Cap.HANDLE_UPLOAD_PROBLEMS,
            Cap.ESCALATE_TO_LKPP,
            Cap.RESET_TRAINING_SANDBOX,
        }
    ),
    Role.APP_ADMIN: frozenset(
        {
            Cap.MANAGE_LPSE_STAFF,
            Cap.MANAGE_AGENCIES,
            Cap.MANAGE_LOGIN_HOURS,
            Cap.VIEW_REGISTRATIONS,
            Cap.CONFIGURE_CHECKLIST,
            Cap.VIEW_AUDIT,
            Cap.MANAGE_CALENDAR,
            Cap.APPLY_SCHEDULE_CHANGES,
            Cap.CONFIGURE_STAGES,
            Cap.HANDLE_UNOPENABLE,
            Cap.VIEW_UNOPENABLE,
            Cap.VIEW_MAIL_LOG,
            Cap.APPLY_EMAIL_CHANGES,
            Cap.VIEW_EMAIL_CHANGES,
            Cap.MANAGE_PRICE_INDEX,
            Cap.HANDLE_TICKETS,
            Cap.HANDLE_UPLOAD_PROBLEMS,
            Cap.ESCALATE_TO_LKPP,
            Cap.VIEW_SERVICE_REPORTS,
        }
    ),
    Role.LPSE_HEAD: frozenset(
        {
            Cap.VIEW_REGISTRATIONS,
            Cap.VIEW_AUDIT,
            Cap.VIEW_UNOPENABLE,
            Cap.APPROVE_KNOWLEDGE,
            Cap.VIEW_SERVICE_REPORTS,
            Cap.SCHEDULE_TRAININGS,
            Cap.VIEW_TRAININGS,
        }
    ),
    Role.SERVICE_HEAD: frozenset(
        {
            Cap.VIEW_REGISTRATIONS,
            Cap.APPROVE_KNOWLEDGE,
            Cap.VIEW_SERVICE_REPORTS,
            Cap.SCHEDULE_TRAININGS,
            Cap.VIEW_TRAININGS,
            Cap.HANDLE_TICKETS,
        }
    ),
    Role.ADMIN_HEAD: frozenset(),
    Role.TRAINER: frozenset({Cap.VIEW_TRAININGS, Cap.RECORD_ATTENDANCE}),
    Role.AGENCY_ADMIN: frozenset(
        {Cap.MANAGE_AGENCY_STAFF, Cap.MANAGE_COMMITTEES, Cap.VIEW_EMAIL_CHANGES}
    ),
    Role.BUDGET_USER: frozenset(),
    Role.PPK: frozenset({Cap.MANAGE_PACKAGES, Cap.AWARD_CONTRACTS}),
    Role.COMMITTEE: frozenset({Cap.MANAGE_TENDERS}),
    Role.PROCUREMENT_OFFICER: frozenset(),
    Role.AUDITOR: frozenset({Cap.VIEW_AUDIT, Cap.VIEW_REGISTRATIONS, Cap.VIEW_SERVICE_REPORTS}),
    Role.LKPP_MONITOR: frozenset(),
    Role.TECH_SOFTWARE: frozenset(),
    Role.TECH_DATABASE: frozenset(),
    Role.TECH_HARDWARE: frozenset(),
    Role.TECH_NETWORK: frozenset(),
}

# Roles an agency admin may grant, always within their own agency.
AGENCY_STAFF_ROLES = frozenset(
    {
        Role.BUDGET_USER,
        Role.PPK,
        Role.COMMITTEE,
        Role.PROCUREMENT_OFFICER,
    }
)
# Roles that belong to one agency; the others are LPSE's own staff.
AGENCY_ROLES = AGENCY_STAFF_ROLES | {Role.AGENCY_ADMIN}
# Roles the application admin creates.
LPSE_STAFF_ROLES = frozenset(set(Role) - {Role.PROVIDER} - AGENCY_STAFF_ROLES)


def capabilities_of(roles) -> frozenset[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def all_capabilities() -> frozenset[str]:
    return capabilities_of(Role)
