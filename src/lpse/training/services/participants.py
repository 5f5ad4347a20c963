"""Step (7) of annex 2.2: participants register and the trainer holds the training, with the
attendance recorded (R-2.2)."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, has_capability, require_capability
from lpse.core.errors import DomainError
from lpse.core.tasks import send_mail_on_commit
from lpse.training import rules
from lpse.training.models import Participant, TrainingSession
from lpse.training.services.requests import State
from lpse.training.services.sessions import locked_session, session_context, session_day


def participant_register(
    *,
    actor,
    session: TrainingSession,
    name: str,
    email: str,
    organisation: str,
    phone: str = "",
) -> Participant:
    """A participant registers through the session's link (``actor`` None) or is registered by
    the helpdesk (walk-ins, phone). The room's capacity is the limit, counted under a lock on the
    session so that the last seat is given once."""
    by_staff = getattr(actor, "is_authenticated", False)
    if by_staff:
        require_capability(actor, Cap.REGISTER_TRAINING_REQUESTS)
    name, organisation, email = name.strip(), organisation.strip(), email.strip().lower()
    if not name:
        raise DomainError(_("Enter the participant's full name."), field="name")
    if not email:
        raise DomainError(_("Enter an e-mail address."), field="email")
    if not organisation:
        raise DomainError(_("Enter the agency or company."), field="organisation")
    with transaction.atomic():
        session = locked_session(session.pk)
        open_states = (State.SCHEDULED, State.REPLY_SENT) if by_staff else (State.REPLY_SENT,)
        if session.request.state not in open_states:
            raise DomainError(_("Registration for this training is closed."), code="closed")
        now = timezone.now()
        # The helpdesk may still add a walk-in during the training; the link closes at its start.
        closes = session.end if by_staff else session.start
        if now >= closes:
            raise DomainError(
                _("Registration closed at %(when)s.") % {"when": wita_text(closes)}, code="closed"
            )
        if session.participants.filter(email=email).exists():
            raise DomainError(
                _("%(email)s is already registered for this training.") % {"email": email},
                field="email",
            )
        rules.check_seats(registered=session.participants.count(), capacity=session.capacity)
        participant = Participant.objects.create(
            session=session,
            name=name,
            email=email,
            organisation=organisation,
            phone=phone.strip(),
            registered_at=now,
            registered_by=actor if by_staff else None,
        )
        audit.record(
            actor=actor if by_staff else None,
            action="training.participant_register",
            obj=participant,
            data={"session": session.pk, "email": email, "self": not by_staff},
        )
        send_mail_on_commit(
            to=[email],
            subject=_("You are registered for the training on %(day)s")
            % {"day": session_day(session)},
            body=render_to_string(
                "training/email/registered.txt",
                {**session_context(session), "participant": participant},
            ),
        )
    return participant


def participant_remove(*, actor, participant: Participant) -> None:
    require_capability(actor, Cap.REGISTER_TRAINING_REQUESTS)
    with transaction.atomic():
        locked_session(participant.session_id)
        participant = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("session__request")
            .get(pk=participant.pk)
        )
        if participant.session.request.state not in (State.SCHEDULED, State.REPLY_SENT):
            raise DomainError(_("The participant list of this training is closed."))
        if participant.attended:
            raise DomainError(_("This participant attended: the record stays."))
        audit.record(
            actor=actor,
            action="training.participant_remove",
            obj=participant,
            data={"session": participant.session_id, "email": participant.email},
        )
        participant.delete()


def _require_session_staff(actor, session: TrainingSession) -> None:
    """Attendance is recorded by the session's own trainer or by the helpdesk."""
    require_capability(actor, Cap.RECORD_ATTENDANCE)
    if session.trainer_id == actor.pk:
        return
    if has_capability(actor, Cap.REGISTER_TRAINING_REQUESTS):
        return
    raise DomainError(
        _("Only this training's trainer or the helpdesk records its attendance."),
        code="forbidden",
    )


def attendance_record(*, actor, participant: Participant, attended: bool) -> Participant:
    with transaction.atomic():
        session = locked_session(participant.session_id)
        _require_session_staff(actor, session)
        participant = Participant.objects.select_for_update(of=("self",)).get(pk=participant.pk)
        if session.request.state not in (State.REPLY_SENT, State.HELD):
            raise DomainError(_("Attendance is recorded for an announced training."))
        if timezone.now() < session.start:
            raise DomainError(
                _("Attendance is recorded from the start of the training (%(start)s).")
                % {"start": wita_text(session.start)}
            )
        if attended == participant.attended:
            return participant  # a double click changes nothing
        participant.attended_at = timezone.now() if attended else None
        participant.attendance_by = actor
        participant.save(update_fields=["attended_at", "attendance_by"])
        audit.record(
            actor=actor,
            action="training.attendance",
            obj=participant,
            data={"session": session.pk, "attended": attended},
        )
    return participant


def session_held(*, actor, session: TrainingSession) -> TrainingSession:
    """Step 7 done: the trainer (or the helpdesk) records that the training took place."""
    with transaction.atomic():
        session = locked_session(session.pk)
        _require_session_staff(actor, session)
        request = session.request
        if request.state != State.REPLY_SENT:
            raise DomainError(_("Only an announced training can be recorded as held."))
        if timezone.now() < session.start:
            raise DomainError(
                _("The training starts at %(start)s: record it as held once it has taken place.")
                % {"start": wita_text(session.start)}
            )
        session.held_at, session.held_by = timezone.now(), actor
        session.save(update_fields=["held_at", "held_by"])
        request.state = State.HELD
        request.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="training.held",
            obj=session,
            data={"attended": session.participants.filter(attended_at__isnull=False).count()},
        )
    return session
