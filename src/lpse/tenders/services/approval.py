"""The budget user's (PA/KPA) approval of a PPK's package (R-8.1).

A package leaves the PPK's hands — to a committee for a tender, or to a procurement officer for a
non-tender procurement (R-8.6) — only once the agency's budget user approved it. Both hand-overs
call the one gate, ``require_approved_for_handover``, so the rule lives in one place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_role
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import send_mail_on_commit
from lpse.tenders.models import Package
from lpse.tenders.selectors.access import require_package_owner


def require_approved_for_handover(package: Package) -> None:
    """The gate of every hand-over of a package (R-8.1): a DomainError saying what is missing
    unless the budget user approved it."""
    if package.approval == Package.Approval.APPROVED:
        return
    if package.approval == Package.Approval.REFUSED:
        raise DomainError(
            _(
                "The budget user (PA/KPA) refused this package (“%(note)s”): change what they "
                "asked and ask for approval again before handing it over."
            )
            % {"note": package.approval_note},
            code="not_approved",
        )
    raise DomainError(
        _(
            "This package waits for the approval of your agency's budget user (PA/KPA): it can "
            "be handed over once they approve it."
        ),
        code="not_approved",
    )


def notify_budget_users(package: Package) -> None:
    """Tell the agency's budget users that a new package waits for them (called inside the
    package's creation, so the mail goes only if it is saved)."""
    addresses = [
        u.email
        for u in users_with_role(Role.BUDGET_USER, agency=package.agency)
        if u.email and u.pk != package.ppk_id
    ]
    if addresses:
        send_mail_on_commit(
            to=addresses,
            subject=f"{settings.LPSE_SITE_NAME}: " + _("a package waits for your approval"),
            body=_("The PPK %(ppk)s asks your approval of the package “%(name)s”.")
            % {"ppk": package.ppk.username, "name": package.name}
            + f"\n\n{site_url('tenders:approval_queue')}\n",
        )


def _require_budget_user_of(actor, package: Package) -> None:
    require_capability(actor, Cap.APPROVE_PACKAGES)
    if actor.agency_id != package.agency_id:
        raise DomainError(
            _("Only a budget user (PA/KPA) of the package's own agency may decide on it."),
            code="forbidden",
        )
    # Separation of duties: the one who made the package does not approve it.
    if package.ppk_id == actor.pk:
        raise DomainError(
            _("You own this package as its PPK: another budget user (PA/KPA) must decide on it."),
            code="forbidden",
        )


def _tell_ppk(package: Package, subject: str, body: str) -> None:
    send_mail_on_commit(
        to=[package.ppk.email],
        subject=f"{settings.LPSE_SITE_NAME}: {subject}",
        body=f"{body}\n\n{site_url('tenders:package_detail', package.pk)}\n",
    )


def _decide(*, actor, package: Package, state: str, note: str, action: str) -> Package:
    _require_budget_user_of(actor, package)
    with transaction.atomic():
        # Compare-and-set: two budget users deciding at once cannot both win.
        decided = Package.objects.filter(pk=package.pk, approval=Package.Approval.AWAITING).update(
            approval=state,
            approval_decided_by=actor,
            approval_decided_at=timezone.now(),
            approval_note=note,
        )
        if not decided:
            package.refresh_from_db()
            raise DomainError(
                _("This package is not waiting for approval: it is already “%(state)s”.")
                % {"state": package.get_approval_display()}
            )
        package.refresh_from_db()
        audit.record(actor=actor, action=action, obj=package, data={"note": note})
    return package


def package_approve(*, actor, package: Package, note: str = "") -> Package:
    """The budget user approves the package; the PPK may now hand it over (R-8.1)."""
    package = _decide(
        actor=actor,
        package=package,
        state=Package.Approval.APPROVED,
        note=note.strip(),
        action="package.approve",
    )
    _tell_ppk(
        package,
        _("package approved"),
        _(
            "The budget user (PA/KPA) %(user)s approved the package “%(name)s”. You can now hand "
            "it to a committee."
        )
        % {"user": actor.get_full_name() or actor.username, "name": package.name},
    )
    return package


def package_refuse(*, actor, package: Package, reason: str) -> Package:
    """The budget user refuses the package with a reason the PPK reads (R-8.1)."""
    reason = reason.strip()
    if not reason:
        _require_budget_user_of(actor, package)
        raise DomainError(
            _("Say why you refuse the package, so the PPK knows what to change."), field="reason"
        )
    package = _decide(
        actor=actor,
        package=package,
        state=Package.Approval.REFUSED,
        note=reason,
        action="package.refuse",
    )
    _tell_ppk(
        package,
        _("package refused"),
        _("The budget user (PA/KPA) %(user)s refused the package “%(name)s”: %(reason)s")
        % {
            "user": actor.get_full_name() or actor.username,
            "name": package.name,
            "reason": reason,
        },
    )
    return package


def package_approval_request_again(*, actor, package: Package, note: str) -> Package:
    """After a refusal the PPK answers it and asks again; the package waits once more."""
    require_package_owner(actor, package)
    note = note.strip()
    if not note:
        raise DomainError(
            _("Say what you changed after the refusal, for the budget user to read."),
            field="note",
        )
    with transaction.atomic():
        if not Package.objects.filter(pk=package.pk, approval=Package.Approval.REFUSED).update(
            approval=Package.Approval.AWAITING,
            approval_decided_by=None,
            approval_decided_at=None,
            approval_note=note,
        ):
            raise DomainError(_("Only a refused package is put to the budget user again."))
        package.refresh_from_db()
        audit.record(
            actor=actor, action="package.approval_request", obj=package, data={"note": note}
        )
    return package
