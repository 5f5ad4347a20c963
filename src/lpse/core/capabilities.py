"""Named capabilities (DESIGN rule 4): every view and API endpoint declares what it needs.

``@requires("providers.verify")`` on a view, ``@public`` on a page anyone may open,
``@requires(AUTHENTICATED)`` for pages any signed-in user may open. The authorization matrix
test walks every URL and fails on a view that declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from lpse.core.errors import DomainError


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
    APPROVE_PACKAGES = "tenders.approve_packages"  # budget user (PA/KPA) of the agency
    VIEW_TENDER_STATISTICS = "tenders.view_statistics"  # read-only: LKPP monitor, heads
    CONFIGURE_STAGES = "tenders.configure_stages"
    PARTICIPATE = "tenders.participate"  # verified provider
    # bids
    # committee member, procurement officer: the bid key ceremony and the opening of the
    # tenders (or the non-tender offers, R-8.6) they are the openers of
    OPEN_BIDS = "bids.open"
    HANDLE_UNOPENABLE = "bids.handle_unopenable"  # LPSE admin: the annex 3.1 procedure
    VIEW_UNOPENABLE = "bids.view_unopenable"  # head of LPSE, helpdesk: follow the cases
    APPLY_EMAIL_CHANGES = "providers.apply_email_change"  # app admin
    VIEW_EMAIL_CHANGES = "providers.view_email_changes"  # agency admin, verifier
    # non-tender procurement
    RUN_NONTENDER = "nontender.run"  # procurement officer: invite, open, negotiate, award
    CONFIGURE_NONTENDER = "nontender.configure_ceilings"  # app admin: the value ceilings
    # evaluation, award
    MANAGE_PRICE_INDEX = "catalog.manage_price_index"  # app admin
    MANAGE_MASTER_DATA = "catalog.manage_master_data"  # app admin: fields, categories, catalogue
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
    # news and announcements
    PUBLISH_NEWS = "news.publish"  # app admin, head of LPSE, head of information services
    # backups (SPEC 6, R-6.1-R-6.3)
    MANAGE_BACKUPS = "archive.manage_backups"  # app admin, database engineer: run, media log
    VIEW_BACKUPS = "archive.view_backups"  # head of LPSE (holds the offline key): status only
    # operations (SPEC 5): VIEW_SYSTEM_STATUS below is the read-only monitor
    HANDLE_ALERTS = "operations.handle_alerts"  # sysadmin, technical staff: acknowledge alerts
    MANAGE_OPERATIONS = "operations.manage"  # sysadmin, app admin: thresholds, maintenance
    VIEW_SECURITY = "operations.view_security"  # sign-in failures, refusals, malware
    # server room: any LPSE technical staff asks; the head of LPSE decides; the
    # engineers on duty check visitors in and out
    REQUEST_SERVER_ROOM_ACCESS = "operations.request_server_room_access"
    APPROVE_SERVER_ROOM_ACCESS = "operations.approve_server_room_access"
    RECORD_SERVER_ROOM_VISITS = "operations.record_server_room_visits"
    MANAGE_FACILITY = "operations.manage_facility"  # devices, tokens, facility checks
    DO_DUTIES = "operations.do_duties"  # the annex V duties of one's own roles
    MANAGE_DUTIES = "operations.manage_duties"  # the duty catalogue and assignments
    # core
    VIEW_AUDIT = "core.view_audit"
    MANAGE_CALENDAR = "core.manage_calendar"
    VIEW_MAIL_LOG = "core.view_mail_log"
    VIEW_SYSTEM_STATUS = "core.view_system_status"  # read-only: tech staff, LKPP, auditors
    # portal
    VIEW_RED_FLAGS = "portal.view_red_flags"  # per-tender flags; auditors, LKPP monitor
    MANAGE_RED_FLAG_THRESHOLDS = "portal.manage_red_flag_thresholds"  # app admin


PUBLIC = "public"
AUTHENTICATED = "authenticated"


def has_capability(user, capability: str) -> bool:
    if capability == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability == AUTHENTICATED:
        return True
    return capability in user.capabilities()


def require_capability(user, capability: str) -> None:
    """The check services repeat for sensitive actions, whatever view called them."""
    if not has_capability(user, capability):
        raise DomainError(
            _("You are not allowed to do this (it needs the “%(capability)s” permission).")
            % {"capability": capability},
            code="forbidden",
        )


def requires(capability: str) -> Callable:
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if capability != PUBLIC and not request.user.is_authenticated:
                # imported here: auth's views load the user model, which imports Cap from here
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_capability(request.user, capability):
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]  # read by the matrix test
        return wrapper

    return decorate


public = requires(PUBLIC)
