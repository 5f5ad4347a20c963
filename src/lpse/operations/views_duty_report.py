"""The monthly report of the annex V duties (R-5.6), like the Mutu Baku report
(servicedesk/views_report.py): a table per duty and per role, an SVG chart and CSV."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lpse.accounts.roles import Role
from lpse.core.calendar import month_asked
from lpse.core.capabilities import Cap, requires
from lpse.operations.services import duty_report


def _month(request) -> tuple[date, str]:
    return month_asked(request.GET.get("bulan", ""))


def _report(month: date) -> duty_report.Report:
    report = duty_report.monthly(month, role_labels={r.value: str(r.label) for r in Role})
    for row in report.duties:  # catalogue titles are English msgids
        row.label = _(row.label)
    return report


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def report(request):
    month, problem = _month(request)
    figures = _report(month)
    return render(
        request,
        "operations/duty_report.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "problem": problem,
            "report": figures,
            "duty_chart": duty_report.chart(figures.duties, {}),
            "role_chart": duty_report.chart(figures.roles, {}),
        },
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def report_csv(request):
    month, _problem = _month(request)
    figures = _report(month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tugas-berkala-{month:%Y-%m}.csv"'
    writer = csv.writer(response)
    header = [
        _("Done on time"),
        _("Done late"),
        _("Missed"),
        _("Not decided yet"),
        _("Share on time (%)"),
        _("Problems found"),
    ]
    writer.writerow([_("Duty"), _("Code"), *header])
    for row in figures.duties:
        writer.writerow([row.label, row.key, *_numbers(row)])
    writer.writerow([])
    writer.writerow([_("Role"), _("Code"), *header])
    for row in figures.roles:
        writer.writerow([row.label, row.key, *_numbers(row)])
    writer.writerow([_("Total"), "", *_numbers(figures.total)])
    return response


def _numbers(row: duty_report.Figures) -> list:
    percent = row.percent_on_time
    return [
        row.on_time,
        row.late,
        row.missed,
        row.pending,
        "" if percent is None else f"{percent:.1f}",
        row.problems,
    ]
