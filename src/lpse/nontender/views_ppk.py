"""The PPK hands an approved package to a procurement officer (R-8.6)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import submit_form
from lpse.nontender.forms import HandoverForm
from lpse.nontender.selectors import handover_officers
from lpse.nontender.services.handover import procurement_handover
from lpse.tenders.selectors.listings import packages_of_ppk


def _page(request, package, form, status=200):
    return render(
        request, "nontender/handover.html", {"package": package, "form": form}, status=status
    )


@requires(Cap.MANAGE_PACKAGES)
def handover(request, pk: int):
    # A PPK reaches only their own packages: another's is as missing as a wrong number.
    package = get_object_or_404(packages_of_ppk(request.user), pk=pk)
    officers = handover_officers(package)
    if request.method != "POST":
        return _page(request, package, HandoverForm(officers=officers))
    return submit_form(
        request,
        HandoverForm(request.POST, request.FILES, officers=officers),
        lambda data: procurement_handover(
            actor=request.user,
            package=package,
            officers=list(data["officers"]),
            method=data["method"],
            justification=data["justification"],
            justification_note=data["justification_note"],
            evidence=data["evidence"],
        ),
        success=_("The package is handed to the procurement officer."),
        done=lambda _r: redirect("tenders:package_detail", pk),
        again=lambda form: _page(request, package, form, status=400),
    )
