"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the backup
pages' URL parameters (SPEC 6, R-6.2). A medium that is out, whose return page the backup
keepers may open."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from django.utils import timezone

    from lpse.archive.models import MediaMovement

    out = MediaMovement.objects.create(
        medium="HDD-sampel",
        kept_at="Brankas ruang Kepala LPSE",
        taken_by="Sampel",
        taken_out_at=timezone.now(),
    )
    return {"archive:media_return": {"pk": out.pk}}
