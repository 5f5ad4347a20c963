from django.urls import path

from lpse.bids import views

app_name = "bids"
urlpatterns = [
    path("tender/<str:code>/penawaran/", views.submit_page, name="submit"),
    path("tender/<str:code>/penawaran/unggah/", views.upload_create, name="upload_create"),
    path("penawaran/unggah/<uuid:upload_id>/", views.upload, name="upload"),
    path("penawaran/<int:pk>/tanda-terima.json", views.receipt_json, name="receipt_json"),
    path("penawaran/<int:pk>/tanda-terima.pdf", views.receipt_pdf_view, name="receipt_pdf"),
    path("api/v1/receipt-key", views.receipt_key, name="receipt_key"),
    path("kelola/kunci-pembuka/", views.opening_key, name="opening_key"),
    path("kelola/tender/<str:code>/pembukaan/", views.opening_page, name="opening"),
    path(
        "kelola/tender/<str:code>/pembukaan/berita-acara.pdf",
        views.opening_report,
        name="opening_report",
    ),
]
