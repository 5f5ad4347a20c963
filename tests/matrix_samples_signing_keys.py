"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the pages of
a company's signing key (R-9.7). ``samples(company, make_user)`` returns values by URL name; the
key belongs to the matrix's own provider (its company is made by the tender samples), proposed
and waiting for the verifier, so the verifier's pages have an object to show and to act on."""

from __future__ import annotations

from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.providers import key_material
from lpse.providers.models import SigningKey

OBJECT_SCOPED: dict = {}

PUBLIC_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # RFC 8032 test 1's public key


def samples(company, make_user) -> dict[str, object]:
    provider = make_user(Role.PROVIDER)
    key = SigningKey.objects.create(
        company=provider.company,
        public_key=PUBLIC_KEY,
        fingerprint=key_material.fingerprint(key_material.public_key_bytes(PUBLIC_KEY)),
        proposed_by=provider,
        proposed_at=timezone.now(),
    )
    return {
        "providers:signing_key_detail": {"pk": key.pk},
        "providers:signing_key_check": {"pk": key.pk},
        "providers:signing_key_decide": {"pk": key.pk},
    }
