"""The annex V duty register (R-5.6): occurrences on the calendar, a duty done with its note and
evidence, problems with their 7-working-day fix deadline, and the catalogue's edits. What the
system does by itself (the periodic job, the automatic checks, the late alerts) is in
``duty_checks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import ROLE_CAPABILITIES, Role
from lpse.core import audit
from lpse.core.calendar import add_working_days, end_of_day_wita, is_working_day, to_wita
from lpse.core.calendar import wita_text as when
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.storage import store_upload
from lpse.operations.models import (
    Duty,
    DutyEvidence,
    DutyOccurrence,
    DutyProblem,
    Frequency,
    OccurrenceState,
    Outcome,
)

FIX_WORKING_DAYS = 7  # annex V: "waktu efektif pelaksanaan kegiatan 7 hari kerja"
CATCH_UP_DAYS = 7  # a job that stopped for a few days still leaves the missed days on record
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
MAX_EVIDENCE_FILES = 10


def duty_roles() -> list[str]:
    """The roles a duty may be given to: those that can do duties at all."""
    return [role for role in Role if Cap.DO_DUTIES in ROLE_CAPABILITIES.get(role, ())]


# --- the calendar ------------------------------------------------------------------------------


def period_of(frequency: str, day: date) -> tuple[date, date] | None:
    """The period of ``frequency`` holding ``day``, or None when it has no working day: a
    daily duty falls on working days only, a week of holidays (Lebaran) has no weekly duty."""
    if frequency == Frequency.DAILY:
        return (day, day) if is_working_day(day) else None
    if frequency == Frequency.WEEKLY:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
    else:
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return (start, end) if any(is_working_day(d) for d in days) else None


def missed_after(frequency: str, period_end: date) -> datetime:
    """Not done by the end of the next period: missed."""
    if frequency == Frequency.DAILY:
        return end_of_day_wita(add_working_days(period_end, 1))
    if frequency == Frequency.WEEKLY:
        return end_of_day_wita(period_end + timedelta(days=7))
    next_end = (period_end + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return end_of_day_wita(next_end)


def fix_deadline(found_at: datetime) -> datetime:
    """R-5.6: the end of the 7th working day after the day the problem was found (WITA)."""
    return end_of_day_wita(add_working_days(to_wita(found_at).date(), FIX_WORKING_DAYS))


def generate_occurrences(now: datetime | None = None) -> int:
    """Make every active duty's occurrences up to today (WITA), catching up a few days when the
    job did not run; returns how many were made. Idempotent (one per duty and period)."""
    now = now or timezone.now()
    today = to_wita(now).date()
    made = 0
    for duty in Duty.objects.filter(active=True):
        last = duty.occurrences.order_by("-period_end").values_list("period_end", flat=True)
        # From the day after the last period made (a frequency change applies from there).
        day = max(last[0] + timedelta(days=1) if last else today, today - timedelta(CATCH_UP_DAYS))
        while day <= today:
            period = period_of(duty.frequency, day)
            if period is None:
                day += timedelta(days=1)
                continue
            day = period[1] + timedelta(days=1)
            _occurrence, created = DutyOccurrence.objects.get_or_create(
                duty=duty,
                period_start=period[0],
                defaults={
                    "role": duty.role,
                    "period_end": period[1],
                    "due_at": end_of_day_wita(period[1]),
                    "missed_after": missed_after(duty.frequency, period[1]),
                },
            )
            made += created
    return made


# --- doing a duty ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    outcome: str
    note: str
    problem: str = ""
    files: tuple = ()


def refusal(actor, occurrence: DutyOccurrence, now: datetime | None = None) -> str | None:
    """Why ``actor`` may not mark ``occurrence`` done now, or None when they may."""
    if Cap.DO_DUTIES not in actor.capabilities() or not actor.has_role(occurrence.role):
        return _("This duty is the %(role)s's: only someone holding that role marks it done.") % {
            "role": Role(occurrence.role).label
        }
    state = occurrence.state_at(now)
    if state in (OccurrenceState.DONE, OccurrenceState.LATE):
        return _("This duty was already done on %(when)s.") % {"when": when(occurrence.done_at)}
    if state == OccurrenceState.MISSED:
        return _(
            "This duty was missed: it was not done by %(when)s, the end of the next period. "
            "Do the current period's occurrence instead."
        ) % {"when": when(occurrence.missed_after)}
    if state == OccurrenceState.CANCELLED:
        return _("This duty was switched off, so it needs nothing more.")
    return None


def mark_done(*, actor, occurrence: DutyOccurrence, done: Done) -> DutyOccurrence:
    require_capability(actor, Cap.DO_DUTIES)
    if not done.note.strip():
        raise DomainError(_("Write what you checked or did."), field="note")
    if done.outcome == Outcome.PROBLEM and not done.problem.strip():
        raise DomainError(
            _("Describe the problem found, so it can be fixed within 7 working days."),
            field="problem",
        )
    if len(done.files) > MAX_EVIDENCE_FILES:
        raise DomainError(
            _("At most %(n)d files; put more in one archive.") % {"n": MAX_EVIDENCE_FILES},
            field="evidence",
        )
    now = timezone.now()
    with transaction.atomic():
        occurrence = DutyOccurrence.objects.select_for_update().get(pk=occurrence.pk)
        reason = refusal(actor, occurrence, now)
        if reason:
            raise DomainError(reason, code="forbidden")
        for upload in done.files:
            blob = store_upload(upload, max_size=MAX_EVIDENCE_BYTES, uploader=actor)
            DutyEvidence.objects.create(
                occurrence=occurrence,
                blob=blob,
                filename=(upload.name or "")[:200],
                uploaded_by=actor,
            )
        _fill(occurrence, now=now, outcome=done.outcome, note=done.note.strip(), actor=actor)
        if done.outcome == Outcome.PROBLEM:
            _open_problem(occurrence, done.problem.strip(), now)
        audit.record(
            actor=actor,
            action="operations.duties.done",
            obj=occurrence,
            data={
                "duty": occurrence.duty.code,
                "period": f"{occurrence.period_start}",
                "outcome": done.outcome,
                "late": now > occurrence.due_at,
                "evidence": [e.blob_id for e in occurrence.evidence.all()],
            },
        )
    return occurrence


def record_check(occurrence: DutyOccurrence, *, ok: bool, evidence: str, now: datetime) -> bool:
    """An automatic check's result fills the occurrence in, "done by the system"; False when a
    person got there first."""
    with transaction.atomic():
        occurrence = DutyOccurrence.objects.select_for_update().get(pk=occurrence.pk)
        if occurrence.state_at(now) not in (OccurrenceState.OPEN, OccurrenceState.OVERDUE):
            return False
        outcome = Outcome.OK if ok else Outcome.PROBLEM
        _fill(occurrence, now=now, outcome=outcome, note=evidence, actor=None)
        if not ok:
            _open_problem(occurrence, evidence, now)
        audit.record(
            actor=None,
            action="operations.duties.checked",
            obj=occurrence,
            data={"duty": occurrence.duty.code, "ok": ok, "evidence": evidence},
        )
    return True


def _fill(occurrence, *, now, outcome, note, actor) -> None:
    occurrence.done_at = now
    occurrence.done_by = actor
    occurrence.by_system = actor is None
    occurrence.outcome = outcome
    occurrence.note = note
    occurrence.save(update_fields=["done_at", "done_by", "by_system", "outcome", "note"])


def _open_problem(occurrence, description: str, now: datetime) -> DutyProblem:
    return DutyProblem.objects.create(
        occurrence=occurrence, description=description, found_at=now, deadline=fix_deadline(now)
    )


def close_problem(*, actor, problem: DutyProblem, note: str) -> DutyProblem:
    require_capability(actor, Cap.DO_DUTIES)
    if not note.strip():
        raise DomainError(_("Say how the problem was fixed."), field="note")
    with transaction.atomic():
        problem = (
            DutyProblem.objects.select_for_update().select_related("occurrence").get(pk=problem.pk)
        )
        if not actor.has_role(problem.occurrence.role):
            raise DomainError(
                _("Only someone holding the duty's role (%(role)s) closes its problem.")
                % {"role": Role(problem.occurrence.role).label},
                code="forbidden",
            )
        if problem.closed_at:
            raise DomainError(_("This problem is already closed."))
        problem.closed_at = timezone.now()
        problem.closed_by = actor
        problem.closing_note = note.strip()
        problem.save(update_fields=["closed_at", "closed_by", "closing_note"])
        audit.record(
            actor=actor,
            action="operations.duties.problem_closed",
            obj=problem,
            data={"late": problem.closed_late, "deadline": problem.deadline.isoformat()},
        )
    return problem


# --- the catalogue -----------------------------------------------------------------------------


def update_duty(*, actor, duty: Duty, frequency: str, role: str, active: bool) -> Duty:
    """MANAGE_DUTIES: a duty's frequency (from its next period), role (its open occurrences
    move with it) and on/off (switched off, its open occurrences are cancelled)."""
    require_capability(actor, Cap.MANAGE_DUTIES)
    if frequency not in Frequency.values:
        raise DomainError(_("Choose a frequency from the list."), field="frequency")
    if role not in duty_roles():
        raise DomainError(_("Choose a role that does duties."), field="role")
    now = timezone.now()
    with transaction.atomic():
        duty = Duty.objects.select_for_update().get(pk=duty.pk)
        before = {"frequency": duty.frequency, "role": duty.role, "active": duty.active}
        open_ones = DutyOccurrence.objects.filter(
            duty=duty, done_at__isnull=True, cancelled_at__isnull=True, missed_after__gt=now
        )
        if role != duty.role:
            open_ones.update(role=role)
        if duty.active and not active:
            open_ones.update(cancelled_at=now)
        duty.frequency, duty.role, duty.active, duty.updated_by = frequency, role, active, actor
        duty.save(update_fields=["frequency", "role", "active", "updated_by", "updated_at"])
        after = {"frequency": frequency, "role": role, "active": active}
        audit.record(
            actor=actor,
            action="operations.duties.changed",
            obj=duty,
            data={"code": duty.code, "before": before, "after": after},
        )
    return duty
