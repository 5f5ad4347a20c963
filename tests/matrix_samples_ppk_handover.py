"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the agency
admin's hand-over of a PPK's open packages (R-8.1, issue 13). The PPK belongs to DPUPR, the
matrix agency admin's own agency, so the role holding the capability reaches the page."""

from __future__ import annotations

from lpse.accounts.roles import Role

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    leaving = make_user(Role.PPK, username="ppk-sampel-serah")
    return {"tenders:ppk_handover": {"pk": leaving.pk}}
