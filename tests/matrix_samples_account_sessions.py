"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
administrator's buttons that end a person's sessions and reset a lost second factor (issue 21).
A person's own sessions and password pages take no parameter and need no sample.

The account is a staff member of DPUPR, the matrix agency admin's own agency (a
PPK, so both staff managers reach it), with a confirmed authenticator to reset."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts.roles import Role

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    account = make_user(Role.PPK, username="ppk-sampel-sesi")
    TOTPDevice.objects.create(user=account, name="authenticator", confirmed=True)
    return {
        "accounts:account_sessions_end": {"pk": account.pk},
        "accounts:second_factor_reset_check": {"pk": account.pk},
        "accounts:second_factor_reset_apply": {"pk": account.pk},
        "accounts:second_factor_reset_cancel": {"pk": account.pk},
    }
