"""Every public form and every public proof or verification endpoint is limited per client
address (R-4.4, ASVS V2.4.1, issue 21), by the one limiter of ``lpse.core.public_limits``: the
N+1st request of a minute from one address gets 429 with Retry-After, on the form's own page
with what was typed kept and nothing done, while another address is served."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lpse.accounts.models import PasswordLink
from lpse.accounts.roles import Role
from lpse.accounts.services import password_link_send
from lpse.providers.services import email_change as email_change_services
from lpse.providers.services import registration as provider_services
from lpse.servicedesk.models import Category, Ticket
from tests import matrix_samples_training
from tests.conftest import in_english
from tests.test_email_change import NEW, statement, token_from

LIMIT = 2


def an_address() -> str:
    """A fresh address per test: the counts live in the shared cache, which outlives a test."""
    return "10.{}.{}.{}".format(*secrets.token_bytes(3))


@dataclass
class Case:
    method: str
    url: Callable  # (pytest request) -> the URL
    data: dict
    kept: str = ""  # a typed value the refused page shows again


def _training_link(request) -> str:
    make_user = request.getfixturevalue("make_user")
    token = matrix_samples_training.samples(None, make_user)["token"]
    return reverse("training:self_register", args=[token])


def _password_link(request) -> str:
    user = request.getfixturevalue("make_user")(Role.TRAINER)
    token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
    return reverse("accounts:set_password", args=[token])


FORMS = {
    "register": Case(
        "post",
        lambda r: reverse("providers:register"),
        {"email": "calon@penyedia.test"},
        "calon@penyedia",
    ),
    "register_form": Case(
        "post",
        lambda r: reverse(
            "providers:register_form",
            args=[provider_services.registration_start(email="calon@penyedia.test")],
        ),
        {"name": "CV Sinar Maros", "npwp": "bukan-npwp"},
        "CV Sinar Maros",
    ),
    "password_forgot": Case(
        "post",
        lambda r: reverse("accounts:password_forgot"),
        {"email": "lupa@penyedia.test"},
        "lupa@penyedia",
    ),
    "set_password": Case("post", _password_link, {"password1": "a", "password2": "b"}),
    "helpdesk": Case(
        "post",
        lambda r: reverse("servicedesk:ask"),
        {
            "category": Category.values[0],
            "subject": "Cara mendaftar",
            "question": "Bagaimana?",
            "name": "Budi",
            "email": "budi@warga.test",
        },
        "Cara mendaftar",
    ),
    "training": Case(
        "post", _training_link, {"name": "Peserta Baru", "email": "x"}, "Peserta Baru"
    ),
    "document_verify": Case("post", lambda r: reverse("portal:document_verify"), {}),
}
PROOFS = {
    "consistency": "/transparansi/bukti-konsistensi?first=1&second=2",
    "inclusion": "/transparansi/bukti-inklusi?seq=1&size=2",
    "signature": "/verifikasi-dokumen/" + "0" * 64 + ".sig",
}


def _send(client: Client, case: Case, url: str):
    data = dict(case.data)
    if url == reverse("portal:document_verify"):
        data["document"] = SimpleUploadedFile("surat.pdf", b"%PDF-1.4 not ours", "application/pdf")
    return client.post(url, data)


@pytest.mark.parametrize("name", FORMS)
def test_R_4_4_a_public_form_refuses_the_n_plus_first_post_of_an_address(
    name, request, settings, reference_data
):
    """R-4.4: past LPSE_PUBLIC_FORM_RATE_PER_MINUTE posts the form is shown again as a 429, with
    Retry-After, the typed values and a message; nothing is done; another address is served."""
    settings.LPSE_PUBLIC_FORM_RATE_PER_MINUTE = LIMIT
    settings.LPSE_PUBLIC_PROOF_RATE_PER_MINUTE = LIMIT
    case = FORMS[name]
    url = case.url(request)
    mine, other = (
        in_english(Client(REMOTE_ADDR=an_address())),
        in_english(Client(REMOTE_ADDR=an_address())),
    )
    assert mine.get(url).status_code == 200  # opening the form does not count
    served = [_send(mine, case, url).status_code for _ in range(LIMIT)]
    assert 429 not in served
    tickets = Ticket.objects.count()
    refused = _send(mine, case, url)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Too many forms sent from your address" in page
    assert "<form" in page and case.kept in page
    assert Ticket.objects.count() == tickets  # nothing done
    assert _send(other, case, url).status_code != 429


@pytest.mark.parametrize("name", PROOFS)
def test_R_4_4_a_proof_or_signature_endpoint_refuses_the_n_plus_first_call(name, settings, db):
    """R-4.4, R-9.8: proofs and .sig look-ups are limited per address, with a JSON reason."""
    settings.LPSE_PUBLIC_PROOF_RATE_PER_MINUTE = LIMIT
    mine, other = Client(REMOTE_ADDR=an_address()), Client(REMOTE_ADDR=an_address())
    assert 429 not in [mine.get(PROOFS[name]).status_code for _ in range(LIMIT)]
    refused = mine.get(PROOFS[name])
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    # In the visitor's language: Indonesian by default, the API's translated message.
    assert "Terlalu banyak permintaan dari alamat Anda" in refused.json()["error"]
    assert other.get(PROOFS[name]).status_code != 429


def test_R_4_4_the_forms_and_the_proofs_have_budgets_of_their_own(settings, db):
    """R-4.4: a monitor fetching proofs does not lock its office out of the public forms."""
    settings.LPSE_PUBLIC_FORM_RATE_PER_MINUTE = LIMIT
    settings.LPSE_PUBLIC_PROOF_RATE_PER_MINUTE = LIMIT
    client = in_english(Client(REMOTE_ADDR=an_address()))
    for _ in range(LIMIT + 1):
        client.get(PROOFS["inclusion"])
    assert client.get(PROOFS["inclusion"]).status_code == 429
    assert (
        client.post(reverse("accounts:password_forgot"), {"email": "a@b.test"}).status_code == 302
    )


def test_R_3_2_the_email_change_confirmation_button_is_limited_too(
    settings, verified_provider, smtp_server, django_capture_on_commit_callbacks
):
    """R-3.2, R-4.4: the confirmation link's button is a public POST: past the limit a page of
    its own says when to try again, and the change is not confirmed."""
    with django_capture_on_commit_callbacks(execute=True):
        change = email_change_services.email_change_submit(
            actor=verified_provider, new_email=NEW, statement=statement()
        )
    url = reverse("providers:email_change_confirm", args=[token_from(smtp_server)])
    settings.LPSE_PUBLIC_FORM_RATE_PER_MINUTE = 1
    client = in_english(Client(REMOTE_ADDR=an_address()))
    client.post(
        reverse("providers:register"), {"email": "calon@penyedia.test"}
    )  # the minute's one form
    refused = client.post(url)
    assert refused.status_code == 429 and "Retry-After" in refused
    assert "Too many forms sent from your address" in refused.content.decode()
    change.refresh_from_db()
    assert change.confirmed_at is None
    assert in_english(Client(REMOTE_ADDR=an_address())).post(url).status_code == 200
    change.refresh_from_db()
    assert change.confirmed_at is not None
