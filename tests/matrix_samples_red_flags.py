"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the red-flag
pages (R-9.10) — an agency with a published tender (the OCDS samples' ``ocid`` serves the
per-tender page)."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from lpse.portal.models import OCDSRelease
    from lpse.portal.ocds.store import releases_publish

    releases_publish()  # idempotent: the OCDS samples may have published already
    release = OCDSRelease.objects.order_by("seq").first()
    return {"agency_code": release.data["buyer"]["id"].removeprefix("agency-")}
