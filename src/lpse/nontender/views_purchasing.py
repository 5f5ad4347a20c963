"""E-purchasing pages (R-8.6): the PPK's orders and receipts, the provider's confirmation and
delivery (the provider's list is on ``views_provider``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.nontender.forms import OrderForm
from lpse.nontender.models import CatalogueOrder
from lpse.nontender.selectors import orders_of_company, orders_of_ppk
from lpse.nontender.services import purchasing
from lpse.providers.selectors import company_of


def _page(request, form, status=200):
    return render(
        request,
        "nontender/orders.html",
        {"form": form, "orders": orders_of_ppk(request.user)},
        status=status,
    )


@requires(Cap.MANAGE_PACKAGES)
def orders(request):
    if request.method != "POST":
        return _page(request, OrderForm())
    return submit_form(
        request,
        OrderForm(request.POST),
        lambda data: purchasing.order_create(
            actor=request.user,
            company=data["company"],
            lines=[
                purchasing.LineData(
                    item_id=data["item"].pk,
                    quantity=data["quantity"],
                    unit_price=data["unit_price"],
                )
            ],
            delivery_address=data["delivery_address"],
        ),
        success=_("The order is sent to the provider."),
        done=lambda _r: redirect("nontender:orders"),
        again=lambda form: _page(request, form, status=400),
    )


def _ppk_order(request, pk: int) -> CatalogueOrder:
    """One of the PPK's own orders; another PPK's is not found (issue 21). The service checks
    again who may act on it."""
    return get_object_or_404(orders_of_ppk(request.user), pk=pk)


def _order(request, pk: int) -> CatalogueOrder:
    """One of the provider's own company's orders; another company's is not found."""
    try:
        company = company_of(request.user)
    except DomainError:
        raise PermissionDenied from None
    return get_object_or_404(orders_of_company(company), pk=pk)


@requires(Cap.MANAGE_PACKAGES)
@require_POST
def order_receive(request, pk: int):
    order = _ppk_order(request, pk)
    return act_and_redirect(
        request,
        lambda: purchasing.receipt_record(
            actor=request.user, order=order, note=request.POST.get("note", "")
        ),
        _("The receipt is recorded."),
        "nontender:orders",
    )


@requires(Cap.PARTICIPATE)
@require_POST
def order_confirm(request, pk: int):
    order = _order(request, pk)
    return act_and_redirect(
        request,
        lambda: purchasing.order_confirm(actor=request.user, order=order),
        _("The order is confirmed."),
        "nontender:my_invitations",
    )


@requires(Cap.PARTICIPATE)
@require_POST
def order_decline(request, pk: int):
    order = _order(request, pk)
    return act_and_redirect(
        request,
        lambda: purchasing.order_decline(
            actor=request.user, order=order, reason=request.POST.get("reason", "")
        ),
        _("The order is declined."),
        "nontender:my_invitations",
    )


@requires(Cap.PARTICIPATE)
@require_POST
def order_deliver(request, pk: int):
    order = _order(request, pk)
    return act_and_redirect(
        request,
        lambda: purchasing.delivery_record(
            actor=request.user, order=order, note=request.POST.get("note", "")
        ),
        _("The delivery is recorded."),
        "nontender:my_invitations",
    )
