"""A provider's experience (*pengalaman*): every write (issue 5, R-5.6).

Each record is a completed contract with its proof document; ``selectors.basic_capability``
turns the best of them into the company's basic capability (*kemampuan dasar*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.core.money import parse_rupiah
from lpse.providers.documents import evidence_store
from lpse.providers.models import Experience
from lpse.providers.selectors import company_of, require_own

if TYPE_CHECKING:  # an annotation only: the form hands the sub-field over
    from lpse.catalog.models import BusinessSubField


@dataclass
class ExperienceData:
    contract_name: str
    client: str
    sub_field: BusinessSubField | None
    contract_value: Decimal | str
    completed_on: date | None


def experience_add(*, actor, data: ExperienceData, proof: UploadedFile | None) -> Experience:
    """The provider records a completed contract of its own company, with the proof."""
    company = company_of(actor)
    contract_name, client = data.contract_name.strip(), data.client.strip()
    if not contract_name:
        raise DomainError(_("Name the contract (the work done)."), field="contract_name")
    if not client:
        raise DomainError(_("Name the client the work was done for."), field="client")
    if data.sub_field is None:
        raise DomainError(_("Choose the business sub-field of the work."), field="sub_field")
    value = parse_rupiah(data.contract_value, field="contract_value")
    if data.completed_on is None:
        raise DomainError(_("Give the date the work was completed."), field="completed_on")
    if data.completed_on > timezone.localdate():
        raise DomainError(
            _("Only completed work counts as experience: the date cannot be in the future."),
            field="completed_on",
        )
    blob = evidence_store(proof, field="proof", uploader=actor)
    with transaction.atomic():
        experience = Experience.objects.create(
            company=company,
            contract_name=contract_name[:300],
            client=client[:200],
            sub_field=data.sub_field,
            contract_value=value,
            completed_on=data.completed_on,
            proof=blob,
            proof_name=(getattr(proof, "name", "") or "")[:200],  # proof checked by evidence_store
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="experience.add",
            obj=experience,
            data={
                "company": company.pk,
                "contract": contract_name,
                "client": client,
                "sub_field": data.sub_field.code,
                "value": str(value),
                "completed_on": data.completed_on.isoformat(),
                "proof_sha256": blob.sha256,
            },
        )
    return experience


def experience_withdraw(*, actor, experience: Experience) -> Experience:
    """Take a record out of the company's experience; it stays on file (an evaluation may
    already have relied on it)."""
    require_own(actor, experience.company_id)
    with transaction.atomic():
        if not Experience.objects.filter(pk=experience.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        ):
            raise DomainError(_("This experience was already withdrawn."))
        experience.refresh_from_db()
        audit.record(actor=actor, action="experience.withdraw", obj=experience)
    return experience
