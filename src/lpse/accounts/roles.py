"""The actors of SPEC 0 as roles, each a set of named capabilities.

This table is the single source of who may do what: views and API endpoints declare a
capability, services re-check the sensitive ones, and the authorization matrix test derives its
expectations from here. To find who may verify providers, search for ``providers.verify``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.core.capabilities import Cap


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
            Cap.VIEW_SYSTEM_STATUS,
            Cap.HANDLE_ALERTS,
            Cap.MANAGE_OPERATIONS,
            Cap.VIEW_SECURITY,
            Cap.REQUEST_SERVER_ROOM_ACCESS,
            Cap.RECORD_SERVER_ROOM_VISITS,
            Cap.MANAGE_FACILITY,
            Cap.DO_DUTIES,
        }
    ),
    Role.APP_ADMIN: frozenset(
        {
            Cap.MANAGE_LPSE_STAFF,
            Cap.MANAGE_RED_FLAG_THRESHOLDS,
            Cap.MANAGE_AGENCIES,
            Cap.MANAGE_LOGIN_HOURS,
            Cap.VIEW_REGISTRATIONS,
            Cap.CONFIGURE_CHECKLIST,
            Cap.VIEW_AUDIT,
            Cap.MANAGE_CALENDAR,
            Cap.APPLY_SCHEDULE_CHANGES,
            Cap.CONFIGURE_STAGES,
            Cap.CONFIGURE_NONTENDER,
            Cap.HANDLE_UNOPENABLE,
            Cap.VIEW_UNOPENABLE,
            Cap.VIEW_MAIL_LOG,
            Cap.APPLY_EMAIL_CHANGES,
            Cap.VIEW_EMAIL_CHANGES,
            Cap.MANAGE_PRICE_INDEX,
            Cap.MANAGE_MASTER_DATA,
            Cap.PUBLISH_NEWS,
            Cap.HANDLE_TICKETS,
            Cap.HANDLE_UPLOAD_PROBLEMS,
            Cap.ESCALATE_TO_LKPP,
            Cap.VIEW_SERVICE_REPORTS,
            Cap.MANAGE_BACKUPS,
            # plans maintenance windows and announces them (with the sysadmin).
            Cap.MANAGE_OPERATIONS,
            Cap.VIEW_SYSTEM_STATUS,
            Cap.VIEW_SECURITY,
            Cap.DO_DUTIES,
            Cap.MANAGE_DUTIES,
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
            Cap.VIEW_TENDER_STATISTICS,
            Cap.PUBLISH_NEWS,
            # The backups are encrypted to the head's offline key (SPEC 6): they follow them.
            Cap.VIEW_BACKUPS,
            # the authorised official who lets people into the server room.
            Cap.APPROVE_SERVER_ROOM_ACCESS,
            Cap.MANAGE_DUTIES,
            Cap.VIEW_SYSTEM_STATUS,
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
            Cap.PUBLISH_NEWS,
        }
    ),
    # The head of administration signs the LPSE's letters (training letters, R-2.2) and follows
    # the service's figures; read-only until the letters issue gives them a signing desk.
    Role.ADMIN_HEAD: frozenset(
        {Cap.VIEW_TRAININGS, Cap.VIEW_SERVICE_REPORTS, Cap.VIEW_TENDER_STATISTICS}
    ),
    Role.TRAINER: frozenset({Cap.VIEW_TRAININGS, Cap.RECORD_ATTENDANCE}),
    Role.AGENCY_ADMIN: frozenset(
        {Cap.MANAGE_AGENCY_STAFF, Cap.MANAGE_COMMITTEES, Cap.VIEW_EMAIL_CHANGES}
    ),
    Role.BUDGET_USER: frozenset({Cap.APPROVE_PACKAGES}),
    Role.PPK: frozenset({Cap.MANAGE_PACKAGES, Cap.AWARD_CONTRACTS}),
    Role.COMMITTEE: frozenset({Cap.MANAGE_TENDERS, Cap.OPEN_BIDS}),
    Role.PROCUREMENT_OFFICER: frozenset({Cap.RUN_NONTENDER, Cap.OPEN_BIDS}),
    Role.AUDITOR: frozenset(
        {
            Cap.VIEW_AUDIT,
            Cap.VIEW_REGISTRATIONS,
            Cap.VIEW_SERVICE_REPORTS,
            Cap.VIEW_TENDER_STATISTICS,
            Cap.VIEW_SYSTEM_STATUS,  # the LKPP monitor's read-only view
            Cap.VIEW_SECURITY,
            Cap.VIEW_RED_FLAGS,
        }
    ),
    # LKPP's read-only monitoring access (R-5.5, Pasal 12.6): figures, never a bidder's data
    # beyond what the public OCDS releases already publish (the red flags, R-9.10).
    Role.LKPP_MONITOR: frozenset(
        {Cap.VIEW_TENDER_STATISTICS, Cap.VIEW_SYSTEM_STATUS, Cap.VIEW_RED_FLAGS}
    ),
    # The annex V technical staff: the monitor, and they acknowledge the alerts of their duty.
    Role.TECH_SOFTWARE: frozenset(
        {Cap.VIEW_SYSTEM_STATUS, Cap.HANDLE_ALERTS, Cap.DO_DUTIES, Cap.REQUEST_SERVER_ROOM_ACCESS}
    ),
    # Annex V, "Database": the database engineer does "Backup dan Recovery Data".
    Role.TECH_DATABASE: frozenset(
        {
            Cap.VIEW_SYSTEM_STATUS,
            Cap.MANAGE_BACKUPS,
            Cap.HANDLE_ALERTS,
            Cap.DO_DUTIES,
            Cap.REQUEST_SERVER_ROOM_ACCESS,
        }
    ),
    # Annex V, "Hardware" and "Jaringan": they look after the server room and its facility.
    Role.TECH_HARDWARE: frozenset(
        {
            Cap.VIEW_SYSTEM_STATUS,
            Cap.HANDLE_ALERTS,
            Cap.DO_DUTIES,
            Cap.REQUEST_SERVER_ROOM_ACCESS,
            Cap.RECORD_SERVER_ROOM_VISITS,
            Cap.MANAGE_FACILITY,
        }
    ),
    Role.TECH_NETWORK: frozenset(
        {
            Cap.VIEW_SYSTEM_STATUS,
            Cap.HANDLE_ALERTS,
            Cap.DO_DUTIES,
            Cap.REQUEST_SERVER_ROOM_ACCESS,
            Cap.RECORD_SERVER_ROOM_VISITS,
        }
    ),
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
