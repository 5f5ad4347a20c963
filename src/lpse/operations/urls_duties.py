"""The duties pages of operations (issue 17): the annex V duty register (R-5.6), under /operasi/."""

from django.urls import path

from lpse.operations import views_duties, views_duty_report

urlpatterns = [
    path("tugas/", views_duties.mine, name="duties_mine"),
    path("tugas/register/", views_duties.register, name="duty_register"),
    path("tugas/<int:pk>/", views_duties.occurrence, name="duty_occurrence"),
    path("tugas/<int:pk>/selesai/", views_duties.done, name="duty_done"),
    path("tugas/bukti/<int:pk>/", views_duties.evidence, name="duty_evidence"),
    path("tugas/masalah/", views_duties.problems, name="duty_problems"),
    path("tugas/masalah/<int:pk>/tutup/", views_duties.problem_close, name="duty_problem_close"),
    path("tugas/katalog/", views_duties.catalogue, name="duty_catalogue"),
    path("tugas/katalog/<int:pk>/ubah/", views_duties.duty_edit, name="duty_edit"),
    path("tugas/laporan/", views_duty_report.report, name="duty_report"),
    path("tugas/laporan.csv", views_duty_report.report_csv, name="duty_report_csv"),
]
