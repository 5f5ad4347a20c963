from django.urls import path

from lpse.archive import views

app_name = "archive"

urlpatterns = [
    path("cadangan/", views.status, name="status"),
    path("cadangan/jalankan/", views.run_now, name="run_now"),
    path("cadangan/media/", views.media_log, name="media_log"),
    path("cadangan/media/keluar/", views.media_take_out, name="media_take_out"),
    path("cadangan/media/<int:pk>/kembali/", views.media_return, name="media_return"),
]
