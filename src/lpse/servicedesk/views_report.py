"""The standard-time compliance report (R-3.6) and the helpdesk's time to answer (R-2.1), per
month: a table, a chart and a CSV file."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lpse.core.calendar import month_asked
from lpse.core.capabilities import Cap, requires
from lpse.servicedesk import selectors
from lpse.servicedesk.chart import compliance_chart
from lpse.servicedesk.templatetags.servicedesk import duration


def _month(request) -> tuple[date, str]:
    return month_asked(request.GET.get("bulan", ""))


def _helpdesk_labels() -> dict[str, str]:
    return {
        "all": _("All tickets"),
        "inside": _("Received in working hours"),
        "outside": _("Received outside working hours"),
    }


@requires(Cap.VIEW_SERVICE_REPORTS)
def standard_times(request):
    month, problem = _month(request)
    rows = selectors.standard_time_report(month)
    return render(
        request,
        "servicedesk/standard_times.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "problem": problem,
            "rows": rows,
            "chart": compliance_chart(rows),
            "helpdesk": selectors.helpdesk_report(month, _helpdesk_labels()),
        },
    )


@requires(Cap.VIEW_SERVICE_REPORTS)
def standard_times_csv(request):
    month, _problem = _month(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mutu-baku-{month:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Procedure"),
            _("Step"),
            _("Standard time"),
            _("Done"),
            _("Met the standard"),
            _("% met"),
            _("Median (minutes)"),
            _("Worst (minutes)"),
            _("Still open"),
        ]
    )
    for row in selectors.standard_time_report(month):
        writer.writerow(
            [
                row.procedure_label,
                row.standard.label,
                row.standard.describe(),
                row.done,
                row.met,
                "" if row.percent_met is None else f"{row.percent_met:.1f}",
                _minutes(row.median),
                _minutes(row.worst),
                row.open,
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            _("Helpdesk"),
            "",
            _("Received"),
            _("Answered"),
            _("Median time to answer"),
            _("Worst time to answer"),
            _("Not answered yet"),
        ]
    )
    for row in selectors.helpdesk_report(month, _helpdesk_labels()):
        writer.writerow(
            [
                _("Helpdesk"),
                row.label,
                row.received,
                row.answered,
                duration(row.median),
                duration(row.worst),
                row.unanswered,
            ]
        )
    return response


def _minutes(value) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"
