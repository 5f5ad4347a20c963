"""Training pages (R-2.2): the helpdesk's and heads' desk, the letters, participants' link."""

from __future__ import annotations

import mimetypes
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core import audit, public_limits
from lpse.core.capabilities import Cap, public, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error
from lpse.core.storage import open_blob
from lpse.training import letters, sandbox, selectors
from lpse.training.forms import (
    CancelForm,
    ConfirmationForm,
    LettersForm,
    ParticipantForm,
    RequestForm,
    RoomForm,
    ScheduleForm,
)
from lpse.training.models import Room, TrainingRequest, TrainingSession
from lpse.training.services import participants
from lpse.training.services import requests as services

State = TrainingRequest.State


def _raise_forbidden(exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None


@requires(Cap.VIEW_TRAININGS)
def overview(request):
    state = request.GET.get("state", "")
    return render(
        request,
        "training/overview.html",
        {
            "requests": selectors.requests_overview(request.user, state),
            "state": state,
            "states": State.choices,
            "caps": request.user.capabilities(),
        },
    )


@requires(Cap.REGISTER_TRAINING_REQUESTS)
def request_create(request):
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_register(
                actor=request.user,
                data=services.RequestData(
                    agency=data["agency"],
                    letter_number=data["letter_number"],
                    letter_date=data["letter_date"],
                    audience=data["audience"],
                    topic=data["topic"],
                    participants_expected=data["participants_expected"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    note=data["note"],
                ),
                letter=data["letter"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Request registered. Call the SKPD now to agree a time (1–5 min).")
            )
            return redirect("training:request_detail", created.pk)
    return render(
        request,
        "training/request_form.html",
        {"form": form, "title": _("Register a training request letter")},
    )


def _detail(request, training: TrainingRequest, **bound):
    """The request's page with the forms the user may use now; ``bound`` replaces one of them
    with the submitted form and its errors."""
    caps = request.user.capabilities()
    session = selectors.session_of(training)
    forms: dict[str, object] = {}
    if Cap.REGISTER_TRAINING_REQUESTS in caps:
        if training.state in (State.REGISTERED, State.CONFIRMED):
            forms["confirm_form"] = ConfirmationForm(
                initial={
                    "confirmed_with": training.confirmed_with or training.contact_name,
                    **ConfirmationForm.initial_from(training.agreed_start, training.agreed_end),
                }
            )
        if training.state == State.SCHEDULED and services.reply_begun(training):
            forms["letters_form"] = LettersForm()
        if session is not None and training.state in (State.SCHEDULED, State.REPLY_SENT):
            forms["participant_form"] = ParticipantForm()
    if Cap.SCHEDULE_TRAININGS in caps:
        if training.state in (State.CONFIRMED, State.SCHEDULED):
            start, end = (
                (session.start, session.end)
                if session
                else (training.agreed_start, training.agreed_end)
            )
            initial = ScheduleForm.initial_from(start, end)
            if session:
                initial.update(room=session.room_id, trainer=session.trainer_id)
            forms["schedule_form"] = ScheduleForm(initial=initial, trainers=services.trainers())
        if training.state not in (State.HELD, State.CANCELLED):
            forms["cancel_form"] = CancelForm()
    forms.update(bound)
    participants = list(selectors.participants_of(session)) if session else []
    may_record = session is not None and (
        Cap.REGISTER_TRAINING_REQUESTS in caps
        or (Cap.RECORD_ATTENDANCE in caps and session.trainer_id == request.user.pk)
    )
    return render(
        request,
        "training/request_detail.html",
        {
            "training": training,
            "session": session,
            "participants": participants,
            "attended": sum(1 for p in participants if p.attended),
            "steps": selectors.step_rows(training),
            "reply_begun": services.reply_begun(training),
            "registration_url": letters.registration_url(session) if session else "",
            "may_record": may_record,
            "caps": caps,
            **forms,
        },
    )


def _training(request, pk: int) -> TrainingRequest:
    """The training ``pk`` if this user may see it; another is not found (issue 21)."""
    try:
        return selectors.request_detail(request.user, pk)
    except TrainingRequest.DoesNotExist:
        raise Http404 from None


@requires(Cap.VIEW_TRAININGS)
def request_detail(request, pk: int):
    return _detail(request, _training(request, pk))


def _attachment(blob, filename: str, content_type: str) -> HttpResponse:
    with open_blob(blob) as f:
        response = HttpResponse(f.read(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(Cap.VIEW_TRAININGS)
def request_letter(request, pk: int):
    training = _training(request, pk)
    content_type = mimetypes.guess_type(training.letter_filename)[0] or "application/octet-stream"
    name = re.sub(r"[^\w.-]+", "-", training.letter_filename, flags=re.ASCII).strip("-.")
    return _attachment(training.letter, f"permohonan-{training.pk}-{name}", content_type)


@requires(Cap.VIEW_TRAININGS)
def reply_pdf(request, pk: int):
    session = get_object_or_404(
        selectors.sessions_visible_to(request.user).select_related("reply_letter"), request=pk
    )
    if session.reply_letter is None:
        raise Http404
    return blob_pdf_response(
        session.reply_letter, f"surat-jawaban-pelatihan-{pk}.pdf", kind="training_reply_letter"
    )


@requires(Cap.VIEW_TRAININGS)
def assignment_pdf(request, pk: int):
    session = get_object_or_404(
        selectors.sessions_visible_to(request.user).select_related("assignment_letter"),
        request=pk,
    )
    if session.assignment_letter is None:
        raise Http404
    return blob_pdf_response(
        session.assignment_letter, f"surat-tugas-pelatihan-{pk}.pdf", kind="training_assignment"
    )


def _posted(request, pk: int, form_key: str, form, action, success: str):
    """Run ``action(form)`` on a valid form; on a refusal show the page again with the form, its
    input and the service's message in place."""
    training = _training(request, pk)
    if form.is_valid():
        try:
            action(training, form)
        except DomainError as exc:
            _raise_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("training:request_detail", pk)
    return _detail(request, training, **{form_key: form})


@requires(Cap.REGISTER_TRAINING_REQUESTS)
@require_POST
def confirm(request, pk: int):
    def action(training, form):
        start, end = form.moments()
        services.request_confirm(
            actor=request.user,
            request=training,
            confirmed_with=form.cleaned_data["confirmed_with"],
            agreed_start=start,
            agreed_end=end,
            note=form.cleaned_data["note"],
        )

    return _posted(
        request,
        pk,
        "confirm_form",
        ConfirmationForm(request.POST),
        action,
        _("Phone confirmation recorded. The head of LPSE can schedule the training now."),
    )


@requires(Cap.SCHEDULE_TRAININGS)
@require_POST
def schedule(request, pk: int):
    def action(training, form):
        start, end = form.moments()
        services.session_schedule(
            actor=request.user,
            request=training,
            start=start,
            end=end,
            room=form.cleaned_data["room"],
            trainer=form.cleaned_data["trainer"],
        )

    return _posted(
        request,
        pk,
        "schedule_form",
        ScheduleForm(request.POST, trainers=services.trainers()),
        action,
        _("Training scheduled. The helpdesk drafts the reply letter."),
    )


@requires(Cap.REGISTER_TRAINING_REQUESTS)
@require_POST
def reply_begin(request, pk: int):
    try:
        services.reply_begin(actor=request.user, request=_training(request, pk))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Drafting started: issue the letters when they are ready."))
    return redirect("training:request_detail", pk)


@requires(Cap.REGISTER_TRAINING_REQUESTS)
@require_POST
def letters_issue(request, pk: int):
    def action(training, form):
        services.letters_issue(
            actor=request.user,
            request=training,
            reply_number=form.cleaned_data["reply_number"],
            assignment_number=form.cleaned_data["assignment_number"],
        )

    return _posted(
        request,
        pk,
        "letters_form",
        LettersForm(request.POST),
        action,
        _("Reply letter and surat tugas issued; the SKPD and the trainer were e-mailed."),
    )


@requires(Cap.SCHEDULE_TRAININGS)
@require_POST
def cancel(request, pk: int):
    def action(training, form):
        services.request_cancel(
            actor=request.user, request=training, reason=form.cleaned_data["reason"]
        )

    return _posted(
        request, pk, "cancel_form", CancelForm(request.POST), action, _("Training cancelled.")
    )


@requires(Cap.REGISTER_TRAINING_REQUESTS)
@require_POST
def participant_add(request, pk: int):
    def action(training, form):
        session = selectors.session_of(training)
        if session is None:
            raise DomainError(_("Schedule the training first."))
        participants.participant_register(actor=request.user, session=session, **form.cleaned_data)

    return _posted(
        request,
        pk,
        "participant_form",
        ParticipantForm(request.POST),
        action,
        _("Participant registered and e-mailed."),
    )


@requires(Cap.REGISTER_TRAINING_REQUESTS)
@require_POST
def participant_remove(request, pk: int):
    participant = get_object_or_404(
        selectors.participants_visible_to(request.user).select_related("session"), pk=pk
    )
    try:
        participants.participant_remove(actor=request.user, participant=participant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Participant removed."))
    return redirect("training:request_detail", participant.session.request_id)


@requires(Cap.RECORD_ATTENDANCE)
@require_POST
def attendance(request, pk: int):
    participant = get_object_or_404(
        selectors.participants_visible_to(request.user).select_related("session"), pk=pk
    )
    try:
        participants.attendance_record(
            actor=request.user,
            participant=participant,
            attended=request.POST.get("attended") == "yes",
        )
    except DomainError as exc:
        _raise_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Attendance recorded."))
    url = reverse("training:request_detail", args=[participant.session.request_id])
    return redirect(f"{url}#participants")


@requires(Cap.RECORD_ATTENDANCE)
@require_POST
def held(request, pk: int):
    session = get_object_or_404(selectors.sessions_visible_to(request.user), request=pk)
    try:
        participants.session_held(actor=request.user, session=session)
    except DomainError as exc:
        _raise_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The training is recorded as held."))
    return redirect("training:request_detail", pk)


@public
def self_register(request, token: str):
    """The link in the reply letter: the SKPD passes it to the people it sends (R-2.2)."""
    session = get_object_or_404(
        TrainingSession.objects.select_related("request__agency", "room"),
        registration_token=token,
    )
    form = ParticipantForm(request.POST or None)
    refusal = public_limits.count_post(request)
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        try:
            participants.participant_register(actor=None, session=session, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("You are registered. A confirmation was sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("training:self_register", token)
    response = render(
        request,
        "training/self_register.html",
        {
            "session": session,
            "training": session.request,
            "form": form,
            "open": session.request.state == State.REPLY_SENT,
            "seats_left": max(session.capacity - session.participants.count(), 0),
        },
    )
    return public_limits.answer(response, refusal)


@requires(Cap.SCHEDULE_TRAININGS)
def rooms(request):
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        room = None
        if request.POST.get("room"):
            room = get_object_or_404(Room, pk=request.POST["room"])
        try:
            services.room_save(
                actor=request.user,
                name=form.cleaned_data["name"],
                capacity=form.cleaned_data["capacity"],
                active=request.POST.get("active", "on") == "on",
                room=room,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Room saved."))
            return redirect("training:rooms")
    return render(request, "training/rooms.html", {"form": form, "rooms": Room.objects.all()})


@requires(Cap.RESET_TRAINING_SANDBOX)
def sandbox_page(request):
    """The system administrator's view of the training environment, with the reset button
    (the same reset as `lpse training_sandbox reset`)."""
    if request.method == "POST":
        if request.POST.get("confirm") != "reset":
            messages.error(request, _("Tick the box to confirm that the sandbox is thrown away."))
        else:
            try:
                status = sandbox.reset(by=request.user.username)
            except sandbox.SandboxError as exc:
                messages.error(request, _("The reset failed: %(error)s") % {"error": exc})
            else:
                audit.record(
                    actor=request.user,
                    action="training.sandbox_reset",
                    data={"directory": str(status.directory), "users": status.users},
                )
                messages.success(request, _("The training sandbox was reset with the demo data."))
        return redirect("training:sandbox")
    return render(
        request,
        "training/sandbox.html",
        {"status": sandbox.status(), "bind": sandbox.DEFAULT_BIND},
    )
