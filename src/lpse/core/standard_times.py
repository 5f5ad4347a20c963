"""The *Mutu Baku* standard times of the SOP (R-3.6) and the timing of every step.

One catalogue names each procedure of the regulation's annex, its steps and the standard time of
each; every app that runs a procedure records its steps with ``step_start`` / ``step_end`` (or
``step_record`` when both moments are known), keyed by the record the step belongs to. The
compliance report (servicedesk) reads these timings only, so a new procedure needs an entry here
and two calls in its service, nothing else.

A step *meets* the standard when it took no longer than the standard's upper bound: finishing
faster than the lower bound is good service, not a breach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lpse.core.models import StepTiming

StrOrPromise = str | Promise


class Procedure(models.TextChoices):
    PROVIDER_VERIFICATION = "provider_verification", _("Provider verification (annex 1.2)")
    UNOPENABLE_FILE = "unopenable_file", _("Bid file that cannot be opened (annex 3.1)")
    EMAIL_CHANGE = "email_change", _("Change of a company's e-mail (annex 3.2)")
    SCHEDULE_CHANGE = "schedule_change", _("Change of a procurement schedule (annex 3.3)")
    UPLOAD_PROBLEM = "upload_problem", _("Provider cannot upload (annex 3.4)")
    TRAINING_REQUEST = "training_request", _("Training request (annex 2.2)")


@dataclass(frozen=True)
class StandardTime:
    """A step of a procedure and how long it should take: between ``least`` and ``most``."""

    procedure: str
    step: str
    label: StrOrPromise  # translated when shown, in the reader's language
    least: timedelta
    most: timedelta

    def met_by(self, taken: timedelta) -> bool:
        return taken <= self.most

    def describe(self) -> str:
        return _format_range(self.least, self.most)


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def _format_range(least: timedelta, most: timedelta) -> str:
    if most >= timedelta(hours=1) and most % timedelta(hours=1) == timedelta(0):
        return _("%(least)s–%(most)d h") % {
            "least": _short(least),
            "most": most // timedelta(hours=1),
        }
    return _("%(least)d–%(most)d min") % {
        "least": least // timedelta(minutes=1),
        "most": most // timedelta(minutes=1),
    }


def _short(value: timedelta) -> str:
    if value % timedelta(hours=1) == timedelta(0):
        return str(value // timedelta(hours=1))
    return _("%(minutes)d min") % {"minutes": value // timedelta(minutes=1)}


P = Procedure
# The annex's standard times, step by step. Keep this the only place they are written down.
CATALOGUE: tuple[StandardTime, ...] = (
    StandardTime(P.PROVIDER_VERIFICATION, "verify", _("Verify documents and activate"),
                 _minutes(15), _minutes(30)),
    StandardTime(P.UNOPENABLE_FILE, "admin_attempt", _("LPSE admin tries to open the file"),
                 _minutes(5), _minutes(15)),
    StandardTime(P.UNOPENABLE_FILE, "escalation", _("Send the file to LKPP"),
                 _minutes(1), _minutes(5)),
    StandardTime(P.EMAIL_CHANGE, "apply", _("Check the statement and change the address"),
                 _minutes(15), _minutes(30)),
    StandardTime(P.SCHEDULE_CHANGE, "apply", _("Apply the schedule change"),
                 _minutes(15), _minutes(30)),
    StandardTime(P.UPLOAD_PROBLEM, "reproduce", _("Admin reproduces the problem"),
                 _minutes(15), _minutes(30)),
    StandardTime(P.UPLOAD_PROBLEM, "retry_advice", _("Tell the provider to retry"),
                 _minutes(0), _minutes(5)),
    StandardTime(P.UPLOAD_PROBLEM, "escalation", _("Escalate to LKPP"),
                 timedelta(hours=1), timedelta(hours=24)),
    StandardTime(P.TRAINING_REQUEST, "phone_confirmation", _("Confirm with the SKPD by phone"),
                 _minutes(1), _minutes(5)),
    StandardTime(P.TRAINING_REQUEST, "reply_letter", _("Draft the reply letter"),
                 _minutes(10), _minutes(20)),
)  # fmt: skip

_BY_KEY = {(s.procedure, s.step): s for s in CATALOGUE}


def standard_for(procedure: str, step: str) -> StandardTime:
    try:
        return _BY_KEY[(str(procedure), step)]
    except KeyError:
        raise LookupError(f"No standard time for {procedure}/{step}: add it to CATALOGUE") from None


def _subject_key(subject: models.Model) -> dict[str, str]:
    return {"subject_type": subject._meta.label_lower, "subject_id": str(subject.pk)}


def step_start(
    *, procedure: str, step: str, subject: models.Model, actor=None, at: datetime | None = None
) -> StepTiming:
    """The step began (the request reached the desk). Starting it again keeps the first start:
    a re-submitted form does not reset the clock in the LPSE's favour."""
    standard_for(procedure, step)
    timing, _created = StepTiming.objects.get_or_create(
        procedure=str(procedure),
        step=step,
        **_subject_key(subject),
        defaults={"started_at": at or timezone.now(), "actor": _user(actor)},
    )
    return timing


def step_end(
    *, procedure: str, step: str, subject: models.Model, actor=None, at: datetime | None = None
) -> StepTiming:
    """The step finished. A step never started is taken to have started now (zero duration is
    better than a missing row: the report then shows the request at all)."""
    standard_for(procedure, step)
    with transaction.atomic():
        timing, _created = StepTiming.objects.select_for_update().get_or_create(
            procedure=str(procedure),
            step=step,
            **_subject_key(subject),
            defaults={"started_at": at or timezone.now()},
        )
        if timing.ended_at is None:
            timing.ended_at = at or timezone.now()
            if actor is not None and getattr(actor, "is_authenticated", False):
                timing.actor = actor
            timing.save(update_fields=["ended_at", "actor"])
    return timing


def step_record(
    *,
    procedure: str,
    step: str,
    subject: models.Model,
    started_at: datetime,
    ended_at: datetime,
    actor=None,
) -> StepTiming:
    """Both moments are known (e.g. submitted_at and applied_at of one record)."""
    step_start(procedure=procedure, step=step, subject=subject, actor=actor, at=started_at)
    return step_end(procedure=procedure, step=step, subject=subject, actor=actor, at=ended_at)


def timings_of(subject: models.Model) -> list[StepTiming]:
    return list(StepTiming.objects.filter(**_subject_key(subject)))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- display: how long a step took, judged against its standard --------------------------------


def format_duration(taken: timedelta) -> str:
    """``12 min``; from two hours on ``5 h 3 min`` (an LKPP answer is counted in hours)."""
    minutes = round(taken.total_seconds() / 60)
    if minutes < 120:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def judge(standard: StandardTime, taken: timedelta | None) -> str:
    """``10 min (within the standard, 5–15 min)``, or ``not done yet``."""
    if taken is None:
        return str(_("not done yet"))
    verdict = _("within the standard") if standard.met_by(taken) else _("over the standard")
    return _("%(taken)s (%(verdict)s, %(standard)s)") % {
        "taken": format_duration(taken),
        "verdict": verdict,
        "standard": standard.describe(),
    }


def timing_verdict(*, procedure: str, step: str, subject: models.Model) -> str:
    """The verdict of one step of one request, read from its StepTiming."""
    standard = standard_for(procedure, step)
    timing = StepTiming.objects.filter(
        procedure=str(procedure), step=step, **_subject_key(subject)
    ).first()
    taken = timing.ended_at - timing.started_at if timing and timing.ended_at else None
    return judge(standard, taken)


def steps_of(procedure: str) -> list[StandardTime]:
    """The procedure's steps in the catalogue's order."""
    return [s for s in CATALOGUE if s.procedure == str(procedure)]
