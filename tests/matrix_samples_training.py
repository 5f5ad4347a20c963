"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
training pages' URL parameters. ``samples(company, make_user)`` returns values by parameter
name (``"code"``) or, for names that differ per URL, by URL name (``{"app:view": {"pk": 1}}``);
``OBJECT_SCOPED`` lists pages that check the object's owner after the capability."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from lpse.accounts.models import Agency
from lpse.accounts.roles import Role
from lpse.core.storage import store_bytes
from lpse.training.models import Participant, Room, TrainingRequest, TrainingSession

# Attendance and "held" are recorded by the session's own trainer or the helpdesk: the sample
# session's trainer is the matrix's trainer, so no role holding the capability is refused there.
OBJECT_SCOPED: dict = {}

REQUEST_PAGES = (
    "request_detail",
    "request_letter",
    "confirm",
    "schedule",
    "reply_begin",
    "letters_issue",
    "reply_pdf",
    "assignment_pdf",
    "cancel",
    "participant_add",
    "held",
)


def samples(company, make_user) -> dict[str, object]:
    """An announced training under way (started an hour ago), with its letters and one
    participant, so every training page has something to show or act on."""
    helpdesk, head = make_user(Role.HELPDESK), make_user(Role.LPSE_HEAD)
    trainer = make_user(Role.TRAINER)
    blob = store_bytes(b"%PDF-1.4 sample training letter")
    now = timezone.now()
    request = TrainingRequest.objects.create(
        agency=Agency.objects.get(code="DPUPR"),
        letter_number="005/1/DPUPR/2026",
        letter_date=now.date(),
        letter=blob,
        letter_filename="surat.pdf",
        audience="agency_staff",
        topic="SPSE untuk Pokja",
        participants_expected=10,
        contact_name="Sekretariat",
        contact_phone="0411",
        contact_email="sekretariat@dpupr.test",
        state=TrainingRequest.State.REPLY_SENT,
        registered_at=now,
        registered_by=helpdesk,
        confirmed_at=now,
        confirmed_by=helpdesk,
        confirmed_with="Sekretariat",
        agreed_start=now - timedelta(hours=1),
        agreed_end=now + timedelta(hours=2),
    )
    room, _ = Room.objects.get_or_create(name="Ruang Pelatihan LPSE", defaults={"capacity": 20})
    session = TrainingSession.objects.create(
        request=request,
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=2),
        room=room,
        trainer=trainer,
        scheduled_at=now,
        scheduled_by=head,
        registration_token="matrix-sample-registration-link",
        reply_number="005/2/LPSE/2026",
        reply_letter=blob,
        assignment_number="800/3/LPSE/2026",
        assignment_letter=blob,
        letters_issued_at=now,
        letters_issued_by=helpdesk,
    )
    participant = Participant.objects.create(
        session=session,
        name="Peserta Sampel",
        email="peserta@dpupr.test",
        organisation="DPUPR",
        registered_at=now,
    )
    return {
        "token": session.registration_token,
        **{f"training:{name}": {"pk": request.pk} for name in REQUEST_PAGES},
        "training:attendance": {"pk": participant.pk},
        "training:participant_remove": {"pk": participant.pk},
    }
