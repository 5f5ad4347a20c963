"""The application administrator's master-data pages (R-5.6): business fields, sub-fields,
goods categories — list, create, rename, retire/reinstate, CSV import with a dry run."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lpse.catalog import imports, master_data, selectors
from lpse.catalog.forms import ImportForm, MasterDataForm, RenameForm, SubFieldForm
from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import submit_form

TITLES = {
    "fields": gettext_lazy("Business fields"),
    "sub_fields": gettext_lazy("Business sub-fields"),
    "categories": gettext_lazy("Goods categories"),
}
URL_NAMES = {
    "fields": "catalog:fields",
    "sub_fields": "catalog:sub_fields",
    "categories": "catalog:categories",
}


def _page(request, kind, *, form=None, import_form=None, report=None, status=200):
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "kind": kind,
        "title": TITLES[kind],
        "list_url": URL_NAMES[kind],
        "rows": selectors.master_data_rows(kind, query=query)[:500],
        "query": query,
        "form": form or (SubFieldForm() if kind == "sub_fields" else MasterDataForm()),
        "import_form": import_form or ImportForm(),
        "report": report,
        "columns": ",".join(imports.COLUMNS[kind]),
    }
    return render(request, "catalog/master_data.html", context, status=status)


@requires(Cap.MANAGE_MASTER_DATA)
def master_list(request, kind: str):
    if request.method != "POST":
        return _page(request, kind)
    form = SubFieldForm(request.POST) if kind == "sub_fields" else MasterDataForm(request.POST)
    return submit_form(
        request,
        form,
        lambda data: master_data.master_data_create(
            actor=request.user,
            kind=kind,
            code=data["code"],
            name=data["name"],
            field_code=data.get("field", ""),
        ),
        success=_("Saved."),
        done=lambda _row: redirect(URL_NAMES[kind]),
        again=lambda bad: _page(request, kind, form=bad),
    )


@requires(Cap.MANAGE_MASTER_DATA)
def master_rename(request, kind: str, pk: int):
    row = selectors.master_data_rows(kind).filter(pk=pk).first()
    if row is None:
        return redirect(URL_NAMES[kind])

    def page(form):
        title = _("Rename %(entry)s") % {"entry": row}
        intro = _("The code stays: packages and companies that name it keep pointing at it.")
        return render(request, "form.html", {"form": form, "title": title, "intro": intro})

    if request.method != "POST":
        return page(RenameForm(initial={"name": row.name}))
    return submit_form(
        request,
        RenameForm(request.POST),
        lambda data: master_data.master_data_rename(
            actor=request.user, kind=kind, pk=pk, name=data["name"]
        ),
        success=_("Renamed."),
        done=lambda _row: redirect(URL_NAMES[kind]),
        again=page,
    )


@require_POST
@requires(Cap.MANAGE_MASTER_DATA)
def master_retire(request, kind: str, pk: int):
    retire = request.POST.get("action") != "reinstate"
    try:
        row = master_data.master_data_retire(actor=request.user, kind=kind, pk=pk, retire=retire)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (
                _("%(entry)s retired: it stays on what names it, and is no longer offered.")
                if retire
                else _("%(entry)s is offered again.")
            )
            % {"entry": row},
        )
    return redirect(URL_NAMES[kind])


def run_import(request, kind: str):
    """Shared by the master-data and catalogue pages: returns (form, report)."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None
    upload = form.cleaned_data["file"]
    if upload.size > imports.MAX_BYTES:
        form.add_error("file", _("The file is larger than 5 MB: split it."))
        return form, None
    report = imports.csv_import(
        actor=request.user,
        kind=kind,
        data=upload.read(),
        dry_run=form.cleaned_data["dry_run"],
    )
    if report.stored:
        messages.success(
            request,
            _("Imported %(rows)d rows (%(same)d were already there).")
            % {"rows": len(report.rows), "same": report.unchanged},
        )
    return form, report


@require_POST
@requires(Cap.MANAGE_MASTER_DATA)
def master_import(request, kind: str):
    form, report = run_import(request, kind)
    if report is not None and report.stored:
        return redirect(URL_NAMES[kind])
    status = 200 if report is not None and report.ok else 400
    return _page(request, kind, import_form=form, report=report, status=status)
