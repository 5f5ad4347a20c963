from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lpse.catalog import selectors, services
from lpse.catalog.forms import PriceIndexForm
from lpse.catalog.models import PriceIndex
from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import submit_form


def _submit(request, index: PriceIndex | None, again):
    return submit_form(
        request,
        PriceIndexForm(request.POST),
        lambda data: services.price_index_save(actor=request.user, index=index, **data),
        success=_("Price index saved."),
        done=lambda _result: redirect("catalog:price_index"),
        again=again,
    )


@requires(Cap.MANAGE_PRICE_INDEX)
def price_index(request):
    """R-5.6: the administrator keeps the monthly price index used for *kemampuan dasar*."""

    def page(form):
        return render(
            request,
            "catalog/price_index.html",
            {"form": form, "indices": selectors.price_indices()},
        )

    if request.method != "POST":
        return page(PriceIndexForm())
    return _submit(request, None, page)


@requires(Cap.MANAGE_PRICE_INDEX)
def price_index_edit(request, pk: int):
    index = get_object_or_404(PriceIndex, pk=pk)

    def page(form):
        title = _("Correct the price index of %(month)02d-%(year)d") % {
            "month": index.month,
            "year": index.year,
        }
        return render(request, "form.html", {"form": form, "title": title})

    if request.method != "POST":
        initial = {
            "year": index.year,
            "month": index.month,
            "value": format(index.value.normalize(), "f"),
            "source": index.source,
        }
        return page(PriceIndexForm(initial=initial))
    return _submit(request, index, page)
