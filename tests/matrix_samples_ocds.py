"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the OCDS
operations' parameters (issue 18, R-9.5) — the published releases of the sample tenders and a
bulk file, made by the publishing job itself."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from lpse.portal.models import OCDSRelease
    from lpse.portal.ocds import bulk, jobs

    jobs.ocds_publish()
    ocid = OCDSRelease.objects.values_list("ocid", flat=True).first()
    name = bulk.bulk_files()[0].name
    return {"ocid": ocid, "name": name}
