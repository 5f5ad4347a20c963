"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
evaluation, objection and award pages of the sample tender SAMPEL-1, whose outcome (built in
``bid_samples``) names the matrix provider's bid the winner."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.bids.models import OpenedBid
from lpse.core.storage import store_bytes
from lpse.evaluation.models import (
    AwardLetter,
    Objection,
    ObjectionAttachment,
    QualificationInvitation,
    TenderOutcome,
)

OBJECT_SCOPED: dict = {
    "evaluation:award_letter": (
        frozenset({Role.PPK, Role.COMMITTEE, Role.PROVIDER}),
        "the award letter is for the PPK, the committee and the winner",
    ),
    "evaluation:attachment": (
        frozenset({Role.COMMITTEE, Role.PROVIDER}),
        "an objection's attachment is for the objector and the committee",
    ),
}


def samples(company, make_user) -> dict[str, object]:
    now = timezone.now()
    outcome = TenderOutcome.objects.select_related("winner").get(tender__code="SAMPEL-1")
    outcome.announced_at = now
    outcome.objections_open_at = now - timedelta(days=1)
    outcome.objections_close_at = now + timedelta(days=3)
    outcome.save()
    opened = OpenedBid.objects.get(bid=outcome.winner)
    member = make_user(Role.COMMITTEE)
    blob = store_bytes(b"%PDF-1.4 sample evaluation document")
    invitation = QualificationInvitation.objects.create(
        bid=outcome.winner, proof_at=now, place="Ruang Pokja", invited_by=member, invited_at=now
    )
    # The matrix provider objects (to itself, which the service would refuse; the matrix only
    # needs the object to exist).
    objection = Objection.objects.create(
        outcome=outcome,
        bid=outcome.winner,
        filed_by=outcome.winner.submitted_by,
        filed_at=now,
        grounds="Sampel",
        answer_due=now + timedelta(days=6),
    )
    attachment = ObjectionAttachment.objects.create(
        objection=objection, filename="bukti.pdf", blob=blob
    )
    AwardLetter.objects.create(
        outcome=outcome,
        number="SPPBJ-1",
        value=1,
        issued_by=make_user(Role.PPK),
        issued_at=now,
        document=blob,
    )
    return {
        "evaluation:invite": {"pk": opened.pk},
        "evaluation:proof": {"pk": invitation.pk},
        "evaluation:answer": {"pk": objection.pk},
        "evaluation:attachment": {"pk": attachment.pk},
    }
