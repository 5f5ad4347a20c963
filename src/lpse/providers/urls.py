from django.urls import path

from lpse.providers import views, views_email_change, views_experience, views_signing_keys

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
    # change of the company's e-mail address
    path("penyedia/ganti-email/", views_email_change.email_change_mine, name="email_change_mine"),
    path(
        "penyedia/ganti-email/<int:pk>/tarik/",
        views_email_change.email_change_withdraw,
        name="email_change_withdraw",
    ),
    path(
        "penyedia/ganti-email/<int:pk>/kirim-ulang/",
        views_email_change.email_change_resend,
        name="email_change_resend",
    ),
    path(
        "ganti-email/konfirmasi/<str:token>/",
        views_email_change.email_change_confirm,
        name="email_change_confirm",
    ),
    path("verifikasi/ganti-email/", views_email_change.email_change_desk, name="email_change_desk"),
    path(
        "verifikasi/ganti-email/<int:pk>/",
        views_email_change.email_change_detail,
        name="email_change_detail",
    ),
    path(
        "verifikasi/ganti-email/<int:pk>/periksa/",
        views_email_change.email_change_check,
        name="email_change_check",
    ),
    path(
        "verifikasi/ganti-email/<int:pk>/putuskan/",
        views_email_change.email_change_decide,
        name="email_change_decide",
    ),
    path(
        "verifikasi/ganti-email/<int:pk>/surat-pernyataan/",
        views_email_change.email_change_statement,
        name="email_change_statement",
    ),
    # the company's signing key, bound by two verifiers
    path(
        "penyedia/kunci-tanda-tangan/",
        views_signing_keys.signing_key_mine,
        name="signing_key_mine",
    ),
    path(
        "verifikasi/kunci-tanda-tangan/",
        views_signing_keys.signing_key_desk,
        name="signing_key_desk",
    ),
    path(
        "verifikasi/kunci-tanda-tangan/<int:pk>/",
        views_signing_keys.signing_key_detail,
        name="signing_key_detail",
    ),
    path(
        "verifikasi/kunci-tanda-tangan/<int:pk>/periksa/",
        views_signing_keys.signing_key_check,
        name="signing_key_check",
    ),
    path(
        "verifikasi/kunci-tanda-tangan/<int:pk>/putuskan/",
        views_signing_keys.signing_key_decide,
        name="signing_key_decide",
    ),
    # issue 5: experience and basic capability (kemampuan dasar)
    path("penyedia/pengalaman/", views_experience.experience_list, name="experience_list"),
    path(
        "penyedia/pengalaman/<int:pk>/tarik/",
        views_experience.experience_withdraw,
        name="experience_withdraw",
    ),
    path(
        "penyedia/pengalaman/<int:pk>/bukti/",
        views_experience.experience_proof,
        name="experience_proof",
    ),
]
