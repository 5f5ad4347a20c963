"""Planned maintenance (R-5.3, R-2.3): planned against the tenders' deadlines (R-3.3), announced
on every page and by e-mail, cancelled or ended early. Every step is audited.

A window may cover the end of a tender's stage only with a recorded reason; it may never cover a
bid submission deadline — that tender's schedule must first be moved through the R-3.3 schedule
change, so that no provider loses the last hours before the deadline to a closed site. The check
is made when the planner looks and again when they confirm: a schedule may change in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role, capabilities_of
from lpse.accounts.selectors import users_with_role
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import mail_each
from lpse.operations import maintenance_mode
from lpse.operations.models import MaintenanceWindow
from lpse.tenders.selectors.deadlines import Deadline, deadlines_between, participants_by_email

PLANNED = "operations.maintenance.planned"
CANCELLED = "operations.maintenance.cancelled"
ENDED = "operations.maintenance.ended"
MAILED = "operations.maintenance.mailed"


@dataclass(frozen=True)
class DeadlineCheck:
    """The tender stages ending inside a window."""

    deadlines: list[Deadline]

    @property
    def bid_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.is_bid_submission]

    @property
    def blocked(self) -> bool:
        return bool(self.bid_deadlines)

    @property
    def needs_reason(self) -> bool:
        return bool(self.deadlines)


class BidDeadlineInside(DomainError):
    """R-3.3: a reason is not enough; the tenders named must move their schedule first."""

    def __init__(self, deadlines: list[Deadline]):
        super().__init__(
            _(
                "A bid submission deadline falls inside this window (%(tenders)s). Move that "
                "tender's schedule first through a schedule change (R-3.3); a reason alone is "
                "not enough."
            )
            % {"tenders": ", ".join(f"{d.code}: {wita_text(d.end)}" for d in deadlines)},
            code="bid_deadline_inside",
        )
        self.deadlines = deadlines


def deadlines_inside(starts_at: datetime, ends_at: datetime) -> DeadlineCheck:
    return DeadlineCheck(deadlines_between(starts_at, ends_at))


def announce_from_for(
    starts_at: datetime, now: datetime, lead_hours: int | None = None
) -> datetime:
    """``lead_hours`` (default LPSE_MAINTENANCE_LEAD_HOURS) before the start, never before now."""
    lead = settings.LPSE_MAINTENANCE_LEAD_HOURS if lead_hours is None else lead_hours
    return max(now, starts_at - timedelta(hours=lead))


def window_plan(
    *,
    actor,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    lead_hours: int | None = None,
    deadline_reason: str = "",
) -> MaintenanceWindow:
    require_capability(actor, Cap.MANAGE_OPERATIONS)
    now = timezone.now()
    reason, deadline_reason = reason.strip(), deadline_reason.strip()
    if not reason:
        raise DomainError(_("Say why the site is closed: it is shown to everyone."), field="reason")
    if starts_at <= now:
        raise DomainError(_("A maintenance window must start in the future."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError(_("The window must end after it starts."), field="ends_at")
    if lead_hours is not None and lead_hours < 1:
        raise DomainError(_("Announce it at least one hour ahead."), field="lead_hours")
    with transaction.atomic():
        if _open_windows().filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise DomainError(
                _("Another maintenance window overlaps this one: change or cancel that one."),
                field="starts_at",
            )
        check = deadlines_inside(starts_at, ends_at)  # again: the schedules may have moved
        if check.blocked:
            raise BidDeadlineInside(check.bid_deadlines)
        if check.needs_reason and not deadline_reason:
            raise DomainError(
                _("Tender deadlines fall inside this window: record why it must go ahead."),
                field="deadline_reason",
                code="deadline_reason_needed",
            )
        window = MaintenanceWindow.objects.create(
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            announce_from=announce_from_for(starts_at, now, lead_hours),
            deadline_reason=deadline_reason if check.needs_reason else "",
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action=PLANNED,
            obj=window,
            data={
                "starts_at": window.starts_at.isoformat(),
                "ends_at": window.ends_at.isoformat(),
                "announce_from": window.announce_from.isoformat(),
                "reason": window.reason,
                "deadlines": [f"{d.code} {d.stage} {d.end.isoformat()}" for d in check.deadlines],
                "deadline_reason": window.deadline_reason,
            },
        )
        if window.announce_from <= now:
            _mail_announcement(window, now)
        transaction.on_commit(maintenance_mode.invalidate)
    return window


def window_cancel(*, actor, window: MaintenanceWindow) -> MaintenanceWindow:
    """Before it starts; a cancellation of an announced (mailed) window is mailed too."""
    require_capability(actor, Cap.MANAGE_OPERATIONS)
    now = timezone.now()
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        _refuse_if_over(window, now)
        if window.starts_at <= now:
            raise DomainError(_("This maintenance has started: end it now instead."))
        window.cancelled_at = now
        window.save(update_fields=["cancelled_at"])
        audit.record(
            actor=actor, action=CANCELLED, obj=window, data={"mailed": bool(window.mailed_at)}
        )
        if window.mailed_at:
            _send(window, cancelled=True)
        transaction.on_commit(maintenance_mode.invalidate)
    return window


def window_end(*, actor, window: MaintenanceWindow) -> MaintenanceWindow:
    """The works are done early: the site opens again at once."""
    require_capability(actor, Cap.MANAGE_OPERATIONS)
    now = timezone.now()
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        _refuse_if_over(window, now)
        if window.starts_at > now:
            raise DomainError(_("This maintenance has not started: cancel it instead."))
        window.ended_early_at = now
        window.save(update_fields=["ended_early_at"])
        audit.record(
            actor=actor,
            action=ENDED,
            obj=window,
            data={"planned_end": window.ends_at.isoformat(), "ended_at": now.isoformat()},
        )
        transaction.on_commit(maintenance_mode.invalidate)
    return window


def windows_mail_due() -> int:
    """Periodic (``mail-maintenance-announcements``): e-mail each window whose announcement has
    started and that was not mailed yet. Returns how many windows were mailed."""
    now = timezone.now()
    mailed = 0
    due = _open_windows().filter(mailed_at__isnull=True, announce_from__lte=now, ends_at__gt=now)
    for window in due:
        with transaction.atomic():
            mailed += _mail_announcement(window, now)
    return mailed


def _open_windows():
    return MaintenanceWindow.objects.filter(cancelled_at__isnull=True, ended_early_at__isnull=True)


def _refuse_if_over(window: MaintenanceWindow, now: datetime) -> None:
    if window.cancelled_at:
        raise DomainError(_("This maintenance window was cancelled."))
    if window.ended_early_at or window.ends_at <= now:
        raise DomainError(_("This maintenance window is over."))


def _mail_announcement(window: MaintenanceWindow, now: datetime) -> int:
    # Compare-and-set: two runs of the job (or the job and the planner) mail it once.
    if not MaintenanceWindow.objects.filter(pk=window.pk, mailed_at__isnull=True).update(
        mailed_at=now
    ):
        return 0
    window.mailed_at = now
    recipients = _send(window, cancelled=False)
    audit.record(actor=None, action=MAILED, obj=window, data={"recipients": recipients})
    return 1


def manager_roles() -> list[str]:
    return [role for role in Role if Cap.MANAGE_OPERATIONS in capabilities_of([role])]


def _send(window: MaintenanceWindow, *, cancelled: bool) -> int:
    """One message per address (no one sees who else takes part in a tender): the providers
    registered in tenders with a deadline inside the window, each with its own tenders, and the
    staff who run operations, with all of them. Returns how many addresses."""
    deadlines = deadlines_between(window.starts_at, window.ends_at)
    providers = participants_by_email({d.code for d in deadlines})
    staff = {
        email.lower()
        for email in users_with_role(*manager_roles()).values_list("email", flat=True)
        if email
    }

    def compose(email: str) -> tuple[str, str]:
        own = deadlines if email in staff else [d for d in deadlines if d.code in providers[email]]
        return _message(window, own, cancelled=cancelled)

    return len(mail_each(staff | set(providers), compose))


def _message(window: MaintenanceWindow, deadlines: list[Deadline], *, cancelled: bool):
    """Called by mail_each, in Indonesian, the service's language (DESIGN rule 5)."""
    values = {
        "site": settings.LPSE_SITE_NAME,
        "start": wita_text(window.starts_at),
        "end": wita_text(window.ends_at),
    }
    if cancelled:
        subject = _("%(site)s: the maintenance of %(start)s is cancelled") % values
        lines = [
            _(
                "The maintenance planned from %(start)s until %(end)s is cancelled: the "
                "site stays open as usual."
            )
            % values
        ]
    else:
        subject = _("%(site)s: planned maintenance from %(start)s until %(end)s") % values
        lines = [
            _("%(site)s will be closed for maintenance from %(start)s until %(end)s.") % values,
            _("Reason: %(reason)s") % {"reason": window.reason},
            _(
                "While it lasts no page opens and no bid can be submitted: finish what is "
                "due before %(start)s."
            )
            % values,
        ]
        if deadlines:
            lines += ["", _("Tender deadlines inside this window:")]
            lines += [
                f"- {d.code} ({d.name}): {d.stage_label}, {wita_text(d.end)}" for d in deadlines
            ]
    lines += ["", site_url("portal:home")]
    return subject, "\n".join(lines) + "\n"
