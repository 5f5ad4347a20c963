from django.urls import path

from lpse.core import views

app_name = "core"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("admin-lpse/surat/", views.mail_log, name="mail_log"),
    path("admin-lpse/audit/", views.audit, name="audit"),
    path("admin-lpse/kalender/", views.calendar, name="calendar"),
]
