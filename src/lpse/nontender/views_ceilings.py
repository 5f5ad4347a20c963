"""The application admin's page of the direct-procurement ceilings (R-8.6)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import submit_form
from lpse.nontender.ceilings import ceilings as ceiling_rows
from lpse.nontender.forms import CeilingForm
from lpse.nontender.services.ceilings import ceiling_set


def _page(request, form, status=200):
    return render(
        request,
        "nontender/ceilings.html",
        {"rows": ceiling_rows(), "form": form},
        status=status,
    )


@requires(Cap.CONFIGURE_NONTENDER)
def ceilings(request):
    if request.method != "POST":
        return _page(request, CeilingForm())
    return submit_form(
        request,
        CeilingForm(request.POST),
        lambda data: ceiling_set(
            actor=request.user, category=data["category"], limit=data["limit"]
        ),
        success=_("The ceiling is saved."),
        done=lambda _r: redirect("nontender:ceilings"),
        again=lambda form: _page(request, form, status=400),
    )
