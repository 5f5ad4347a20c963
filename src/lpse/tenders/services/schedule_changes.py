"""Schedule changes (R-3.3): requested by the committee with a mandatory reason, applied by the
LPSE administrator (or by the committee where the LPSE allows it), public, notified."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit, hooks
from lpse.core.capabilities import Cap, has_capability
from lpse.core.errors import DomainError
from lpse.core.standard_times import Procedure, step_end, step_start
from lpse.tenders.models import ScheduleChange, Tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import is_committee_member, require_committee_member
from lpse.tenders.services.notifications import notify_schedule_change
from lpse.tenders.services.preparation import schedule_of, schedule_write


def _check_change(tender: Tender, old: sched.Schedule, new: sched.Schedule) -> None:
    if new == old:
        raise DomainError(_("The new schedule is the same as the current one."), field="schedule")
    problems = sched.changes_to_ended_stages(old, new, timezone.now()) + sched.problems_of(new)
    if problems:
        raise sched.ScheduleInvalid(problems)


def schedule_change_request(
    *, actor, tender: Tender, new_schedule: sched.Schedule, reason: str
) -> ScheduleChange:
    require_committee_member(actor, tender)
    if tender.state != Tender.State.PUBLISHED:
        raise DomainError(
            _(
                "Only a published tender's schedule is changed this way; edit a "
                "draft's schedule directly."
            )
        )
    reason = reason.strip()
    if len(reason) < 10:
        raise DomainError(
            _(
                "Explain the reason for the change (at least a sentence): it is "
                "published with the change."
            ),
            field="reason",
        )
    if tender.schedule_changes.filter(state=ScheduleChange.State.PENDING).exists():
        raise DomainError(
            _("A schedule change for this tender is already waiting for the administrator.")
        )
    old = schedule_of(tender)
    _check_change(tender, old, new_schedule)
    with transaction.atomic():
        change = ScheduleChange.objects.create(
            tender=tender,
            reason=reason,
            old_schedule=sched.to_json(old),
            new_schedule=sched.to_json(new_schedule),
            requested_by=actor,
            requested_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="schedule_change.request",
            obj=change,
            data={"tender": tender.code, "reason": reason},
        )
        # Annex 3.3, 15–30 min: from the committee's request to the administrator's decision.
        step_start(
            procedure=Procedure.SCHEDULE_CHANGE,
            step="apply",
            subject=change,
            actor=actor,
            at=change.requested_at,
        )
    if settings.LPSE_COMMITTEE_APPLIES_SCHEDULE_CHANGES:
        return schedule_change_apply(actor=actor, change=change)
    return change


def _may_apply(actor, change: ScheduleChange) -> bool:
    if has_capability(actor, Cap.APPLY_SCHEDULE_CHANGES):
        return True
    return (
        settings.LPSE_COMMITTEE_APPLIES_SCHEDULE_CHANGES
        and has_capability(actor, Cap.MANAGE_TENDERS)
        and is_committee_member(actor, change.tender)
    )


def schedule_change_apply(*, actor, change: ScheduleChange) -> ScheduleChange:
    """Apply through the application's own mechanism, re-checking against the clock now: a
    stage may have ended while the request waited."""
    if not _may_apply(actor, change):
        raise DomainError(
            _("Only the LPSE administrator applies schedule changes."), code="forbidden"
        )
    with transaction.atomic():
        change = (
            ScheduleChange.objects.select_for_update().select_related("tender").get(pk=change.pk)
        )
        if change.state != ScheduleChange.State.PENDING:
            raise DomainError(
                _("This change was already %(state)s.") % {"state": change.get_state_display()}
            )
        tender = Tender.objects.select_for_update().get(pk=change.tender_id)
        current = schedule_of(tender)
        if sched.to_json(current) != change.old_schedule:
            raise DomainError(
                _(
                    "The schedule changed since this request was made; ask the "
                    "committee for a new request."
                )
            )
        _check_change(tender, current, sched.from_json(change.new_schedule))
        schedule_write(tender=tender, schedule=sched.from_json(change.new_schedule))
        change.state = ScheduleChange.State.APPLIED
        change.decided_by, change.decided_at = actor, timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="schedule_change.apply",
            obj=change,
            data={
                "tender": tender.code,
                "old": change.old_schedule,
                "new": change.new_schedule,
                "reason": change.reason,
            },
        )
        step_end(
            procedure=Procedure.SCHEDULE_CHANGE,
            step="apply",
            subject=change,
            actor=actor,
            at=change.decided_at,
        )
        notify_schedule_change(change, bidders=bidder_emails(tender))
    return change


def schedule_change_refuse(*, actor, change: ScheduleChange, note: str) -> ScheduleChange:
    if not has_capability(actor, Cap.APPLY_SCHEDULE_CHANGES):
        raise DomainError(
            _("Only the LPSE administrator decides on schedule changes."), code="forbidden"
        )
    if not note.strip():
        raise DomainError(_("Tell the committee why the change is refused."), field="note")
    with transaction.atomic():
        updated = ScheduleChange.objects.filter(
            pk=change.pk, state=ScheduleChange.State.PENDING
        ).update(
            state=ScheduleChange.State.REFUSED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note=note.strip(),
        )
        if not updated:
            raise DomainError(_("This change was already decided."))
        change.refresh_from_db()
        audit.record(
            actor=actor, action="schedule_change.refuse", obj=change, data={"note": note.strip()}
        )
        step_end(
            procedure=Procedure.SCHEDULE_CHANGE,
            step="apply",
            subject=change,
            actor=actor,
            at=change.decided_at,
        )
    return change


def bidder_emails(tender: Tender) -> set[str]:
    """Addresses of providers who have already submitted a bid: they are told that the deadline
    moved and that their bid stays valid (R-3.3). The bids app answers through a hook."""
    return set().union(*hooks.tender_bidder_emails.call(tender))
