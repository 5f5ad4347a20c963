"""The local catalogue (R-5.6): a public, searchable list; the administrator imports items,
enters or changes one at a time, retires and reinstates them."""

from __future__ import annotations

from html import escape  # the standard one: Django's wraps each call for lazy strings

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.catalog import catalogue, imports, selectors
from lpse.catalog.forms import CatalogueItemForm, ImportForm
from lpse.catalog.models import CatalogueItem
from lpse.catalog.views_master import run_import
from lpse.core.capabilities import Cap, public, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import submit_form


def _cells(items) -> list[str]:
    """Each item's cells, escaped and formatted here in one pass: fifty rows of ten template
    variables and filters were half the public list's time (bench/README.md)."""
    days: dict = {}

    def day(value) -> str:
        if value not in days:
            days[value] = value.strftime("%d-%m-%Y")
        return days[value]

    return [
        mark_safe(  # noqa: S308 — every value below is escaped
            f'<td class="mono">{escape(item.code)}</td><td><strong>{escape(item.name)}</strong>'
            + (f"<br><small>{escape(item.specification)}</small>" if item.specification else "")
            + f'</td><td>{escape(item.unit)}</td><td class="mono">'
            f"{number_format(item.reference_price, 2, force_grouping=True)}</td>"
            f"<td>{escape(item.provider_name)}</td>"
            f"<td>{day(item.valid_from)} – {day(item.valid_until)}</td>"
        )
        for item in items
    ]


@public
def catalogue_public(request):
    query = request.GET.get("q", "").strip()[:100]
    page = selectors.catalogue_page(
        query=query, today=timezone.localdate(), number=request.GET.get("page")
    )
    body = mark_safe("".join(f"<tr>{cells}</tr>\n" for cells in _cells(page)))  # noqa: S308
    context = {"page": page, "body": body, "query": query}
    return render(request, "catalog/catalogue.html", context)


def _admin_page(request, *, import_form=None, report=None, status=200):
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        selectors.catalogue_for_admin(query=query), selectors.CATALOGUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": list(zip(page, _cells(page), strict=True)),
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


def _item_form_page(request, form, item: CatalogueItem | None):
    title = _("New catalogue item") if item is None else _("Change %(item)s") % {"item": item}
    intro = _("Checked like a row of the CSV import. A changed item keeps its code.")
    return render(request, "form.html", {"form": form, "title": title, "intro": intro})


def _item_form(request, item: CatalogueItem | None):
    """The single-item form, to enter one (``item`` None) or change one."""
    fixed = item is not None
    if request.method != "POST":
        initial = {}
        if item is not None:
            initial = {
                "code": item.code,
                "name": item.name,
                "specification": item.specification,
                "unit": item.unit,
                "reference_price": str(item.reference_price).replace(".", ","),
                "provider": item.provider_name,
                "valid_from": item.valid_from.isoformat(),
                "valid_until": item.valid_until.isoformat(),
            }
        return _item_form_page(request, CatalogueItemForm(initial=initial, code_fixed=fixed), item)
    return submit_form(
        request,
        CatalogueItemForm(request.POST, code_fixed=fixed),
        lambda data: catalogue.item_save(
            actor=request.user, pk=item.pk if item else None, row=data
        ),
        success=_("Saved."),
        done=lambda _item: redirect("catalog:catalogue_admin"),
        again=lambda bad: _item_form_page(request, bad, item),
    )


@requires(Cap.MANAGE_MASTER_DATA)
def catalogue_item_new(request):
    return _item_form(request, None)


@requires(Cap.MANAGE_MASTER_DATA)
def catalogue_item_edit(request, pk: int):
    return _item_form(request, get_object_or_404(CatalogueItem, pk=pk))


@require_POST
@requires(Cap.MANAGE_MASTER_DATA)
def catalogue_retire(request, pk: int):
    retire = request.POST.get("action") != "reinstate"
    try:
        item = catalogue.item_retire(actor=request.user, pk=pk, retire=retire)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = _("%(item)s retired.") if retire else _("%(item)s is listed again.")
        messages.success(request, done % {"item": item})
    return redirect("catalog:catalogue_admin")
