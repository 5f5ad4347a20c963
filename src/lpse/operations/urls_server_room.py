"""The server_room pages of operations (issue 17, R-4.2), under /operasi/."""

from django.urls import path

from lpse.operations import views_server_room as views

urlpatterns = [
    path("ruang-server/izin/", views.permits, name="server_room_permits"),
    path("ruang-server/izin/baru/", views.permit_create, name="server_room_permit_create"),
    path("ruang-server/izin/<int:pk>/", views.permit_detail, name="server_room_permit"),
    path(
        "ruang-server/izin/<int:pk>/keputusan/",
        views.permit_decide,
        name="server_room_permit_decide",
    ),
    path(
        "ruang-server/izin/<int:pk>/tarik/",
        views.permit_withdraw,
        name="server_room_permit_withdraw",
    ),
    path("ruang-server/kunjungan/", views.visit_log, name="server_room_log"),
    path("ruang-server/kunjungan/masuk/", views.visit_check_in, name="server_room_check_in"),
    path(
        "ruang-server/kunjungan/<int:pk>/keluar/",
        views.visit_check_out,
        name="server_room_check_out",
    ),
    path("ruang-server/kunjungan/pdf/", views.visit_log_pdf, name="server_room_log_pdf"),
]
