"""The local catalogue (R-5.6): a public, searchable list; the administrator imports and
retires items."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.catalog import catalogue, imports, selectors
from lpse.catalog.forms import ImportForm
from lpse.catalog.views_master import run_import
from lpse.core.capabilities import Cap, public, requires
from lpse.core.errors import DomainError


@public
def catalogue_public(request):
    query = request.GET.get("q", "").strip()[:100]
    page = selectors.catalogue_page(
        query=query, today=timezone.localdate(), number=request.GET.get("page")
    )
    return render(request, "catalog/catalogue.html", {"page": page, "query": query})


def _admin_page(request, *, import_form=None, report=None, status=200):
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        selectors.catalogue_for_admin(query=query), selectors.CATALOGUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "import_form": import_form or ImportForm(),
        "report": report,
        "columns": ",".join(imports.COLUMNS["catalogue"]),
    }
    return render(request, "catalog/catalogue_admin.html", context, status=status)


@requires(Cap.MANAGE_MASTER_DATA)
def catalogue_admin(request):
    if request.method != "POST":
        return _admin_page(request)
    form, report = run_import(request, "catalogue")
    if report is not None and report.stored:
        return redirect("catalog:catalogue_admin")
    status = 200 if report is not None and report.ok else 400
    return _admin_page(request, import_form=form, report=report, status=status)


@require_POST
@requires(Cap.MANAGE_MASTER_DATA)
def catalogue_retire(request, pk: int):
    try:
        item = catalogue.item_retire(actor=request.user, pk=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(item)s retired.") % {"item": item})
    return redirect("catalog:catalogue_admin")
