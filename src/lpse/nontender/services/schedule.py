"""The short schedule of a direct procurement or appointment (R-8.6) and its changes (R-3.3).

The officer publishes when offers may come in and when they are opened, once at least one
provider is invited; the invited providers are told. A change needs a reason and is applied by
the LPSE administrator, timed against the standard time of annex 3.3 (R-3.6), like a tender's;
a stage that has begun keeps its start, one that has ended cannot move. The offer window is
checked by server time (``require_offer_window``) by whatever accepts an offer.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.calendar import to_wita
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.standard_times import Procedure, step_end, step_start
from lpse.core.tasks import send_mail_on_commit
from lpse.nontender.access import require_officer, require_state
from lpse.nontender.models import Procurement, ScheduleChange
from lpse.nontender.services import offers

FIELDS = ("offers_open_at", "offers_close_at", "opening_at")


def wita(moment: datetime) -> str:
    return f"{to_wita(moment):%d-%m-%Y %H:%M} WITA"


def schedule_of(procurement: Procurement) -> dict[str, datetime | None]:
    return {name: getattr(procurement, name) for name in FIELDS}


def _as_json(schedule: dict) -> dict[str, str]:
    return {k: v.isoformat() if v else "" for k, v in schedule.items()}


def _check(new: dict, *, old: dict | None, now: datetime) -> None:
    opens, closes, opening = (new[f] for f in FIELDS)
    if None in (opens, closes, opening):
        raise DomainError(_("Give the three moments of the schedule."), field="offers_open_at")
    if not opens < closes <= opening:
        raise DomainError(
            _(
                "Offers open before they close, and are opened at or after the close: "
                "%(opens)s – %(closes)s, opening %(opening)s."
            )
            % {"opens": wita(opens), "closes": wita(closes), "opening": wita(opening)},
            field="offers_close_at",
        )
    for name in FIELDS:
        before = old.get(name) if old else None
        if before is not None and before <= now and new[name] != before:
            raise DomainError(
                _("A moment that has passed (%(at)s) cannot be moved.") % {"at": wita(before)},
                field=name,
            )
        if new[name] < now and (before is None or new[name] != before):
            raise DomainError(
                _("A stage cannot be moved into the past (%(at)s).") % {"at": wita(new[name])},
                field=name,
            )


def _tell_invited(procurement: Procurement, subject: str, body: str) -> None:
    emails = [i.company.email for i in procurement.invitations.select_related("company")]
    if emails:
        send_mail_on_commit(to=emails, subject=subject, body=body)


def _schedule_text(schedule: dict) -> str:
    return _("Offers from %(opens)s until %(closes)s; opening %(opening)s.") % {
        "opens": wita(schedule["offers_open_at"]),
        "closes": wita(schedule["offers_close_at"]),
        "opening": wita(schedule["opening_at"]),
    }


def schedule_publish(*, actor, procurement: Procurement, **moments: datetime) -> Procurement:
    require_officer(actor, procurement)
    new = {name: moments.get(name) for name in FIELDS}
    with transaction.atomic():
        procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
        require_state(procurement, Procurement.State.HANDED_OVER)
        if not procurement.invitations.exists():
            raise DomainError(_("Invite at least one provider before publishing the schedule."))
        _check(new, old=None, now=timezone.now())
        for name, value in new.items():
            setattr(procurement, name, value)
        procurement.state = Procurement.State.INVITING
        procurement.save(update_fields=[*FIELDS, "state"])
        # The offers are sealed bids on a backing tender, made now.
        offers.backing_tender_make(procurement)
        audit.record(
            actor=actor,
            action="nontender.schedule_publish",
            obj=procurement,
            data=_as_json(new),
        )
        _tell_invited(
            procurement,
            _("Invitation: %(name)s") % {"name": procurement.package.name},
            _("You are invited to make an offer for “%(name)s” (%(code)s).")
            % {"name": procurement.package.name, "code": procurement.code}
            + " "
            + _schedule_text(new)
            + "\n\n"
            + _(
                "Sign the procurement's integrity pact on your invitations page first; then send "
                "your sealed offer from there."
            )
            + "\n"
            + site_url("nontender:my_invitations")
            + "\n",
        )
    return procurement


def schedule_change_request(
    *, actor, procurement: Procurement, reason: str, **moments: datetime
) -> ScheduleChange:
    require_officer(actor, procurement)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why the schedule changes: the reason is kept and shown."), field="reason"
        )
    new = {name: moments.get(name) for name in FIELDS}
    with transaction.atomic():
        procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
        require_state(procurement, Procurement.State.INVITING)
        old = schedule_of(procurement)
        _check(new, old=old, now=timezone.now())
        change = ScheduleChange.objects.create(
            procurement=procurement,
            reason=reason,
            old_schedule=_as_json(old),
            new_schedule=_as_json(new),
            requested_by=actor,
            requested_at=timezone.now(),
        )
        step_start(procedure=Procedure.SCHEDULE_CHANGE, step="apply", subject=change, actor=actor)
        audit.record(
            actor=actor,
            action="nontender.schedule_change_request",
            obj=change,
            data={"procurement": procurement.code, "reason": reason, "new": _as_json(new)},
        )
    return change


def schedule_change_apply(*, actor, change: ScheduleChange) -> ScheduleChange:
    require_capability(actor, Cap.APPLY_SCHEDULE_CHANGES)
    with transaction.atomic():
        change = ScheduleChange.objects.select_for_update().get(pk=change.pk)
        if change.state != ScheduleChange.State.PENDING:
            raise DomainError(_("This change was already decided."), code="wrong_state")
        procurement = Procurement.objects.select_for_update().get(pk=change.procurement_id)
        require_state(procurement, Procurement.State.INVITING)
        new = {k: parse_datetime(v) for k, v in change.new_schedule.items()}
        # Checked again: time went on since the request.
        _check(new, old=schedule_of(procurement), now=timezone.now())
        for name, value in new.items():
            setattr(procurement, name, value)
        procurement.save(update_fields=list(FIELDS))
        offers.backing_schedule_follow(procurement)
        change.state = ScheduleChange.State.APPLIED
        change.decided_by, change.decided_at = actor, timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
        step_end(procedure=Procedure.SCHEDULE_CHANGE, step="apply", subject=change, actor=actor)
        audit.record(
            actor=actor,
            action="nontender.schedule_change_apply",
            obj=change,
            data={"procurement": procurement.code},
        )
        _tell_invited(
            procurement,
            _("Schedule changed: %(name)s") % {"name": procurement.package.name},
            _("The schedule of “%(name)s” changed (reason: %(reason)s).")
            % {"name": procurement.package.name, "reason": change.reason}
            + " "
            + _schedule_text(new),
        )
    return change


def require_offer_window(procurement: Procurement, now: datetime | None = None) -> None:
    """An offer is taken only inside the published window, by server time (R-8.3, R-8.6)."""
    now = now or timezone.now()
    if procurement.offers_open_at is None or procurement.offers_close_at is None:
        raise DomainError(_("The schedule is not published yet: no offer is taken."))
    if now < procurement.offers_open_at:
        raise DomainError(
            _("Offers open on %(at)s.") % {"at": wita(procurement.offers_open_at)},
            code="not_open",
        )
    if now >= procurement.offers_close_at:
        raise DomainError(
            _("Offers closed on %(at)s. No offer is accepted after the deadline.")
            % {"at": wita(procurement.offers_close_at)},
            code="closed",
        )
