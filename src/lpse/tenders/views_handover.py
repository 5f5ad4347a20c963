"""The agency admin's page that hands a PPK's open packages to another PPK (issue 13), reached
from the PPK's account page before the account is deactivated."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lpse.accounts.selectors import accounts_visible_to
from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import submit_form
from lpse.tenders.forms_handover import PpkHandoverForm
from lpse.tenders.selectors.open_work import open_packages_of_ppk
from lpse.tenders.services.ppk_handover import ppk_packages_handover


@requires(Cap.MANAGE_AGENCY_STAFF)
def ppk_handover(request, pk: int):
    # An agency admin sees only the accounts of their own agency: another's is a 404.
    leaving = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    form = PpkHandoverForm(request.POST or None, leaving=leaving)

    def page(form):
        return render(
            request,
            "tenders/ppk_handover.html",
            {"leaving": leaving, "form": form, "open_count": open_packages_of_ppk(leaving).count()},
        )

    if request.method != "POST":
        return page(form)
    return submit_form(
        request,
        form,
        lambda data: ppk_packages_handover(
            actor=request.user,
            leaving=leaving,
            joining=data["joining"],
            reason=data["reason"],
            package_ids=[p.pk for p in data["packages"]],
        ),
        success=_("The packages were handed over; both PPKs were e-mailed."),
        done=lambda moved: redirect("tenders:ppk_handover", leaving.pk),
        again=page,
    )
