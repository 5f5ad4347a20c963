from django.urls import path

from lpse.servicedesk import views, views_desk, views_report

app_name = "servicedesk"

urlpatterns = [
    # the requester
    path("layanan/helpdesk/", views.ask, name="ask"),
    path("layanan/tiket-saya/", views.my_tickets, name="my_tickets"),
    path("layanan/tiket-saya/<str:number>/", views.my_ticket, name="my_ticket"),
    path("layanan/tiket/<str:number>/<str:token>/", views.public_ticket, name="public_ticket"),
    path("layanan/faq/", views.faq, name="faq"),
    # the helpdesk
    path("layanan/helpdesk/antrean/", views_desk.queue, name="queue"),
    path("layanan/helpdesk/catat/", views_desk.record, name="record"),
    path("layanan/helpdesk/tiket/<str:number>/", views_desk.ticket, name="ticket"),
    path("layanan/helpdesk/isi-jawaban/", views_desk.article_answer, name="article_answer"),
    path("layanan/pengetahuan/", views_desk.knowledge_list, name="knowledge"),
    path("layanan/pengetahuan/baru/", views_desk.article_edit, name="article_new"),
    path("layanan/pengetahuan/<int:pk>/", views_desk.article_edit, name="article_edit"),
    path(
        "layanan/pengetahuan/<int:pk>/putuskan/", views_desk.article_decide, name="article_decide"
    ),
    #
    path("layanan/mutu-baku/", views_report.standard_times, name="standard_times"),
    path("layanan/mutu-baku/csv/", views_report.standard_times_csv, name="standard_times_csv"),
]
