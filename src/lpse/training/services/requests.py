"""Training requests from letter to attendance (R-2.2, annex 2.4); every write goes through here.

(1) the SKPD's request letter is registered by the helpdesk; (2) the helpdesk confirms with the
SKPD by phone and agrees a time (1–5 min, timed from registration: R-3.6); (3) the head of LPSE
or of information services schedules it; (4) the helpdesk drafts the reply (10–20 min, timed from
"begin" to "issue") and (5) sends it; (6) the trainer gets a *surat tugas*; (7) the training is
held, its participants registered and their attendance recorded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import user_locked, users_with_role
from lpse.core import audit
from lpse.core.calendar import to_wita
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.models import StepTiming
from lpse.core.standard_times import Procedure, step_end, step_start
from lpse.core.storage import store_bytes, store_upload
from lpse.core.tasks import send_mail_on_commit
from lpse.training import letters, rules
from lpse.training.models import Audience, Room, TrainingRequest, TrainingSession
from lpse.training.services.sessions import (
    locked_request,
    session_context,
    session_day,
)

if TYPE_CHECKING:  # annotations only: accounts are read through its selectors
    from lpse.accounts.models import Agency, User

State = TrainingRequest.State
LETTER_MAX_BYTES = 10 * 1024 * 1024
LETTER_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}
PHONE_STEP = "phone_confirmation"
REPLY_STEP = "reply_letter"


def _name(user) -> str:
    return user.get_full_name() or user.username


# --- (1) the request letter ----------------------------------------------------------------------


@dataclass(frozen=True)
class RequestData:
    agency: Agency
    letter_number: str
    letter_date: date
    audience: str
    topic: str
    participants_expected: int
    contact_name: str
    contact_phone: str
    contact_email: str
    note: str = ""


def request_register(*, actor, data: RequestData, letter: UploadedFile) -> TrainingRequest:
    """Step 1: the SKPD's letter, as received, with its scan or PDF."""
    require_capability(actor, Cap.REGISTER_TRAINING_REQUESTS)
    number = data.letter_number.strip()
    if not number:
        raise DomainError(_("Enter the letter's number."), field="letter_number")
    if data.letter_date > to_wita(timezone.now()).date():
        raise DomainError(
            _("The letter's date is in the future: check the date on the letter."),
            field="letter_date",
        )
    if data.audience not in Audience.values:
        raise DomainError(_("Choose who the training is for."), field="audience")
    if data.participants_expected < 1:
        raise DomainError(_("At least one participant is expected."), field="participants_expected")
    extension = PurePath(letter.name or "").suffix.lower()
    if extension not in LETTER_EXTENSIONS:
        raise DomainError(
            _("Upload the letter as PDF, JPG or PNG (a scan or a photo of the letter)."),
            field="letter",
        )
    with transaction.atomic():
        duplicate = (
            TrainingRequest.objects.filter(agency=data.agency, letter_number=number)
            .exclude(state=State.CANCELLED)
            .first()
        )
        if duplicate is not None:
            raise DomainError(
                _("This letter of %(agency)s is already registered as request #%(pk)d.")
                % {"agency": data.agency.name, "pk": duplicate.pk},
                field="letter_number",
            )
        blob = store_upload(letter, max_size=LETTER_MAX_BYTES, uploader=actor)
        request = TrainingRequest.objects.create(
            agency=data.agency,
            letter_number=number,
            letter_date=data.letter_date,
            letter=blob,
            letter_filename=PurePath(letter.name or "").name[:200],
            audience=data.audience,
            topic=data.topic.strip(),
            participants_expected=data.participants_expected,
            contact_name=data.contact_name.strip(),
            contact_phone=data.contact_phone.strip(),
            contact_email=data.contact_email.strip().lower(),
            note=data.note.strip(),
            registered_at=timezone.now(),
            registered_by=actor,
        )
        audit.record(
            actor=actor,
            action="training.request_register",
            obj=request,
            data={
                "agency": data.agency.code,
                "letter_number": number,
                "letter_sha256": blob.sha256,
                "audience": data.audience,
            },
        )
        # the phone confirmation is due as soon as the letter reaches the desk.
        step_start(
            procedure=Procedure.TRAINING_REQUEST,
            step=PHONE_STEP,
            subject=request,
            actor=actor,
            at=request.registered_at,
        )
    return request


# --- (2) the phone confirmation ------------------------------------------------------------------


def request_confirm(
    *,
    actor,
    request: TrainingRequest,
    confirmed_with: str,
    agreed_start: datetime,
    agreed_end: datetime,
    note: str = "",
) -> TrainingRequest:
    """Step 2: the helpdesk called the SKPD and agreed a time. The agreed time must already
    follow the rules, so nobody is promised a slot the head cannot schedule; for an agency
    training, the agreed day is what allows a day other than Monday, Tuesday or Friday."""
    require_capability(actor, Cap.REGISTER_TRAINING_REQUESTS)
    if not confirmed_with.strip():
        raise DomainError(_("Enter whom you spoke with at the SKPD."), field="confirmed_with")
    with transaction.atomic():
        request = locked_request(request)
        if request.state not in (State.REGISTERED, State.CONFIRMED):
            raise DomainError(
                _("This request is already scheduled: the agreed time can no longer change.")
            )
        rules.check_times(
            audience=request.audience,
            start=agreed_start,
            end=agreed_end,
            now=timezone.now(),
            agreed_day=to_wita(agreed_start).date(),
        )
        request.confirmed_at = timezone.now()
        request.confirmed_by = actor
        request.confirmed_with = confirmed_with.strip()
        request.agreed_start, request.agreed_end = agreed_start, agreed_end
        request.confirmation_note = note.strip()
        request.state = State.CONFIRMED
        request.save()
        audit.record(
            actor=actor,
            action="training.phone_confirm",
            obj=request,
            data={
                "confirmed_with": request.confirmed_with,
                "agreed_start": agreed_start.isoformat(),
                "agreed_end": agreed_end.isoformat(),
            },
        )
        step_end(
            procedure=Procedure.TRAINING_REQUEST, step=PHONE_STEP, subject=request, actor=actor
        )
    return request


def agreed_day(request: TrainingRequest) -> date | None:
    return to_wita(request.agreed_start).date() if request.agreed_start else None


# --- (3) scheduling ------------------------------------------------------------------------------


def trainers() -> QuerySet[User]:
    """Whom a training may be given to: the active trainers, by User ID."""
    return users_with_role(Role.TRAINER)


def _booking_label(session: TrainingSession) -> str:
    return f"{session.request.agency.code}: {session.request.topic}"


def _bookings(*, request: TrainingRequest, start: datetime, end: datetime, **which):
    """The live trainings holding the room or trainer in ``which`` around [start, end)."""
    sessions = (
        TrainingSession.objects.filter(start__lt=end, end__gt=start, **which)
        .exclude(request=request)
        .exclude(request__state=State.CANCELLED)
        .select_related("request__agency")
    )
    return [rules.Booking(s.start, s.end, _booking_label(s)) for s in sessions]


def session_schedule(
    *,
    actor,
    request: TrainingRequest,
    start: datetime,
    end: datetime,
    room: Room,
    trainer: User,
) -> TrainingSession:
    """Step 3: the head of LPSE (or of information services) sets day, time, room and trainer.

    The room and trainer rows are locked before their bookings are read, in that order
    everywhere, so two heads scheduling at the same moment queue behind each other and the
    second sees the first's booking (on PostgreSQL through the row locks, on SQLite because every
    write transaction takes the database's write lock at BEGIN). A scheduled request may be
    scheduled again until its letters are issued."""
    require_capability(actor, Cap.SCHEDULE_TRAININGS)
    with transaction.atomic():
        request = locked_request(request)
        if request.state not in (State.CONFIRMED, State.SCHEDULED):
            if request.state == State.REGISTERED:
                message = _("Record the phone confirmation with the SKPD before scheduling.")
            else:
                message = _("The letters of this training were issued: it can no longer move.")
            raise DomainError(message)
        room = Room.objects.select_for_update().get(pk=room.pk)
        trainer = user_locked(trainer.pk)
        if not room.active:
            raise DomainError(_("This room is no longer in use."), field="room")
        if not (trainer.is_active and trainer.has_role(Role.TRAINER)):
            raise DomainError(_("Choose an active trainer."), field="trainer")
        rules.check_times(
            audience=request.audience,
            start=start,
            end=end,
            now=timezone.now(),
            agreed_day=agreed_day(request),
        )
        rules.check_room_size(
            room=room.name, capacity=room.capacity, expected=request.participants_expected
        )
        rules.check_room_free(
            room=room.name,
            start=start,
            end=end,
            bookings=_bookings(request=request, start=start, end=end, room=room),
        )
        rules.check_trainer_free(
            trainer=_name(trainer),
            start=start,
            end=end,
            bookings=_bookings(request=request, start=start, end=end, trainer=trainer),
        )
        session = TrainingSession.objects.filter(request=request).first()
        moved = session is not None and (session.start, session.end, session.room_id) != (
            start,
            end,
            room.pk,
        )
        if session is None:
            session = TrainingSession(request=request, registration_token=secrets.token_urlsafe(24))
        session.start, session.end, session.room, session.trainer = start, end, room, trainer
        session.scheduled_at, session.scheduled_by = timezone.now(), actor
        session.save()
        request.state = State.SCHEDULED
        request.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="training.schedule",
            obj=session,
            data={
                "request": request.pk,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "room": room.name,
                "trainer": trainer.username,
            },
        )
        if moved:
            # participants registered for the old time are told the new one.
            body = render_to_string("training/email/moved.txt", session_context(session))
            for email in sorted(set(session.participants.values_list("email", flat=True))):
                send_mail_on_commit(
                    to=[email],
                    subject=_("Training moved to %(day)s") % {"day": session_day(session)},
                    body=body,
                )
    return session


# --- (4)–(6) the reply letter and the surat tugas ------------------------------------------------


def reply_begun(request: TrainingRequest) -> bool:
    return StepTiming.objects.filter(
        procedure=Procedure.TRAINING_REQUEST,
        step=REPLY_STEP,
        subject_type=request._meta.label_lower,
        subject_id=str(request.pk),
    ).exists()


def reply_begin(*, actor, request: TrainingRequest) -> TrainingRequest:
    """The helpdesk starts drafting the reply: the 10–20 minutes of step 4 run from here."""
    require_capability(actor, Cap.REGISTER_TRAINING_REQUESTS)
    with transaction.atomic():
        request = locked_request(request)
        if request.state != State.SCHEDULED:
            raise DomainError(_("The reply letter is drafted once the training is scheduled."))
        step_start(
            procedure=Procedure.TRAINING_REQUEST, step=REPLY_STEP, subject=request, actor=actor
        )
        audit.record(actor=actor, action="training.reply_begin", obj=request)
    return request


def letters_issue(
    *, actor, request: TrainingRequest, reply_number: str, assignment_number: str
) -> TrainingSession:
    """Steps 4–6: the reply letter to the SKPD and the trainer's surat tugas, as PDF; the SKPD
    contact and the trainer are told by e-mail, with the fingerprints of what they will get."""
    require_capability(actor, Cap.REGISTER_TRAINING_REQUESTS)
    reply_number, assignment_number = reply_number.strip(), assignment_number.strip()
    if not reply_number:
        raise DomainError(_("Enter the reply letter's number."), field="reply_number")
    if not assignment_number:
        raise DomainError(_("Enter the surat tugas's number."), field="assignment_number")
    if reply_number == assignment_number:
        raise DomainError(
            _("The reply letter and the surat tugas are two letters: give them two numbers."),
            field="assignment_number",
        )
    with transaction.atomic():
        request = locked_request(request)
        if request.state != State.SCHEDULED:
            raise DomainError(_("The letters are issued once, after the training is scheduled."))
        if not reply_begun(request):
            raise DomainError(
                _("Press “Begin the reply letter” when you start drafting it (R-3.6 times it).")
            )
        session = (
            TrainingSession.objects.select_for_update(of=("self",))
            .select_related("room", "trainer", "scheduled_by", "request__agency")
            .get(request=request)
        )
        if session.start <= timezone.now():
            raise DomainError(
                _("The scheduled time has passed: schedule the training again first.")
            )
        session.reply_number, session.assignment_number = reply_number, assignment_number
        session.letters_issued_at, session.letters_issued_by = timezone.now(), actor
        session.reply_letter = store_bytes(letters.reply_letter_pdf(session))
        session.assignment_letter = store_bytes(letters.assignment_letter_pdf(session))
        session.save()
        request.state = State.REPLY_SENT
        request.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="training.letters_issue",
            obj=session,
            data={
                "reply_number": reply_number,
                "reply_sha256": session.reply_letter.sha256,
                "assignment_number": assignment_number,
                "assignment_sha256": session.assignment_letter.sha256,
            },
        )
        step_end(
            procedure=Procedure.TRAINING_REQUEST, step=REPLY_STEP, subject=request, actor=actor
        )
        _notify_letters(session)
    return session


def _request_url(request: TrainingRequest) -> str:
    return site_url("training:request_detail", request.pk)


def _notify_letters(session: TrainingSession) -> None:
    request = session.request
    context = session_context(session)
    send_mail_on_commit(
        to=[request.contact_email],
        subject=_("Reply to your training request %(number)s") % {"number": request.letter_number},
        body=render_to_string(
            "training/email/reply_notice.txt",
            {**context, "registration_url": letters.registration_url(session)},
        ),
    )
    if session.trainer.email:
        send_mail_on_commit(
            to=[session.trainer.email],
            subject=_("Surat tugas %(number)s: training on %(day)s")
            % {"number": session.assignment_number, "day": context["day"]},
            body=render_to_string(
                "training/email/assignment_notice.txt",
                {**context, "url": _request_url(request)},
            ),
        )


# --- cancelling, rooms ---------------------------------------------------------------------------


def request_cancel(*, actor, request: TrainingRequest, reason: str) -> TrainingRequest:
    """The head cancels a request (the SKPD withdrew, the trainer fell ill …). Its room and
    trainer are free again; whoever was told about the training is told it is cancelled."""
    require_capability(actor, Cap.SCHEDULE_TRAININGS)
    if not reason.strip():
        raise DomainError(_("Give the reason for cancelling."), field="reason")
    with transaction.atomic():
        request = locked_request(request)
        if request.state in (State.HELD, State.CANCELLED):
            raise DomainError(_("This training is already held or cancelled."))
        announced = request.state == State.REPLY_SENT
        request.state = State.CANCELLED
        request.cancelled_at, request.cancelled_by = timezone.now(), actor
        request.cancel_reason = reason.strip()
        request.save()
        audit.record(
            actor=actor, action="training.cancel", obj=request, data={"reason": reason.strip()}
        )
        session = TrainingSession.objects.filter(request=request).first()
        if session is not None:
            # Whoever was told of the training: participants as soon as they registered, the
            # SKPD and the trainer once the letters went out.
            recipients = set(session.participants.values_list("email", flat=True))
            if announced:
                recipients |= {request.contact_email, session.trainer.email}
            body = render_to_string(
                "training/email/cancelled.txt",
                {**session_context(session), "reason": request.cancel_reason},
            )
            for email in sorted(e for e in recipients if e):
                send_mail_on_commit(
                    to=[email],
                    subject=_("Training on %(day)s cancelled") % {"day": session_day(session)},
                    body=body,
                )
    return request


def room_save(
    *, actor, name: str, capacity: int, active: bool = True, room: Room | None = None
) -> Room:
    require_capability(actor, Cap.SCHEDULE_TRAININGS)
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the room's name."), field="name")
    if capacity < 1:
        raise DomainError(_("A room holds at least one person."), field="capacity")
    with transaction.atomic():
        same_name = Room.objects.filter(name__iexact=name)
        if room is not None:
            same_name = same_name.exclude(pk=room.pk)
        if same_name.exists():
            raise DomainError(_("There is already a room with this name."), field="name")
        room = room or Room()
        room.name, room.capacity, room.active = name, capacity, active
        room.save()
        audit.record(
            actor=actor,
            action="training.room_save",
            obj=room,
            data={"name": name, "capacity": capacity, "active": active},
        )
    return room
