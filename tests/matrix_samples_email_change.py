"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the pages of
the company e-mail change (R-3.2), of a provider's experience and of the price index (issue 5).
``samples(company, make_user)`` returns values by parameter name (``"code"``) or, for names that
differ per URL, by URL name (``{"app:view": {"pk": 1}}``); ``OBJECT_SCOPED`` lists pages that
check the object's owner after the capability.

The e-mail change request and the experience belong to the matrix's own provider (its company
is made by the tender samples), so the provider pages, which answer only for the provider's own
company, are reached by the role that holds the capability."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.catalog.models import BusinessSubField, PriceIndex
from lpse.core.hashing import token_digest
from lpse.core.storage import store_bytes
from lpse.providers.models import EmailChangeRequest, Experience

OBJECT_SCOPED: dict = {}

CONFIRM_TOKEN = "matrix-email-change-confirmation-token"


def samples(company, make_user) -> dict[str, object]:
    now = timezone.now()
    provider = make_user(Role.PROVIDER)
    own = provider.company
    blob = store_bytes(b"%PDF-1.4 surat pernyataan perubahan e-mail")
    change = EmailChangeRequest.objects.create(
        company=own,
        old_email=own.email,
        new_email="baru@matriks.test",
        statement=blob,
        statement_name="surat-pernyataan.pdf",
        submitted_by=provider,
        submitted_at=now,
        confirm_digest=token_digest(CONFIRM_TOKEN),
        confirm_expires_at=now + timedelta(hours=48),
        confirmed_at=now,
    )
    experience = Experience.objects.create(
        company=own,
        contract_name="Rehabilitasi Puskesmas Sampel",
        client="Dinas Kesehatan",
        sub_field=BusinessSubField.objects.get(code="K01"),
        contract_value=Decimal("750000000"),
        completed_on=date(2022, 11, 30),
        proof=blob,
        proof_name="bast.pdf",
        recorded_by=provider,
        recorded_at=now,
    )
    index = PriceIndex.objects.create(
        year=2022, month=11, value=Decimal("113.50"), source="sample", updated_at=now
    )
    return {
        "providers:email_change_withdraw": {"pk": change.pk},
        "providers:email_change_resend": {"pk": change.pk},
        "providers:email_change_confirm": {"token": CONFIRM_TOKEN},
        "providers:email_change_detail": {"pk": change.pk},
        "providers:email_change_check": {"pk": change.pk},
        "providers:email_change_decide": {"pk": change.pk},
        "providers:email_change_statement": {"pk": change.pk},
        "providers:experience_withdraw": {"pk": experience.pk},
        "providers:experience_proof": {"pk": experience.pk},
        "catalog:price_index_edit": {"pk": index.pk},
    }
