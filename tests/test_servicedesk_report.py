"""R-3.6 Standard times: every step of a service request records when it started and ended; the
report per month and per procedure shows how many met the annex's *Mutu Baku*, the median and the
worst, as a table, a chart and a CSV file. R-2.1: the helpdesk's time to answer, in and outside
working hours."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.core.calendar import WITA
from lpse.core.models import AuditHead, StepTiming
from lpse.core.standard_times import CATALOGUE, Procedure, standard_for, step_record, step_start
from lpse.servicedesk import selectors
from lpse.servicedesk.models import Category
from lpse.servicedesk.services import tickets as services

pytestmark = pytest.mark.django_db

JULY = date(2026, 7, 1)
T0 = datetime(2026, 7, 6, 9, 0, tzinfo=WITA)  # Monday 6 July 2026
LABELS = {"all": "all", "inside": "inside", "outside": "outside"}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def subjects(n: int) -> list[AuditHead]:
    """Any saved rows serve as the requests the steps belong to."""
    return [AuditHead.objects.create(id=i, seq=0, hash=f"{i:064d}") for i in range(1, n + 1)]


def row_for(rows, procedure: str, step: str):
    return next(r for r in rows if (r.standard.procedure, r.standard.step) == (procedure, step))


# --- the arithmetic, with known numbers ---------------------------------------------------------


def test_R_3_6_durations_of_10_20_40_minutes_against_15_30_min_two_of_three_met():
    standard = standard_for(Procedure.EMAIL_CHANGE, "apply")  # 15–30 min
    figures = selectors.summarise(standard, [minutes(10), minutes(40), minutes(20)], open_count=1)
    assert (figures.done, figures.met) == (3, 2)
    assert figures.percent_met == pytest.approx(66.67, abs=0.01)
    assert figures.median == minutes(20)
    assert figures.worst == minutes(40)
    assert figures.open == 1


def test_R_3_6_the_median_of_an_even_count_is_the_middle_two_averaged_and_the_bound_is_met():
    standard = standard_for(Procedure.UNOPENABLE_FILE, "admin_attempt")  # 5–15 min
    figures = selectors.summarise(standard, [minutes(5), minutes(15), minutes(16), minutes(30)])
    assert (figures.done, figures.met) == (4, 2)  # exactly 15 min meets the standard
    assert figures.median == minutes(15.5)
    assert figures.worst == minutes(30)


def test_R_3_6_a_step_without_data_shows_no_figures():
    figures = selectors.summarise(standard_for(Procedure.SCHEDULE_CHANGE, "apply"), [])
    assert (figures.done, figures.met, figures.median, figures.worst) == (0, 0, None, None)
    assert figures.percent_met is None


# --- the report from recorded step timings ------------------------------------------------------


def record_email_changes(durations_in_minutes, start=T0):
    for subject, taken in zip(
        subjects(len(durations_in_minutes)), durations_in_minutes, strict=True
    ):
        step_record(
            procedure=Procedure.EMAIL_CHANGE,
            step="apply",
            subject=subject,
            started_at=start,
            ended_at=start + minutes(taken),
        )


def test_R_3_6_the_month_report_reads_the_step_timings_of_every_procedure():
    record_email_changes([10, 20, 40])
    [open_one] = [AuditHead.objects.create(id=99, seq=0, hash="9" * 64)]
    step_start(procedure=Procedure.EMAIL_CHANGE, step="apply", subject=open_one, at=T0)
    rows = selectors.standard_time_report(JULY)
    assert [(r.standard.procedure, r.standard.step) for r in rows] == [
        (s.procedure, s.step) for s in CATALOGUE
    ]
    email = row_for(rows, Procedure.EMAIL_CHANGE, "apply")
    assert (email.done, email.met, email.median, email.worst, email.open) == (
        3,
        2,
        minutes(20),
        minutes(40),
        1,
    )
    untouched = row_for(rows, Procedure.SCHEDULE_CHANGE, "apply")
    assert (untouched.done, untouched.open) == (0, 0)


def test_R_3_6_a_step_counts_in_the_WITA_month_it_started():
    # 1 August 00:30 WITA is 31 July in UTC: it belongs to August.
    record_email_changes([10], start=datetime(2026, 8, 1, 0, 30, tzinfo=WITA))
    assert row_for(selectors.standard_time_report(JULY), Procedure.EMAIL_CHANGE, "apply").done == 0
    august = selectors.standard_time_report(date(2026, 8, 1))
    assert row_for(august, Procedure.EMAIL_CHANGE, "apply").done == 1
    assert StepTiming.objects.count() == 1


@pytest.fixture
def helpdesk(make_user):
    return make_user(Role.HELPDESK)


def file_and_answer(helpdesk, received_at, after):
    with time_machine.travel(received_at, tick=False):
        ticket = services.ticket_submit(
            actor=None,
            request=services.Request(
                category=Category.CONSULTATION,
                subject="Tanya",
                question="?",
                name="Warga",
                email="warga@example.test",
            ),
        )
    if after is not None:
        with time_machine.travel(received_at + after, tick=False):
            services.ticket_answer(actor=helpdesk, ticket=ticket, answer="Jawab.")
    return ticket


def test_R_2_1_the_report_shows_time_to_answer_in_and_outside_working_hours(helpdesk):
    file_and_answer(helpdesk, datetime(2026, 7, 6, 10, 0, tzinfo=WITA), minutes(30))
    file_and_answer(helpdesk, datetime(2026, 7, 7, 9, 0, tzinfo=WITA), minutes(90))
    file_and_answer(helpdesk, datetime(2026, 7, 11, 10, 0, tzinfo=WITA), timedelta(hours=48))
    file_and_answer(helpdesk, datetime(2026, 7, 8, 20, 0, tzinfo=WITA), None)
    file_and_answer(helpdesk, datetime(2026, 6, 30, 10, 0, tzinfo=WITA), minutes(5))  # June
    every, inside, outside = selectors.helpdesk_report(JULY, LABELS)
    assert (every.received, every.answered, every.unanswered) == (4, 3, 1)
    assert (every.median, every.worst) == (minutes(90), timedelta(hours=48))
    assert (inside.received, inside.answered, inside.median, inside.worst) == (
        2,
        2,
        minutes(60),
        minutes(90),
    )
    assert (outside.received, outside.answered, outside.unanswered) == (2, 1, 1)
    assert outside.worst == timedelta(hours=48)


# --- the page, the chart, the CSV ---------------------------------------------------------------


def test_R_3_6_the_report_page_shows_the_table_and_an_svg_chart(client, make_user):
    record_email_changes([10, 20, 40])
    client.force_login(make_user(Role.LPSE_HEAD))
    response = client.get(reverse("servicedesk:standard_times"), {"bulan": "2026-07"})
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index('data-step="email_change/apply"') :]
    row = row[: row.index("</tr>")]
    for cell in ("15–30 min", "<td>3</td>", "<td>2</td>", "67 %", "20 min", "40 min"):
        assert cell in row, cell
    assert "<svg" in page and "<rect" in page
    assert 'style="' not in page[page.index("<svg") : page.index("</svg>")]  # CSP: no inline style
    assert 'value="2026-07"' in page


def test_R_3_6_the_month_defaults_to_the_current_WITA_month_and_a_bad_one_is_said(
    client, make_user
):
    # 31 July 17:00 UTC is 1 August 01:00 WITA.
    with time_machine.travel(datetime(2026, 8, 1, 1, 0, tzinfo=WITA), tick=False):
        client.force_login(make_user(Role.AUDITOR))
        page = client.get(reverse("servicedesk:standard_times")).content.decode()
        assert 'value="2026-08"' in page
        page = client.get(reverse("servicedesk:standard_times"), {"bulan": "juli"}).content.decode()
        assert "is not a month" in page and 'value="2026-08"' in page


def test_R_3_6_the_report_downloads_as_csv(client, make_user):
    record_email_changes([10, 20, 40])
    client.force_login(make_user(Role.SERVICE_HEAD))
    response = client.get(reverse("servicedesk:standard_times_csv"), {"bulan": "2026-07"})
    assert response["Content-Type"].startswith("text/csv")
    assert "mutu-baku-2026-07.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    email = next(
        r
        for r in rows
        if r[:2]
        == [str(Procedure.EMAIL_CHANGE.label), "Check the statement and change the address"]
    )
    assert email[2:] == ["15–30 min", "3", "2", "66.7", "20.0", "40.0", "0"]


def test_R_3_6_the_report_is_for_those_who_may_see_service_reports(client, make_user):
    client.force_login(make_user(Role.PROVIDER))
    assert client.get(reverse("servicedesk:standard_times")).status_code == 403
    assert client.get(reverse("servicedesk:standard_times_csv")).status_code == 403
