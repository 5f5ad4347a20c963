"""Passwords built on the service's own words are refused (ASVS V6.1.2, V6.2.11), and an offline
list of breached passwords can be added (V6.2.12) — R-4.4."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError

from lpse.accounts.models import Agency, User
from lpse.accounts.password_words import ContextWordsValidator
from lpse.accounts.roles import Role
from tests.conftest import PASSWORD
from tests.test_account_sessions import PASSWORD_URL, signed_in
from tests.test_auth_hardening import REAUTH_URL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    [
        "Pengadaan2026!",
        "LpseMaros#2026",  # the site's name carries the region (LPSE_SITE_NAME)
        "Tender-Pokja-01",
        "penyedia.barang.jasa",
        "DinasKesehatanKu!",  # an agency's name
        "PROVIDER-demo2026!",  # a demo password: the role's name and four letters
    ],
)
def test_issue21_a_password_built_on_the_services_words_is_refused(password):
    Agency.objects.get_or_create(code="DINKES", defaults={"name": "Dinas Kesehatan"})
    with pytest.raises(ValidationError) as refused:
        ContextWordsValidator().validate(password)
    assert "words of this service" in refused.value.messages[0]


@pytest.mark.parametrize(
    "password", ["kuda-laut-merah-17", PASSWORD, "tender kuda laut biru", "Sepeda Ontel Kakek 1978"]
)
def test_issue21_a_password_with_enough_of_its_own_passes(password):
    ContextWordsValidator().validate(password)


def test_issue21_the_password_change_page_refuses_a_context_password_and_keeps_the_old(make_user):
    """The attack: an officer's guessable "Pengadaan-Maros-2026" passes Django's own rules (long
    enough, not numeric, not in its common list); only the context rule refuses it."""
    ppk = make_user(Role.PPK, "ppk-satu")
    here = signed_in("ppk-satu")
    here.post(REAUTH_URL, {"password": PASSWORD})
    guessable = "Pengadaan-Maros-2026"
    response = here.post(
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password1": guessable, "new_password2": guessable},
    )
    assert response.status_code == 200
    assert "words of this service (maros, pengadaan)" in response.content.decode()
    assert User.objects.get(pk=ppk.pk).check_password(PASSWORD)


def test_issue21_an_offline_breached_password_list_is_checked_when_configured(tmp_path):
    breached = tmp_path / "breached.txt.gz"
    with gzip.open(breached, "wt") as f:
        f.write("zebra-kopi-tubruk-99\n")
    # The settings as a server reads them; the list validators only (the others need a database).
    check = (
        "import django; django.setup()\n"
        "from django.contrib.auth import password_validation as pv\n"
        "from django.core.exceptions import ValidationError\n"
        "lists = [v for v in pv.get_default_password_validators()\n"
        "         if isinstance(v, pv.CommonPasswordValidator)]\n"
        "try:\n"
        "    pv.validate_password('zebra-kopi-tubruk-99', password_validators=lists)\n"
        "    print('accepted')\n"
        "except ValidationError as exc:\n"
        "    print('refused:', exc.messages)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lpse.settings",
        "LPSE_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("LPSE_BREACHED_PASSWORDS_LIST", None)

    def run(**extra) -> str:
        done = subprocess.run(
            [sys.executable, "-c", check],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert run() == "accepted\n"
    assert run(LPSE_BREACHED_PASSWORDS_LIST=str(breached)).startswith("refused:")
