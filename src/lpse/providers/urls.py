from django.urls import path

from lpse.providers import views

app_name = "providers"
urlpatterns = [
    path("daftar/", views.register, name="register"),
    path("daftar/formulir/<str:kind>.pdf", views.blank_form_pdf, name="blank_form_pdf"),
    path("daftar/isi/<str:token>/", views.register_form, name="register_form"),
    path("daftar/selesai/<str:ref>/", views.registration_done, name="registration_done"),
    path("daftar/selesai/<str:ref>/<str:kind>.pdf", views.form_pdf_view, name="form_pdf"),
    path("persyaratan-verifikasi/", views.requirements, name="requirements"),
    path("verifikasi/", views.queue, name="queue"),
    path("verifikasi/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("verifikasi/daftar-periksa/", views.checklist, name="checklist"),
    path(
        "verifikasi/daftar-periksa/<int:pk>/ubah/", views.checklist_toggle, name="checklist_toggle"
    ),
]
