from django.urls import path

from lpse.bids import views, views_apendo, views_keys, views_receipts, views_unopenable

app_name = "bids"
urlpatterns = [
    path("tender/<str:code>/penawaran/", views.submit_page, name="submit"),
    path("tender/<str:code>/penawaran/unggah/", views.upload_create, name="upload_create"),
    path("penawaran/unggah/<uuid:upload_id>/", views.upload, name="upload"),
    path("penawaran/<int:pk>/tanda-terima.json", views.receipt_json, name="receipt_json"),
    path("penawaran/<int:pk>/tanda-terima.pdf", views.receipt_pdf_view, name="receipt_pdf"),
    path(
        "penawaran/<int:pk>/bukti-log.json",
        views_receipts.receipt_log_proof,
        name="receipt_log_proof",
    ),
    # The offline Apendo, one self-contained HTML file (issue 15): public, like the bundle.
    path("apendo/apendo-offline.html", views_apendo.apendo_offline, name="apendo_offline"),
    path("api/v1/receipt-key", views.receipt_key, name="receipt_key"),
    path("kelola/kunci-pembuka/", views_keys.opening_key, name="opening_key"),
    path("kelola/tender/<str:code>/kunci/", views_keys.tender_key_page, name="tender_key"),
    path("kelola/tender/<str:code>/pembukaan/", views_keys.opening_page, name="opening"),
    path(
        "kelola/tender/<str:code>/pembukaan/berita-acara.pdf",
        views.opening_report,
        name="opening_report",
    ),
    path(
        "kelola/penawaran-terbuka/<int:pk>/minta-bantuan/",
        views_unopenable.request_help,
        name="unopenable_request",
    ),
    path("admin-lpse/berkas-tidak-terbuka/", views_unopenable.desk, name="unopenable_desk"),
    path("admin-lpse/berkas-tidak-terbuka/<int:pk>/", views_unopenable.act, name="unopenable_act"),
    path(
        "admin-lpse/berkas-tidak-terbuka/<int:pk>/berita-acara.pdf",
        views_unopenable.witness_report,
        name="witness_report",
    ),
]
