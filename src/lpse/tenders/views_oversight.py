"""The budget user's approval of packages (R-8.1), the PPK's request again after a refusal, the
agency admin's replacement of a committee member, and the read-only tender statistics (R-5.5)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.tenders.forms import ApprovalAgainForm, ApprovalDecisionForm, MemberReplaceForm
from lpse.tenders.models import Committee
from lpse.tenders.selectors import listings
from lpse.tenders.selectors import oversight as selectors
from lpse.tenders.services import approval
from lpse.tenders.services.committees import committee_member_replace


@requires(Cap.APPROVE_PACKAGES)
def approval_queue(request):
    return render(
        request,
        "tenders/approval_queue.html",
        {
            "packages": selectors.packages_for_approval(request.user),
            "form": ApprovalDecisionForm(),
        },
    )


@requires(Cap.APPROVE_PACKAGES)
@require_POST
def approval_decide(request, pk: int):
    package = get_object_or_404(selectors.packages_for_approval(request.user), pk=pk)
    form = ApprovalDecisionForm(request.POST)
    decision = form.cleaned_data if form.is_valid() else {"decision": "", "note": ""}

    def act():
        if decision["decision"] == "approve":
            return approval.package_approve(
                actor=request.user, package=package, note=decision["note"]
            )
        # Anything but an approval is a refusal, which the service refuses without a reason.
        return approval.package_refuse(actor=request.user, package=package, reason=decision["note"])

    success = (
        _("Package approved; the PPK was told.")
        if decision["decision"] == "approve"
        else _("Package refused; the PPK was told why.")
    )
    return act_and_redirect(request, act, success, "tenders:approval_queue")


@requires(Cap.MANAGE_PACKAGES)
@require_POST
def approval_request_again(request, pk: int):
    package = get_object_or_404(listings.packages_of_ppk(request.user), pk=pk)
    form = ApprovalAgainForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return act_and_redirect(
        request,
        lambda: approval.package_approval_request_again(
            actor=request.user, package=package, note=note
        ),
        _("The package is put to the budget user (PA/KPA) again."),
        "tenders:package_detail",
        package.pk,
    )


@requires(Cap.MANAGE_COMMITTEES)
def committee_members(request, pk: int):
    """Replace a member of one of the agency's committees (offboarding)."""
    committee = get_object_or_404(Committee, pk=pk, agency_id=request.user.agency_id)
    form = MemberReplaceForm(request.POST or None, committee=committee)
    if request.method == "POST":
        data = form.cleaned_data if form.is_valid() else None

        def act():
            if data is None:
                raise DomainError(_("Choose who leaves, who joins, and give the reason."))
            committee_member_replace(
                actor=request.user,
                committee=committee,
                leaving=data["leaving"],
                joining=data["joining"],
                reason=data["reason"],
            )

        return act_and_redirect(
            request, act, _("The member was replaced."), "tenders:committee_members", pk
        )
    return render(request, "tenders/committee_members.html", {"committee": committee, "form": form})


@requires(Cap.VIEW_TENDER_STATISTICS)
def statistics(request):
    return render(request, "tenders/statistics.html", {"rows": selectors.tender_statistics()})
