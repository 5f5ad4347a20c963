"""``lpse.core.tasks.mail_each``: each person mailed once, alone, in the site's language, when the
transaction commits (R-5.1's alerts and every operations and backup message use it)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.core.models import SentEmail
from lpse.core.tasks import mail_each

pytestmark = pytest.mark.django_db


def test_R_5_1_each_address_once_alone_in_indonesian_whoever_runs_it(
    make_user, smtp_server, django_capture_on_commit_callbacks
):
    """R-5.1: a person given twice (as a user and as an address in another case) gets one
    message; no message names anyone else; the text is Indonesian under an English request."""
    user = make_user(Role.SYSADMIN)
    other = "Kepala.LPSE@example.test"
    seen: list[str] = []

    def compose(to: str) -> tuple[str, str]:
        seen.append(to)
        return _("LPSE security summary"), f"untuk {to}"

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        mailed = mail_each([user, user.email.upper(), other, "", "  "], compose)
    assert mailed == sorted([user.email.lower(), other.lower()]) == seen
    for address in mailed:
        message = smtp_server.wait_for(address)
        assert len(smtp_server.to(address)) == 1
        assert message["To"] == address
        assert message["Subject"] == "Ringkasan keamanan LPSE"
        assert smtp_server.body(message).strip() == f"untuk {address}"


def test_R_5_1_nothing_leaves_for_a_rolled_back_write(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            mail_each(["a@example.test"], lambda _to: ("s", "b"))
            raise RuntimeError("rolled back")
    assert not SentEmail.objects.exists()
