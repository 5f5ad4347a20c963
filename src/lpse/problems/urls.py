from django.urls import path

from lpse.problems import views

app_name = "problems"
urlpatterns = [
    # the provider
    path("penyedia/masalah-unggah/", views.problems, name="problems"),
    path("penyedia/masalah-unggah/<int:pk>/", views.problem, name="problem"),
    path("penyedia/masalah-unggah/<int:pk>/tindak/", views.provider_act, name="provider_act"),
    # the LPSE admin
    path("admin-lpse/masalah-unggah/", views.desk, name="desk"),
    path("admin-lpse/masalah-unggah/<int:pk>/", views.case, name="case"),
    path("admin-lpse/masalah-unggah/<int:pk>/tindak/", views.act, name="act"),
    path(
        "admin-lpse/masalah-unggah/<int:pk>/tampilan-dukungan/",
        views.support_view,
        name="support_view",
    ),
    # escalations to LKPP
    path("admin-lpse/eskalasi-lkpp/", views.escalations, name="escalations"),
    path("admin-lpse/eskalasi-lkpp/<int:pk>/", views.escalation, name="escalation"),
    path("admin-lpse/eskalasi-lkpp/<int:pk>/tindak/", views.escalation_act, name="escalation_act"),
    path(
        "admin-lpse/eskalasi-lkpp/<int:pk>/paket.zip",
        views.escalation_package,
        name="escalation_package",
    ),
    path(
        "admin-lpse/eskalasi-lkpp/berkas-tidak-terbuka/<int:pk>/",
        views.escalation_from_unopenable,
        name="escalation_from_unopenable",
    ),
]
