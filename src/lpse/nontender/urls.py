from django.urls import path

from lpse.nontender import (
    views,
    views_ceilings,
    views_ppk,
    views_provider,
    views_public,
    views_purchasing,
    views_questions,
)

app_name = "nontender"
_p = "kelola/non-tender/<int:pk>/"
urlpatterns = [
    path("kelola/non-tender/", views.officer_list, name="officer_list"),
    path(_p, views.detail, name="detail"),
    path(_p + "undang/", views.invite, name="invite"),
    path(_p + "jadwal/", views.schedule_publish, name="schedule_publish"),
    path(_p + "jadwal/ubah/", views.schedule_change, name="schedule_change"),
    path(_p + "penawaran/<int:offer_pk>/negosiasi/", views.negotiate, name="negotiate"),
    path(_p + "penawaran/<int:offer_pk>/tetapkan/", views.award, name="award"),
    path(_p + "jawab/<int:question_pk>/", views_questions.answer, name="answer"),
    path("penyedia/non-tender/<int:pk>/tanya/", views_questions.ask, name="ask"),
    path("kelola/paket/<int:pk>/non-tender/", views_ppk.handover, name="handover"),
    path("non-tender/hasil/", views_public.results, name="results"),
    path("penyedia/non-tender/", views_provider.my_invitations, name="my_invitations"),
    path("penyedia/non-tender/<int:pk>/pakta/", views_provider.sign_pact, name="invitation_pact"),
    path("non-tender/<int:pk>/spk.pdf", views_public.purchase_order, name="purchase_order"),
    path("kelola/non-tender/<int:pk>/bukti/", views_public.evidence, name="evidence"),
    path("kelola/e-purchasing/", views_purchasing.orders, name="orders"),
    path("kelola/batas-non-tender/", views_ceilings.ceilings, name="ceilings"),
    path(
        "kelola/e-purchasing/<int:pk>/terima/", views_purchasing.order_receive, name="order_receive"
    ),
    path(
        "penyedia/pesanan/<int:pk>/konfirmasi/",
        views_purchasing.order_confirm,
        name="order_confirm",
    ),
    path("penyedia/pesanan/<int:pk>/tolak/", views_purchasing.order_decline, name="order_decline"),
    path("penyedia/pesanan/<int:pk>/kirim/", views_purchasing.order_deliver, name="order_deliver"),
]
