"""The officer invites verified providers of the package's business sub-field (R-8.6, R-8.3).

A direct appointment names exactly one provider: the one its justification points at.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.nontender.access import require_officer, require_state
from lpse.nontender.models import Invitation, Method, Procurement

# providers.Company.State.VERIFIED, spelled out: another app's models are not imported here.
VERIFIED = "verified"


def _require_invitable(procurement: Procurement, company) -> None:
    if company is None:
        raise DomainError(_("Choose the provider to invite."), field="company")
    if company.state != VERIFIED:
        raise DomainError(
            _(
                "%(company)s is not a verified provider: only providers LPSE verified may be "
                "invited. They complete their verification at LPSE first."
            )
            % {"company": company.name},
            field="company",
            code="unverified",
        )
    sub_field = procurement.package.sub_field
    if not company.sub_fields.filter(pk=sub_field.pk).exists():
        raise DomainError(
            _(
                "%(company)s is not registered for the business sub-field “%(field)s” of this "
                "package: invite a provider of that field."
            )
            % {"company": company.name, "field": sub_field},
            field="company",
        )


def invitation_add(*, actor, procurement: Procurement, company) -> Invitation:
    require_officer(actor, procurement)
    with transaction.atomic():
        procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
        require_state(procurement, Procurement.State.HANDED_OVER, Procurement.State.INVITING)
        _require_invitable(procurement, company)
        if (
            procurement.method == Method.DIRECT_APPOINTMENT
            and procurement.invitations.exclude(company=company).exists()
        ):
            raise DomainError(
                _("A direct appointment invites one provider only: it already has one."),
                field="company",
            )
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    procurement=procurement,
                    company=company,
                    invited_by=actor,
                    invited_at=timezone.now(),
                )
        except IntegrityError:
            raise DomainError(
                _("%(company)s is already invited.") % {"company": company.name},
                field="company",
            ) from None
        audit.record(
            actor=actor,
            action="nontender.invite",
            obj=invitation,
            data={"procurement": procurement.code, "company": company.pk},
        )
    return invitation
