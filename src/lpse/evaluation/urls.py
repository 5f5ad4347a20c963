from django.urls import path

from lpse.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("kelola/tender/<str:code>/evaluasi/", views.evaluation_page, name="page"),
    path("kelola/tender/<str:code>/evaluasi/<int:pk>/hasil/", views.record, name="record"),
    path("kelola/tender/<str:code>/evaluasi/<int:pk>/koreksi/", views.correct, name="correct"),
    path("kelola/tender/<str:code>/evaluasi/penetapan/", views.decide, name="decide"),
    path("kelola/tender/<str:code>/evaluasi/berita-acara.pdf", views.outcome_report, name="report"),
]
