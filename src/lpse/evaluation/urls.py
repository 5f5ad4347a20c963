from django.urls import path

from lpse.evaluation import views, views_award, views_bidder

app_name = "evaluation"
_t = "kelola/tender/<str:code>/evaluasi/"
urlpatterns = [
    path(_t, views.evaluation_page, name="page"),
    path(_t + "<int:pk>/hasil/", views.record, name="record"),
    path(_t + "<int:pk>/koreksi/", views.correct, name="correct"),
    path(_t + "<int:pk>/undang/", views.invite, name="invite"),
    path(_t + "pembuktian/<int:pk>/", views.proof, name="proof"),
    path(_t + "penetapan/", views.decide, name="decide"),
    path(_t + "gagal/", views.fail, name="fail"),
    path(_t + "umumkan/", views.announce, name="announce"),
    path(_t + "tender-ulang/", views.retender, name="retender"),
    path(_t + "sanggah/<int:pk>/jawab/", views.answer, name="answer"),
    path(_t + "berita-acara.pdf", views.outcome_report, name="report"),
    path("kelola/tender/<str:code>/kontrak/", views_award.award_page, name="award"),
    path("kelola/tender/<str:code>/kontrak/sppbj/", views_award.award_issue, name="award_issue"),
    path(
        "kelola/tender/<str:code>/kontrak/catat/",
        views_award.contract_record,
        name="contract_record",
    ),
    path("tender/<str:code>/sppbj.pdf", views_award.award_letter, name="award_letter"),
    path("tender/<str:code>/hasil-saya/", views_bidder.my_result, name="my_result"),
    path("tender/<str:code>/hasil.pdf", views_bidder.public_report, name="public_report"),
    path("sanggah/lampiran/<int:pk>/", views_bidder.attachment_download, name="attachment"),
]
