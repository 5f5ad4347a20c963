from django.urls import path

from lpse.tenders import views_handover as handover
from lpse.tenders import views_manage as manage
from lpse.tenders import views_oversight as oversight
from lpse.tenders import views_public as public

app_name = "tenders"
urlpatterns = [
    path("tender/", public.public_list, name="public_list"),
    path("tender/<str:code>/", public.public_detail, name="public_detail"),
    path("tender/<str:code>/pakta/", public.sign_pact, name="sign_pact"),
    path("tender/<str:code>/daftar/", public.register, name="register"),
    path("tender/<str:code>/tanya/", public.ask, name="ask"),
    path("dokumen/<int:pk>/unduh/", public.document_download, name="document_download"),
    path("pakta/<int:pk>/unduh/", public.pact_download, name="pact_download"),
    path("kelola/pokja/", manage.committees, name="committees"),
    path("kelola/pokja/<int:pk>/anggota/", oversight.committee_members, name="committee_members"),
    path("kelola/paket/", manage.packages, name="packages"),
    path(
        "kelola/paket/<int:pk>/ajukan-lagi/",
        oversight.approval_request_again,
        name="approval_request_again",
    ),
    path("kelola/persetujuan-paket/", oversight.approval_queue, name="approval_queue"),
    path(
        "kelola/persetujuan-paket/<int:pk>/",
        oversight.approval_decide,
        name="approval_decide",
    ),
    path("kelola/statistik/", oversight.statistics, name="statistics"),
    path("kelola/ppk/<int:pk>/serah-terima/", handover.ppk_handover, name="ppk_handover"),
    path("kelola/paket/baru/", manage.package_create, name="package_create"),
    path("kelola/paket/<int:pk>/", manage.package_detail, name="package_detail"),
    path("kelola/paket/tender/<str:code>/pakta/", manage.ppk_sign_pact, name="ppk_sign_pact"),
    path("kelola/tender/", manage.committee_home, name="committee_home"),
    path("kelola/tender/baru/<int:package_pk>/", manage.tender_create, name="tender_create"),
    path("kelola/tender/<str:code>/", manage.manage, name="manage"),
    path("kelola/tender/<str:code>/pakta/", manage.committee_sign_pact, name="committee_sign_pact"),
    path("kelola/tender/<str:code>/umumkan/", manage.publish, name="publish"),
    path("kelola/tender/<str:code>/jadwal/", manage.schedule_edit, name="schedule_edit"),
    path("kelola/tender/<str:code>/jawab/<int:question_pk>/", manage.answer, name="answer"),
    path("kelola/lama-tahap/", manage.stage_minimums, name="stage_minimums"),
    path("kelola/perubahan-jadwal/", manage.schedule_changes, name="schedule_changes"),
    path(
        "kelola/perubahan-jadwal/<int:pk>/",
        manage.schedule_change_decide,
        name="schedule_change_decide",
    ),
]
