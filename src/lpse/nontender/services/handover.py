"""The PPK hands an approved package to a procurement officer, or a team of them (R-8.6, R-8.1).

A team is for a procurement two or more officials must open: the backing tender's key is then
split among them, a majority needed (``services.offers.openers_of_backing``); one officer opens
alone (1 of 1). Any officer of the team may run the other steps.

Direct procurement (pengadaan langsung) is for packages whose owner estimate (HPS) is within the
ceiling of their goods category (``ceilings``); the award checks the agreed price against it
again. Direct appointment (penunjukan langsung) has no value ceiling in the regulation, but only
one of the cases it lists allows it (``Justification``), with the evidence attached.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.storage import store_upload
from lpse.core.tasks import send_mail_on_commit
from lpse.nontender.ceilings import ceiling_for
from lpse.nontender.models import Justification, Method, Procurement
from lpse.tenders.selectors.access import require_package_owner
from lpse.tenders.services.approval import require_approved_for_handover

EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def rupiah(value) -> str:
    return "Rp " + f"{value:,.0f}".replace(",", ".")


def _require_free(package) -> None:
    if package.committee_id is not None or package.tenders.exclude(state="cancelled").exists():
        raise DomainError(
            _(
                "This package was handed to a committee for a tender: it stays there. A package "
                "goes either to a committee or to a procurement officer."
            ),
            code="taken",
        )
    if Procurement.objects.filter(package=package).exists():
        raise DomainError(
            _("This package was already handed to a procurement officer."), code="taken"
        )


def _require_officers_of(package, officers: list) -> None:
    if not officers:
        raise DomainError(_("Choose the procurement officer."), field="officers")
    for officer in officers:
        if (
            not officer.is_active
            or officer.agency_id != package.agency_id
            or not officer.has_role(Role.PROCUREMENT_OFFICER)
        ):
            raise DomainError(
                _(
                    "%(user)s is not an active procurement officer (Pejabat Pengadaan) of the "
                    "package's agency: choose one of them."
                )
                % {"user": officer.username},
                field="officers",
            )


def require_within_ceiling(package, value, *, what: str) -> None:
    """Direct procurement only up to the ceiling of the package's goods category (R-8.6)."""
    limit = ceiling_for(package.category)
    if value > limit:
        raise DomainError(
            _(
                "The %(what)s (%(value)s) is above the ceiling of direct procurement for "
                "%(category)s (%(limit)s): this package needs a tender, or a direct appointment "
                "if one of its cases applies."
            )
            % {
                "what": what,
                "value": rupiah(value),
                "category": package.get_category_display(),
                "limit": rupiah(limit),
            },
            code="above_ceiling",
        )


def _justified(justification: str, note: str, evidence: UploadedFile | None) -> None:
    if justification not in Justification.values:
        raise DomainError(
            _(
                "A direct appointment is allowed only in the cases the regulation lists "
                "(Perpres 16/2018 Pasal 38 ayat 5, or an emergency under Pasal 59): choose the "
                "one that applies."
            ),
            field="justification",
        )
    if not note.strip():
        raise DomainError(
            _("Explain how the chosen case applies to this package."), field="justification_note"
        )
    if evidence is None:
        raise DomainError(
            _(
                "Attach the evidence of the case (the emergency declaration, the sole provider's "
                "statement, the failed tenders' reports, …)."
            ),
            field="evidence",
        )


def procurement_handover(
    *,
    actor,
    package,
    officers,
    method: str,
    justification: str = "",
    justification_note: str = "",
    evidence: UploadedFile | None = None,
) -> Procurement:
    """The PPK hands ``package`` to ``officers`` (one, or a team) for a direct procurement or
    appointment."""
    require_package_owner(actor, package)
    require_approved_for_handover(package)
    if method not in Method.values:
        raise DomainError(_("Choose the procurement method."), field="method")
    # Each officer once, in a stable order (the audit event's list, the key's share numbers).
    officers = sorted({o.pk: o for o in officers}.values(), key=attrgetter("username"))
    _require_officers_of(package, officers)
    if method == Method.DIRECT_PROCUREMENT:
        require_within_ceiling(package, package.owner_estimate, what=_("owner estimate (HPS)"))
        justification, justification_note = "", ""
    else:
        _justified(justification, justification_note, evidence)
    with transaction.atomic():
        _require_free(type(package).objects.select_for_update().get(pk=package.pk))
        blob = (
            store_upload(evidence, max_size=EVIDENCE_MAX_BYTES, uploader=actor)
            if method == Method.DIRECT_APPOINTMENT and evidence is not None
            else None
        )
        try:
            with transaction.atomic():
                procurement = Procurement.objects.create(
                    package=package,
                    code=f"NT{package.fiscal_year}{package.pk:06d}",
                    method=method,
                    justification=justification,
                    justification_note=justification_note.strip(),
                    evidence=blob,
                    evidence_filename=(evidence.name or "")[:200] if evidence and blob else "",
                    handed_over_by=actor,
                    handed_over_at=timezone.now(),
                )
        except IntegrityError:  # a parallel hand-over of the same package won
            raise DomainError(
                _("This package was already handed to a procurement officer."), code="taken"
            ) from None
        procurement.officers.set(officers)
        audit.record(
            actor=actor,
            action="nontender.handover",
            obj=procurement,
            data={
                "package": package.pk,
                "method": method,
                "officers": [officer.username for officer in officers],
                "owner_estimate": str(package.owner_estimate),
                "justification": justification,
                "evidence_sha256": blob.sha256 if blob is not None else "",
            },
        )
        emails = [officer.email for officer in officers if officer.email]
        if emails:
            send_mail_on_commit(
                to=emails,
                subject=_("Package handed to you: %(name)s") % {"name": package.name},
                body=_("The PPK %(ppk)s handed you the package “%(name)s” (%(method)s).")
                % {
                    "ppk": actor.username,
                    "name": package.name,
                    "method": procurement.get_method_display(),
                }
                + "\n\n"
                + site_url("nontender:detail", procurement.pk)
                + "\n",
            )
    return procurement
