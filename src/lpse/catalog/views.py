from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lpse.accounts.roles import Cap
from lpse.catalog import selectors, services
from lpse.catalog.forms import PriceIndexForm
from lpse.catalog.models import PriceIndex
from lpse.core.capabilities import requires
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error


def _save(request, form: PriceIndexForm, index: PriceIndex | None) -> bool:
    if not form.is_valid():
        return False
    try:
        saved = services.price_index_save(actor=request.user, index=index, **form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    messages.success(
        request,
        _("Price index of %(month)02d-%(year)d saved.")
        % {"month": saved.month, "year": saved.year},
    )
    return True


@requires(Cap.MANAGE_PRICE_INDEX)
def price_index(request):
    """R-5.6: the administrator keeps the monthly price index used for *kemampuan dasar*."""
    form = PriceIndexForm(request.POST or None)
    if request.method == "POST" and _save(request, form, None):
        return redirect("catalog:price_index")
    return render(
        request, "catalog/price_index.html", {"form": form, "indices": selectors.price_indices()}
    )


@requires(Cap.MANAGE_PRICE_INDEX)
def price_index_edit(request, pk: int):
    index = get_object_or_404(PriceIndex, pk=pk)
    initial = {
        "year": index.year,
        "month": index.month,
        "value": format(index.value.normalize(), "f"),
        "source": index.source,
    }
    form = PriceIndexForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, index):
        return redirect("catalog:price_index")
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("Correct the price index of %(month)02d-%(year)d")
            % {"month": index.month, "year": index.year},
        },
    )
