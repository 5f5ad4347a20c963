from django.urls import path

from lpse.training import views

app_name = "training"

urlpatterns = [
    path("pelatihan/", views.overview, name="overview"),
    path("pelatihan/permohonan/baru/", views.request_create, name="request_create"),
    path("pelatihan/permohonan/<int:pk>/", views.request_detail, name="request_detail"),
    path("pelatihan/permohonan/<int:pk>/surat/", views.request_letter, name="request_letter"),
    path("pelatihan/permohonan/<int:pk>/konfirmasi/", views.confirm, name="confirm"),
    path("pelatihan/permohonan/<int:pk>/jadwal/", views.schedule, name="schedule"),
    path("pelatihan/permohonan/<int:pk>/balasan/mulai/", views.reply_begin, name="reply_begin"),
    path("pelatihan/permohonan/<int:pk>/surat-keluar/", views.letters_issue, name="letters_issue"),
    path("pelatihan/permohonan/<int:pk>/surat-jawaban.pdf", views.reply_pdf, name="reply_pdf"),
    path(
        "pelatihan/permohonan/<int:pk>/surat-tugas.pdf",
        views.assignment_pdf,
        name="assignment_pdf",
    ),
    path("pelatihan/permohonan/<int:pk>/batal/", views.cancel, name="cancel"),
    path("pelatihan/permohonan/<int:pk>/peserta/", views.participant_add, name="participant_add"),
    path("pelatihan/permohonan/<int:pk>/terlaksana/", views.held, name="held"),
    path("pelatihan/peserta/<int:pk>/hadir/", views.attendance, name="attendance"),
    path("pelatihan/peserta/<int:pk>/hapus/", views.participant_remove, name="participant_remove"),
    path("pelatihan/daftar/<str:token>/", views.self_register, name="self_register"),
    path("pelatihan/ruang/", views.rooms, name="rooms"),
    path("admin-lpse/lingkungan-pelatihan/", views.sandbox_page, name="sandbox"),
]
