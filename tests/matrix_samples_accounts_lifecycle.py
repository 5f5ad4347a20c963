"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the pages
of accounts for life, the budget user's package approval (R-8.1), the committee member
replacement and the read-only overviews of issue 13.

The account the lifecycle pages act on is a PPK of DPUPR, the matrix agency admin's own agency,
so both staff managers reach it; the package and committee are the tender samples' (DPUPR)."""

from __future__ import annotations

from lpse.accounts.roles import Role
from lpse.tenders.models import Committee, Package

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    account = make_user(Role.PPK, username="ppk-sampel-akun")
    package = Package.objects.get(name="Rehabilitasi Jalan Sampel")
    committee = Committee.objects.get(name="Pokja Sampel")
    return {
        "accounts:account_detail": {"pk": account.pk},
        "accounts:account_deactivate": {"pk": account.pk},
        "accounts:account_reactivate": {"pk": account.pk},
        "accounts:account_role_grant": {"pk": account.pk},
        "accounts:account_role_revoke": {"pk": account.pk},
        "tenders:approval_decide": {"pk": package.pk},
        "tenders:approval_request_again": {"pk": package.pk},
        "tenders:committee_members": {"pk": committee.pk},
    }
